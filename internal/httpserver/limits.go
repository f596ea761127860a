package httpserver

import (
	"aftercare/internal/gqldepth"

	"context"
	"fmt"
	"log/slog"
	"strings"

	"aftercare/internal/dberr"
	"aftercare/internal/reqctx"

	"aftercare/internal/apperr"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// DepthLimit refuses operations nested deeper than Max fields. Complexity
// limits bound a query's width; depth needs its own limit because a deep
// query through cyclic edges (owner -> vehicles -> owner ...) is cheap to
// write and expensive to run.
type DepthLimit struct {
	Max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

// ExtensionName implements graphql.HandlerExtension.
func (DepthLimit) ExtensionName() string { return "DepthLimit" }

// Validate implements graphql.HandlerExtension.
func (d DepthLimit) Validate(graphql.ExecutableSchema) error {
	if d.Max < 1 {
		return fmt.Errorf("depth limit must be at least 1")
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (d DepthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := gqldepth.Of(oc.Operation.SelectionSet); depth > d.Max {
		err := gqlerror.Errorf("the operation is nested %d levels deep; the limit is %d", depth, d.Max)
		err.Extensions = map[string]any{"code": string(apperr.BadUserInput)}
		return err
	}
	return nil
}

// FieldLimit refuses operations that select more than Max fields with their
// fragments expanded, before gqlgen's complexity limit measures them: that
// walker expands every fragment spread anew, so ten lines of fragments
// that each spread the previous one twice (2^40 fields) kept it busy
// without end. Every field counts 1 here, as in the complexity limit, so
// with the same Max it refuses what that limit would, only sooner.
type FieldLimit struct {
	Max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = FieldLimit{}

// ExtensionName implements graphql.HandlerExtension.
func (FieldLimit) ExtensionName() string { return "FieldLimit" }

// Validate implements graphql.HandlerExtension.
func (f FieldLimit) Validate(graphql.ExecutableSchema) error {
	if f.Max < 1 {
		return fmt.Errorf("field limit must be at least 1")
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (f FieldLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if n := gqldepth.Fields(oc.Operation.SelectionSet); n > f.Max {
		err := gqlerror.Errorf("the operation selects %d fields; the limit is %d", n, f.Max)
		err.Extensions = map[string]any{"code": "COMPLEXITY_LIMIT_EXCEEDED"} // gqlgen's code for the same refusal
		return err
	}
	return nil
}

// transactioner is entgql's Transactioner (one transaction per mutation
// operation) with two of its answers fixed: a request whose body is not a
// GraphQL request at all (a JSON array of batched operations, variables
// nested past the JSON decoder's limit) has no operation context, and
// entgql panicked on it (the client got INTERNAL); and a transaction that
// could not begin or commit came back as an uncoded error quoting the
// database's message. It now answers UNAVAILABLE when the database is
// down, INTERNAL otherwise (TestHostileQueryShapesAreRefused,
// TestPostgresRestartUnderLoad).
type transactioner struct {
	entgql.Transactioner
	logger *slog.Logger
}

// InterceptResponse implements graphql.ResponseInterceptor.
func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Mutation {
		return next(ctx)
	}
	txCtx, tx, err := t.OpenTx(ctx)
	if err != nil {
		return t.failed(ctx, "begin", err)
	}
	defer func() {
		if r := recover(); r != nil {
			_ = tx.Rollback()
			panic(r)
		}
	}()
	rsp := next(txCtx)
	if len(rsp.Errors) > 0 {
		_ = tx.Rollback()
		return &graphql.Response{Errors: rsp.Errors}
	}
	if err := tx.Commit(); err != nil {
		return t.failed(ctx, "commit", err)
	}
	return rsp
}

func (t transactioner) failed(ctx context.Context, step string, err error) *graphql.Response {
	code, msg := apperr.Internal, "internal error; quote request id "+reqctx.RequestID(ctx)
	if dberr.Unavailable(err) {
		code, msg = apperr.Unavailable, "the database is unavailable; try again"
	}
	t.logger.ErrorContext(ctx, "mutation transaction failed", "step", step, "request_id", reqctx.RequestID(ctx), "err", err)
	return &graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": string(code)}}}}
}

// NoNUL refuses an operation whose variables or string literals hold a NUL
// character. No text the API keeps may contain one: PostgreSQL refuses it
// in text (an INTERNAL error), and SQLite cuts the string at it, so a
// filter such as nameContains: "\u0000" matched every row
// (TestWhereFiltersResistInjection).
type NoNUL struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = NoNUL{}

// ExtensionName implements graphql.HandlerExtension.
func (NoNUL) ExtensionName() string { return "NoNUL" }

// Validate implements graphql.HandlerExtension.
func (NoNUL) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (NoNUL) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if !strings.Contains(strings.ToLower(oc.RawQuery), `\u0000`) && !holdsNUL(oc.Variables) {
		return nil
	}
	err := gqlerror.Errorf("text may not contain the NUL character")
	err.Extensions = map[string]any{"code": string(apperr.BadUserInput)}
	return err
}

func holdsNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, 0)
	case map[string]any:
		for k, e := range v {
			if strings.ContainsRune(k, 0) || holdsNUL(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if holdsNUL(e) {
				return true
			}
		}
	}
	return false
}
