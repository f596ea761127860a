package httpserver

import (
	"context"
	"fmt"

	"aftercare/internal/apperr"

	"github.com/99designs/gqlgen/graphql"
)

// Page sizes of Relay connections.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// pageLimits bounds every connection: a page is at most maxPageSize, and a
// request that names no page size gets defaultPageSize instead of every
// row. Complexity and depth limits bound how many fields a query asks for;
// this bounds how many rows each list may return.
func pageLimits(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Args == nil {
		return next(ctx)
	}
	first, hasFirst := fc.Args["first"].(*int)
	last, hasLast := fc.Args["last"].(*int)
	if !hasFirst || !hasLast {
		return next(ctx)
	}
	for name, n := range map[string]*int{"first": first, "last": last} {
		if n != nil && (*n < 0 || *n > maxPageSize) {
			return nil, apperr.Input(name, fmt.Sprintf("a page holds 0 to %d items", maxPageSize))
		}
	}
	if first == nil && last == nil {
		n := defaultPageSize
		fc.Args["first"] = &n
	}
	return next(ctx)
}
