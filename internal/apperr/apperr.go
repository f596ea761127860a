// Package apperr defines the errors that the domain returns to clients. Each
// carries a stable code (the GraphQL extensions.code) and, for bad input, the
// field at fault. Anything that is not an *Error is an internal error and its
// text never reaches a client.
package apperr

import (
	"errors"
	"fmt"
)

// Code is the stable, machine-readable kind of an error.
type Code string

// The codes clients can rely on; see docs/API.md.
const (
	BadUserInput    Code = "BAD_USER_INPUT"
	NotFound        Code = "NOT_FOUND"
	Conflict        Code = "CONFLICT"
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	RateLimited     Code = "RATE_LIMITED"
	SlotFull        Code = "SLOT_FULL"
	Unavailable     Code = "UNAVAILABLE"
	Internal        Code = "INTERNAL"

	// InsufficientPoints: a points redemption above the owner's balance.
	InsufficientPoints Code = "INSUFFICIENT_POINTS"
)

// Error is a client-facing error.
type Error struct {
	Code    Code
	Field   string // the input field at fault, for BAD_USER_INPUT
	Message string // safe to show to the client
	Err     error  // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Input reports a bad value in one input field.
func Input(field, message string) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: message}
}

// NotFoundf reports a missing (or invisible) object.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Code: NotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflictf reports a request that clashes with the current state.
func Conflictf(format string, args ...any) *Error {
	return &Error{Code: Conflict, Message: fmt.Sprintf(format, args...)}
}

// Forbiddenf reports an action the viewer may not take.
func Forbiddenf(format string, args ...any) *Error {
	return &Error{Code: Forbidden, Message: fmt.Sprintf(format, args...)}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
