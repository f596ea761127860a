// Package ent holds the data model's generated client. The model itself is
// hand-written in ent/schema; everything else here is generated.
package ent

// entc first: it writes schema/ent.graphql, which gqlgen then reads.
//go:generate go run -mod=mod ./entc.go
//go:generate sh -c "cd .. && go run -mod=mod github.com/99designs/gqlgen generate"
