package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Middleware authenticates requests that carry `Authorization: Bearer
// <token>` and stores the resulting Viewer in the request context.
//
// A request without an Authorization header passes through untouched, so it
// is anonymous unless an earlier middleware (the widget key one) set a
// viewer. Other schemes pass through the same way, as they are not ours to
// judge. Otherwise a failure is answered as a GraphQL-shaped JSON error (see
// Failure: 401 for a bad token, 503 when it could not be checked, 500 when
// the resolver failed) and its cause is logged. A nil logger means
// slog.Default().
func Middleware(verifiers []Verifier, resolve Resolver, logger *slog.Logger) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	verifiers = append([]Verifier(nil), verifiers...) // caller may reuse its slice
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			header := r.Header.Get("Authorization")
			if header == "" {
				next.ServeHTTP(w, r)
				return
			}
			token, isBearer := bearerToken(header)
			if !isBearer {
				next.ServeHTTP(w, r)
				return
			}
			ctx := r.Context()
			viewer, err := authenticate(ctx, token, verifiers, resolve)
			if err != nil {
				writeFailure(ctx, w, logger, newFailure(err))
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(ctx, viewer)))
		})
	}
}

// bearerToken extracts the token of a "Bearer <token>" credential. The
// scheme is case-insensitive (RFC 7235). ok is false for other schemes; an
// empty token with the Bearer scheme is returned as "" with ok true, so that
// it is rejected rather than ignored.
func bearerToken(credential string) (token string, ok bool) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(credential), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

func writeFailure(ctx context.Context, w http.ResponseWriter, logger *slog.Logger, f *Failure) {
	// Rejected tokens are routine (expiry); failures on our side are not.
	level := slog.LevelInfo
	if f.Status >= 500 {
		level = slog.LevelError
	}
	logger.LogAttrs(ctx, level, "authentication failed",
		slog.Int("status", f.Status), slog.String("error", f.Cause.Error()))

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if f.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	w.WriteHeader(f.Status)
	// Fixed strings only: nothing from the token or the cause is echoed.
	fmt.Fprintf(w, `{"errors":[{"message":%q,"extensions":{"code":%q}}]}`+"\n", f.Message, f.Code)
}
