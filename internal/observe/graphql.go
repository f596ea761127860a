package observe

import (
	"context"
	"time"

	"aftercare/internal/auth"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// GraphQL returns the gqlgen extensions to register first (outermost):
// operation metrics, the operation span and the access-log fields; with
// tracing on, also a span per resolver.
func (o *Observer) GraphQL() []graphql.HandlerExtension {
	exts := []graphql.HandlerExtension{gqlOps{o}}
	if o.tracing {
		exts = append(exts, gqlFields{o})
	}
	return exts
}

// gqlOps measures each operation. Queries and mutations are measured to
// their response; a subscription to the end of its set-up (authorisation
// and subscribing happen there), since its lifetime is the client's choice.
// Errors are counted on every response that leaves, set-up refusals of
// subscriptions included. A request refused before any operation ran
// (unparsable, invalid, too complex, unknown persisted query) reaches only
// InterceptResponse, which measures it instead.
type gqlOps struct{ o *Observer }

var (
	_ graphql.OperationInterceptor = gqlOps{}
	_ graphql.ResponseInterceptor  = gqlOps{}
	_ graphql.FieldInterceptor     = gqlFields{}
)

func (gqlOps) ExtensionName() string                   { return "Observe" }
func (gqlOps) Validate(graphql.ExecutableSchema) error { return nil }

// operationRan marks contexts of operations InterceptOperation measures.
type operationRan struct{}

func (g gqlOps) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	o := g.o
	oc := graphql.GetOperationContext(ctx)
	name, typ := o.operations.label(oc.Operation.Name), string(oc.Operation.Operation)
	start := startOf(oc)
	requestInfo(ctx).setOperation(name, auth.FromContext(ctx).Kind.String())
	ctx = context.WithValue(ctx, operationRan{}, true)
	var span trace.Span
	if o.tracing {
		ctx, span = o.tracer.Start(ctx, typ+" "+name, trace.WithTimestamp(start), trace.WithAttributes(
			attribute.String("graphql.operation.type", typ), attribute.String("graphql.operation.name", name)))
	}
	done := func(errs gqlerror.List) {
		o.gqlDuration.WithLabelValues(name, typ).Observe(time.Since(start).Seconds())
		if span != nil {
			if len(errs) > 0 {
				span.SetStatus(codes.Error, code(errs[0]))
			}
			span.End()
		}
	}
	h := next(ctx)
	if typ == string(ast.Subscription) {
		done(nil)
	}
	first := true
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if resp == nil {
			return nil
		}
		o.countErrors(resp.Errors)
		if first && typ != string(ast.Subscription) {
			done(resp.Errors)
		}
		first = false
		return resp
	}
}

func (g gqlOps) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || ctx.Value(operationRan{}) != nil {
		return resp
	}
	o := g.o
	o.countErrors(resp.Errors)
	// A body that is not even JSON has no operation context, and no start.
	name, typ, start := "anonymous", "unknown", time.Now()
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		name, start = o.operations.label(oc.OperationName), startOf(oc)
		if oc.Operation != nil {
			name, typ = o.operations.label(oc.Operation.Name), string(oc.Operation.Operation)
		}
	}
	o.gqlDuration.WithLabelValues(name, typ).Observe(time.Since(start).Seconds())
	requestInfo(ctx).setOperation(name, auth.FromContext(ctx).Kind.String())
	return resp
}

// startOf is when the transport read the operation (before parsing).
func startOf(oc *graphql.OperationContext) time.Time {
	if !oc.Stats.OperationStart.IsZero() {
		return oc.Stats.OperationStart
	}
	return time.Now()
}

func (o *Observer) countErrors(errs gqlerror.List) {
	for _, e := range errs {
		o.gqlErrors.WithLabelValues(code(e)).Inc()
	}
}

// code is the error's extensions.code as a bounded label.
func code(e *gqlerror.Error) string {
	c, _ := e.Extensions["code"].(string)
	if c == "" {
		return "UNKNOWN"
	}
	if !nameRE.MatchString(c) {
		return "other"
	}
	return c
}

// gqlFields makes a span per resolver that does work: fields with their
// own resolver or backed by a method (ent edges). Plain struct fields and
// scalars get none, or a list of 50 rows would make hundreds of spans.
type gqlFields struct{ o *Observer }

func (gqlFields) ExtensionName() string                   { return "ObserveFields" }
func (gqlFields) Validate(graphql.ExecutableSchema) error { return nil }

func (g gqlFields) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !(fc.IsResolver || fc.IsMethod) || !trace.SpanContextFromContext(ctx).IsSampled() {
		return next(ctx)
	}
	// Children resolve after this returns, under this span's context: a
	// sampled but ended parent still makes them part of the trace.
	ctx, span := g.o.tracer.Start(ctx, fc.Object+"."+fc.Field.Name)
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "") // the message is for the client; the code is set by the presenter later
	}
	return res, err
}
