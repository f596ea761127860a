// Package sqlread answers read-only GraphQL queries on PostgreSQL with one
// SQL statement that builds the whole response in the database, as
// PostGraphile does, instead of resolving and marshalling field by field.
//
// It compiles only what it can answer exactly as the resolvers would: plain
// column fields of ent entities, their connections (first, where with
// comparison operators, orderBy), and the roots me.owner, node(id) and the
// entity connections. Each level's SELECT is ent's own (SQLSelector), so the
// viewer's privacy filter is the same one the resolvers run under. A
// compiled statement is kept and reused with each request's viewer and
// values bound (plan.go). Any other document, or any part it does not
// know, goes to gqlgen's executor unchanged; so does a viewer that is
// neither an owner nor staff.
//
// Why: on the owner app's home screen and on nested lists, gqlgen's
// per-field execution and one statement per level cost twice PostGraphile's
// CPU per request (docs/BENCHMARKS.md, issue #9).
package sqlread

import (
	"context"
	"encoding/json"
	"log/slog"

	"aftercare/ent"
	"aftercare/internal/auth"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Reader compiles and runs queries for one database.
type Reader struct {
	// client builds each level's SELECT under the viewer's privacy policy;
	// reads runs the statement (store.DB.Reads: generic plans).
	client *ent.Client
	reads  dialect.Driver
	schema *ast.Schema
	log    *slog.Logger
	plans  *plans
}

// New returns a Reader for a PostgreSQL-backed client, the driver that runs
// its statements, and the API's schema.
func New(client *ent.Client, reads dialect.Driver, schema *ast.Schema, log *slog.Logger) *Reader {
	return &Reader{client: client, reads: reads, schema: schema, log: log, plans: newPlans(1000)}
}

// Middleware is a gqlgen operation middleware: it answers the queries it can
// compile and hands every other operation to next.
func (r *Reader) Middleware(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if op.Operation == nil || op.Operation.Operation != ast.Query || !supportedViewer(auth.FromContext(ctx)) {
		return next(ctx)
	}
	data, ok := r.Answer(ctx, op)
	if !ok {
		return next(ctx)
	}
	return graphql.OneShot(&graphql.Response{Data: data})
}

// Answer returns the operation's data when it can be answered with one
// statement. ok is false when it cannot: the document has a part the
// compiler does not know, a node or the signed-in owner was not found (the
// resolvers then give the proper error), or the statement failed.
func (r *Reader) Answer(ctx context.Context, op *graphql.OperationContext) (json.RawMessage, bool) {
	query, args, ok := r.lookup(ctx, op)
	if !ok {
		return nil, false
	}
	var rows sql.Rows
	err := r.reads.Query(ctx, query, args, &rows)
	if err != nil {
		r.failed(ctx, err)
		return nil, false
	}
	defer rows.Close()
	var data []byte
	var found bool
	if rows.Next() {
		err = rows.Scan(&data, &found)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		r.failed(ctx, err)
		return nil, false
	}
	// In place: compact never writes past the byte it is reading.
	return compact(data[:0], data), found
}

// failed logs a statement that did not run; the resolvers then answer. The
// error text holds no values: arguments are sent apart from the SQL.
func (r *Reader) failed(ctx context.Context, err error) {
	if ctx.Err() == nil {
		r.log.WarnContext(ctx, "compiled read failed; resolving field by field", "err", err)
	}
}

// supportedViewer: owners with an owner record and staff. Widgets and
// anonymous callers have root-field rules of their own (restrictWidgets).
func supportedViewer(v *auth.Viewer) bool {
	return (v.IsOwner() && v.OwnerID != 0) || v.IsStaff()
}
