package graph

import (
	"aftercare/graph/generated"

	"github.com/99designs/gqlgen/graphql"
)

// NewExecutableSchema wires the resolvers and directives into gqlgen's
// executor.
func NewExecutableSchema(r *Resolver) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers:  r,
		Directives: generated.DirectiveRoot{Pii: piiDirective},
	})
}
