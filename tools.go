//go:build tools

// Package tools pins the code generators' versions in go.mod, so that
// `go generate ./...` produces the same code on every machine.
package tools

import (
	_ "entgo.io/contrib/entgql"
	_ "entgo.io/ent/cmd/ent"
	_ "github.com/99designs/gqlgen"
)
