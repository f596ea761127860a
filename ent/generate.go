// Package ent holds the data model's generated client. The model itself is
// hand-written in ent/schema; everything else here is generated.
package ent

// entc first: it writes schema/ent.graphql, which gqlgen then reads.
//go:generate go run -mod=mod ./entc.go
//go:generate sh -c "cd .. && go run -mod=mod github.com/99designs/gqlgen generate"
// gqlgen marshals every list of objects with a goroutine per element; the
// lists are eager-loaded rows in memory, so run them in turn instead. And
// it computes every object's path for @defer, which nothing uses without
// @defer. graph/generated/sequential.go says why (issue #9).
//go:generate sed -i -e s/graphql[.]MarshalSliceConcurrently(/marshalSliceSequentially(/ -e "s/graphql[.]NewDeferredGroup(ctx)/newDeferredGroup(ctx, fields)/" ../graph/generated/generated.go
