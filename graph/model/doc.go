// Package model holds GraphQL types that gqlgen generates and that have no ent counterpart.
package model
