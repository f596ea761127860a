// Package reqctx carries the request id through a request's context, so that
// logs and error responses can be matched.
package reqctx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

type key struct{}

// WithRequestID stores id in ctx.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// RequestID returns the id stored in ctx, or "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// NewID returns a random 16-hex-digit request id.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
