package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"aftercare/ent"
	"aftercare/ent/privacy"
	"aftercare/internal/apperr"
	"aftercare/internal/dberr"
	"aftercare/internal/reqctx"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// ErrorPresenter gives every error a stable extensions.code and keeps Go
// error text away from clients: only apperr messages, ent validation
// messages (written by our validators) and GraphQL's own parse and
// validation errors are shown; anything else becomes INTERNAL with the
// request id, and is logged with that id.
func ErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if _, coded := gqlErr.Extensions["code"]; coded && gqlErr.Err == nil {
			return gqlErr // gqlgen's own parse/validation errors
		}
		code, field, msg := classify(err)
		if code == apperr.Internal {
			id := reqctx.RequestID(ctx)
			logger.ErrorContext(ctx, "internal error", "request_id", id, "path", gqlErr.Path.String(), "err", err)
			msg = "internal error; quote request id " + id
		}
		out := &gqlerror.Error{
			Message:    msg,
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": string(code)},
		}
		if field != "" {
			out.Extensions["field"] = field
		}
		if code == apperr.Internal {
			out.Extensions["requestId"] = reqctx.RequestID(ctx)
		}
		return out
	}
}

func classify(err error) (code apperr.Code, field, msg string) {
	if e, ok := apperr.As(err); ok {
		return e.Code, e.Field, e.Message
	}
	var verr *ent.ValidationError
	if errors.As(err, &verr) {
		return apperr.BadUserInput, lowerCamel(verr.Name), validationMessage(verr)
	}
	var nf *ent.NotFoundError
	if errors.As(err, &nf) {
		return apperr.NotFound, "", strings.TrimPrefix(nf.Error(), "ent: ")
	}
	if ent.IsConstraintError(err) {
		return apperr.Conflict, "", "the change conflicts with existing data (a duplicate or a missing reference)"
	}
	if errors.Is(err, privacy.Deny) {
		return apperr.Forbidden, "", "you are not allowed to do this"
	}
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		return apperr.BadUserInput, "", gqlErr.Message
	}
	if strings.HasSuffix(err.Error(), "introspection disabled") { // gqlgen's own, a plain error
		return apperr.Forbidden, "", "introspection is disabled"
	}
	if dberr.Full(err) {
		return apperr.Unavailable, "", "the database is out of disk space; nothing was saved"
	}
	if dberr.Unavailable(err) {
		return apperr.Unavailable, "", "the database is unavailable; try again"
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return apperr.Unavailable, "", "the request was cancelled or took too long"
	}
	return apperr.Internal, "", ""
}

// validationMessage is the text of our own validator, without ent's
// "validator failed for field" preamble.
func validationMessage(verr *ent.ValidationError) string {
	if inner := errors.Unwrap(verr); inner != nil {
		return strings.ReplaceAll(inner.Error(), "\n", ": ")
	}
	return fmt.Sprintf("invalid value for %s", lowerCamel(verr.Name))
}

// lowerCamel turns ent's field name (model_year) into the GraphQL one (modelYear).
func lowerCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// Recover turns a panic in a resolver into an INTERNAL error (logged with
// its stack by the caller's logger) instead of killing the request.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "request_id", reqctx.RequestID(ctx), "panic", fmt.Sprint(p))
		return errors.New("panic")
	}
}
