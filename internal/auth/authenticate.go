package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"aftercare/internal/dberr"
)

// Resolver maps a verified Identity onto the application's records: it links
// an owner by uid or, on a first sign-in, by verified phone, and loads staff.
// The application implements it against the database.
//
// Returning an error that wraps ErrInvalidToken (say, for a disabled staff
// member) rejects the request with 401; any other error is a server failure.
// The returned viewer must be an owner or staff viewer.
type Resolver interface {
	Resolve(ctx context.Context, id *Identity) (*Viewer, error)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(ctx context.Context, id *Identity) (*Viewer, error)

// Resolve calls f.
func (f ResolverFunc) Resolve(ctx context.Context, id *Identity) (*Viewer, error) {
	return f(ctx, id)
}

// Errors that authenticate returns besides ErrInvalidToken. They tell the
// transport which status to answer with; their causes are for logs only.
var (
	errUnavailable = errors.New("auth: token verification unavailable")
	errResolve     = errors.New("auth: resolving the viewer failed")
)

// authenticate verifies rawToken with each verifier in turn and resolves the
// first Identity found; newFailure classifies its errors. Verifiers are tried
// in order because a deployment may accept more than one issuer (Firebase,
// plus the local signer in development): a token one verifier rejects may
// belong to the next.
func authenticate(ctx context.Context, rawToken string, verifiers []Verifier, resolve Resolver) (*Viewer, error) {
	if rawToken == "" {
		return nil, fmt.Errorf("%w: empty bearer token", ErrInvalidToken)
	}
	if len(verifiers) == 0 {
		return nil, fmt.Errorf("%w: no verifiers configured", errUnavailable)
	}
	var rejections, failures []error
	for _, v := range verifiers {
		id, err := v.Verify(ctx, rawToken)
		if err == nil {
			return resolveViewer(ctx, id, resolve)
		}
		if errors.Is(err, ErrInvalidToken) {
			rejections = append(rejections, err)
		} else {
			failures = append(failures, err)
		}
	}
	// If any verifier could not decide, the token may be valid: say so
	// rather than sign the user out.
	if len(failures) > 0 {
		return nil, fmt.Errorf("%w: %w", errUnavailable, errors.Join(failures...))
	}
	return nil, errors.Join(rejections...)
}

func resolveViewer(ctx context.Context, id *Identity, resolve Resolver) (*Viewer, error) {
	v, err := resolve.Resolve(ctx, id)
	switch {
	case errors.Is(err, ErrInvalidToken):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errResolve, err)
	case v == nil || (v.Kind != KindOwner && v.Kind != KindStaff):
		// A token must never yield a system or widget viewer: that would
		// be a privilege escalation by a resolver bug.
		return nil, fmt.Errorf("%w: resolver returned a %v viewer for a token", errResolve, kindOf(v))
	}
	return v, nil
}

func kindOf(v *Viewer) string {
	if v == nil {
		return "nil"
	}
	return v.Kind.String()
}

// Failure is an authentication failure as a client may see it. Error
// returns only the fixed Message, so passing a Failure to a transport that
// echoes errors (gqlgen's websocket init, for one) leaks nothing; the reason
// is in Cause, for logs only. errors.Is(f, ErrInvalidToken) works through
// Unwrap.
type Failure struct {
	Status  int    // HTTP status: 401, 503 or 500
	Code    string // GraphQL extensions.code
	Message string // fixed text, safe for clients
	Cause   error  // why; may name claims, never the token itself
}

func (f *Failure) Error() string { return f.Message }
func (f *Failure) Unwrap() error { return f.Cause }

// newFailure classifies an error from authenticate.
func newFailure(err error) *Failure {
	switch {
	case errors.Is(err, errUnavailable):
		return &Failure{Status: http.StatusServiceUnavailable, Code: "UNAVAILABLE", Message: "authentication is temporarily unavailable", Cause: err}
	case errors.Is(err, errResolve) && dberr.Unavailable(err):
		return &Failure{Status: http.StatusServiceUnavailable, Code: "UNAVAILABLE", Message: "the database is unavailable; try again", Cause: err}
	case errors.Is(err, errResolve):
		return &Failure{Status: http.StatusInternalServerError, Code: "INTERNAL", Message: "internal error", Cause: err}
	default:
		return &Failure{Status: http.StatusUnauthorized, Code: "UNAUTHENTICATED", Message: "invalid or expired token", Cause: err}
	}
}
