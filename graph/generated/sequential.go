package generated

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceSequentially replaces graphql.MarshalSliceConcurrently in
// generated.go (ent/generate.go rewrites the calls after gqlgen runs). The
// original starts a goroutine for every element of every list of objects:
// about 1,300 per nested list of the benchmark (issue #9). Every edge is
// eager-loaded by entgql's field collection, so the elements only marshal
// rows already in memory, and a server under load gains nothing from
// running them in parallel; the goroutines, their wait group and their
// stacks were pure cost. Panics are recovered per element as before: the
// element becomes null and the error is reported. workerLimit is unused.
func marshalSliceSequentially(
	ctx context.Context,
	length int,
	_ int64,
	omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	ret := make(graphql.Array, length)
	if length == 0 {
		return ret
	}
	// One allocation for all the elements' field contexts and indexes.
	fcs := make([]graphql.FieldContext, length)
	idx := make([]int, length)
	for i := range length {
		idx[i] = i
		fcs[i].Index = &idx[i]
		childCtx := graphql.WithFieldContext(ctx, &fcs[i])
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		ret[i] = marshalRecovered(childCtx, i, marshalElement)
	}
	return ret
}

func marshalRecovered(ctx context.Context, i int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			ret = graphql.Null
		}
	}()
	return marshalElement(ctx, i)
}

// newDeferredGroup replaces graphql.NewDeferredGroup in generated.go
// (ent/generate.go rewrites the calls). gqlgen makes a group for every
// object it marshals, and the group's path (GetPath: a slice of path
// elements up to the root, each boxed in an interface) was a fifth of
// all allocations of the nested list (issue #9). The group is only used
// when one of the object's fields is under @defer; the bench and the apps
// use none, so without one the group stays empty: ResolveConcurrently
// touches it only for deferred fields, and an empty Defers map makes the
// object skip ProcessDeferredGroup.
func newDeferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for i := range fields {
		if fields[i].IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{Context: ctx}
}
