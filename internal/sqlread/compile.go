package sqlread

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"aftercare/ent"
	"aftercare/internal/access"
	"aftercare/internal/auth"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
)

// writer writes one SQL expression. Pieces are written in order into one
// builder, so that PostgreSQL's $n placeholders are numbered in the order
// they appear.
type writer func(b *sql.Builder)

// compiler turns one operation into one statement. Each method returns
// ok=false for anything it does not answer exactly as the resolvers would.
type compiler struct {
	ctx    context.Context
	r      *Reader
	op     *graphql.OperationContext
	viewer *auth.Viewer
	// checked are expressions that must not be NULL for the statement to be
	// the answer (a node that exists, the signed-in owner's row). They are
	// computed once, in the FROM clause, and named "checked"."cN".
	checked []writer
	aliases int
	// byValue is set when a value of this request (a node id, a page
	// size, a where value) is what the compiler refused: another request
	// with the same document may compile.
	byValue bool
	// columns are the columns read from each alias: each level's SELECT
	// lists only those, not every column of the table.
	columns map[string][]string
}

// compile returns the statement `SELECT data, found FROM …`, or ok=false
// and whether a value of the request was the reason.
func compile(ctx context.Context, r *Reader, op *graphql.OperationContext) (_ *sql.Builder, ok, byValue bool) {
	c := newCompiler(ctx, r, op)
	fields := graphql.CollectFields(op, op.Operation.SelectionSet, []string{"Query"})
	data, ok := c.object("Query", fields, c.rootField)
	if !ok {
		return nil, false, c.byValue
	}
	b := &sql.Builder{}
	b.SetDialect(dialect.Postgres)
	b.WriteString("SELECT ")
	data(b)
	b.WriteString(", ")
	if len(c.checked) == 0 {
		b.WriteString("true")
		return b, true, false
	}
	for i := range c.checked {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(fmt.Sprintf(`"checked"."c%d" IS NOT NULL`, i))
	}
	b.WriteString(" FROM (SELECT ")
	for i, w := range c.checked {
		if i > 0 {
			b.Comma()
		}
		w(b)
		b.WriteString(fmt.Sprintf(` AS "c%d"`, i))
	}
	// OFFSET 0 keeps PostgreSQL from pulling the subquery up, which would
	// compute each checked expression twice (once per use).
	b.WriteString(` OFFSET 0) AS "checked"`)
	return b, true, false
}

func newCompiler(ctx context.Context, r *Reader, op *graphql.OperationContext) *compiler {
	return &compiler{ctx: ctx, r: r, op: op, viewer: auth.FromContext(ctx), columns: map[string][]string{}}
}

// check computes w once and makes the answer depend on it not being NULL.
func (c *compiler) check(w writer) writer {
	i := len(c.checked)
	c.checked = append(c.checked, w)
	return func(b *sql.Builder) { b.WriteString(fmt.Sprintf(`"checked"."c%d"`, i)) }
}

func (c *compiler) alias() string {
	c.aliases++
	return fmt.Sprintf("l%d", c.aliases)
}

// use records that col of alias is read.
func (c *compiler) use(alias, col string) {
	if !slices.Contains(c.columns[alias], col) {
		c.columns[alias] = append(c.columns[alias], col)
	}
}

// object writes json_build_object over the collected fields, each value
// from field; keys are response names (GraphQL names, safe to quote).
func (c *compiler) object(typeName string, fields []graphql.CollectedField, field func(graphql.CollectedField) (writer, bool)) (writer, bool) {
	// json_build_object takes at most 100 arguments.
	if len(fields) == 0 || len(fields) > 50 {
		return nil, false
	}
	values := make([]writer, len(fields))
	for i, f := range fields {
		if f.IsDeferred() || len(f.Directives) > 0 {
			return nil, false
		}
		var ok bool
		if f.Name == "__typename" {
			values[i], ok = literal(typeName), true
		} else {
			values[i], ok = field(f)
		}
		if !ok {
			return nil, false
		}
	}
	return func(b *sql.Builder) {
		b.WriteString("json_build_object(")
		for i, f := range fields {
			if i > 0 {
				b.Comma()
			}
			b.WriteString(fmt.Sprintf("'%s', ", f.Alias))
			values[i](b)
		}
		b.WriteString(")")
	}, true
}

// literal writes a constant string (type names: no quotes inside).
func literal(s string) writer {
	return func(b *sql.Builder) { b.WriteString(fmt.Sprintf("'%s'::text", s)) }
}

func null(b *sql.Builder) { b.WriteString("NULL::json") }

// rootField answers me, node and the entity connections (owners,
// vehicles, …) generated from the ent schema.
func (c *compiler) rootField(f graphql.CollectedField) (writer, bool) {
	switch f.Name {
	case "me":
		return c.me(f)
	case "node":
		return c.node(f)
	}
	if !fromEnt(f) {
		return nil, false
	}
	typeName, ok := connectionOf(f)
	if !ok {
		return nil, false
	}
	return c.connection(typeName, f, nil)
}

// me answers the viewer's kind and owner record.
func (c *compiler) me(f graphql.CollectedField) (writer, bool) {
	fields := graphql.CollectFields(c.op, f.SelectionSet, []string{"Viewer"})
	return c.object("Viewer", fields, func(f graphql.CollectedField) (writer, bool) {
		switch f.Name {
		case "kind":
			return literal(c.viewer.Kind.String()), true
		case "owner":
			if !c.viewer.IsOwner() {
				return null, true
			}
			row, ok := c.row("Owner", f, c.viewer.OwnerID)
			if !ok {
				return nil, false
			}
			return c.check(row), true
		}
		return nil, false
	})
}

// node answers node(id:) for any entity; a node that does not exist or is
// hidden goes to the resolver, which reports it.
func (c *compiler) node(f graphql.CollectedField) (writer, bool) {
	id, ok := toID(f.ArgumentMap(c.op.Variables)["id"])
	table, known := ent.NodeTable(id)
	if !ok || !known {
		c.byValue = true
		return nil, false
	}
	bound := &param{field: f.Field, arg: "id", index: -1, kind: kindID}
	for typeName, t := range ent.SQLTables {
		if t.Name == table {
			row, ok := c.row(typeName, f, bound)
			if !ok {
				return nil, false
			}
			return c.check(row), true
		}
	}
	return nil, false
}

// row writes the JSON of one entity by id (an int or a *param), or NULL
// when the viewer may not see it.
func (c *compiler) row(typeName string, f graphql.CollectedField, id any) (writer, bool) {
	alias := c.alias()
	fields := graphql.CollectFields(c.op, f.SelectionSet, []string{typeName, "Node"})
	obj, ok := c.entity(typeName, alias, fields)
	if !ok {
		return nil, false
	}
	s, ok := c.selector(c.ctx, typeName, alias)
	if !ok {
		return nil, false
	}
	s.Where(sql.EQ(s.C("id"), id))
	return func(b *sql.Builder) {
		b.WriteString("(SELECT ")
		obj(b)
		b.WriteString(" FROM (")
		b.Join(s)
		b.WriteString(fmt.Sprintf(`) AS "%s")`, alias))
	}, true
}

// selector is ent's SELECT of the columns read from alias (and the id),
// under the viewer's privacy filter.
func (c *compiler) selector(ctx context.Context, typeName, alias string) (*sql.Selector, bool) {
	t, ok := ent.SQLTables[typeName]
	if !ok {
		return nil, false
	}
	c.use(alias, "id")
	s, err := t.Selector(ctx, c.r.client, c.columns[alias])
	return s, err == nil
}

// filterCtx is the context whose viewer ent's privacy filter reads for the
// rows of a connection. Every row the compiler reads passed the viewer's
// filter (or, by this rule, would have), so when the child table's filter
// is "its edge back to the parent leads to a row the viewer can see" (a
// work order's events), the parent row already proves it: the children
// are read unfiltered, with the system viewer. PostgreSQL otherwise checks
// the parent again for every child row (a fifth of the nested list's time).
func (c *compiler) filterCtx(typeName string, j *join) context.Context {
	if j == nil {
		return c.ctx
	}
	child, parent := ent.SQLTables[typeName].Name, ent.SQLTables[j.parentType].Name
	if access.ImpliedByParent(c.viewer, child, j.back, parent) {
		return auth.SystemContext(c.ctx)
	}
	return c.ctx
}

// entity writes one row of typeName, read from alias, as JSON.
func (c *compiler) entity(typeName, alias string, fields []graphql.CollectedField) (writer, bool) {
	return c.object(typeName, fields, func(f graphql.CollectedField) (writer, bool) {
		if !fromEnt(f) {
			return nil, false
		}
		if child, ok := connectionOf(f); ok {
			e, ok := edges[edgeKey{typeName, f.Name}]
			if !ok || e.child != child {
				return nil, false
			}
			return c.connection(child, f, &join{childColumn: e.column, back: e.back, parentType: typeName, parent: alias})
		}
		return c.column(typeName, alias, f)
	})
}

// column writes a plain column field in the form gqlgen would print it.
func (c *compiler) column(typeName, alias string, f graphql.CollectedField) (writer, bool) {
	if len(f.Definition.Arguments) > 0 || len(f.Definition.Directives) > 0 || len(f.SelectionSet) > 0 {
		return nil, false
	}
	col := columnName(f.Name)
	if !hasColumn(typeName, col) {
		return nil, false
	}
	k, ok := c.kind(f.Definition.Type)
	if !ok {
		return nil, false
	}
	c.use(alias, col)
	ref := fmt.Sprintf(`"%s"."%s"`, alias, col)
	if !slices.Contains(ent.SQLTables[typeName].Zeroed, col) {
		return func(b *sql.Builder) { k.write(b, ref) }, true
	}
	return func(b *sql.Builder) {
		b.WriteString("coalesce(")
		k.write(b, ref)
		b.WriteString(", " + k.zero() + ")")
	}, true
}

// join ties a connection's rows to the row of the enclosing entity.
type join struct {
	childColumn string
	back        string // the child's edge to the parent
	parentType  string
	parent      string // alias of the parent's row; its id is joined
}

// connection writes a Relay connection: {edges: [{node: …}]}.
func (c *compiler) connection(typeName string, f graphql.CollectedField, j *join) (writer, bool) {
	page, ok := c.page(typeName, f)
	if !ok {
		return nil, false
	}
	alias := c.alias()
	// The rows' SELECT is made once the fields below have said which
	// columns they read; the writers use it only when they write.
	var s *sql.Selector
	fields := graphql.CollectFields(c.op, f.SelectionSet, []string{typeName + "Connection"})
	obj, ok := c.object(typeName+"Connection", fields, func(f graphql.CollectedField) (writer, bool) {
		if f.Name != "edges" {
			return nil, false // pageInfo, totalCount: the resolvers answer
		}
		edge := graphql.CollectFields(c.op, f.SelectionSet, []string{typeName + "Edge"})
		obj, ok := c.object(typeName+"Edge", edge, func(f graphql.CollectedField) (writer, bool) {
			if f.Name != "node" {
				return nil, false // cursor
			}
			return c.entity(typeName, alias, graphql.CollectFields(c.op, f.SelectionSet, []string{typeName, "Node"}))
		})
		if !ok {
			return nil, false
		}
		return func(b *sql.Builder) {
			// json_agg takes the rows in the order of the subquery, which
			// orders and limits them. PostgreSQL's documentation says a
			// sorted subquery "will usually work" and names what breaks
			// it: more processing at the aggregate's level, such as a
			// join. This level has none. An ORDER BY inside json_agg
			// sorted each list a second time: 10% of the nested list's
			// time in PostgreSQL (docs/BENCHMARKS.md).
			b.WriteString("coalesce((SELECT json_agg(")
			obj(b)
			b.WriteString(") FROM (")
			b.Join(s)
			b.WriteString(fmt.Sprintf(`) AS "%s"), '[]'::json)`, alias))
		}, true
	})
	if !ok {
		return nil, false
	}
	if s, ok = c.selector(c.filterCtx(typeName, j), typeName, alias); !ok {
		return nil, false
	}
	if j != nil {
		s.Where(sql.ExprP(fmt.Sprintf(`%s = "%s"."id"`, s.C(j.childColumn), j.parent)))
	}
	page.apply(s)
	return obj, true
}

// fromEnt: fields that entgql generated (schema/ent.graphql) are columns
// and edges with no resolver of ours; hand-written schema files add fields
// with logic of their own (points balance, KPIs), which the resolvers
// answer.
func fromEnt(f graphql.CollectedField) bool {
	p := f.Definition.Position
	return p != nil && p.Src != nil && strings.HasSuffix(p.Src.Name, "ent.graphql")
}

// connectionOf returns X for a field of type XConnection(!) of an entity.
func connectionOf(f graphql.CollectedField) (string, bool) {
	name, found := strings.CutSuffix(f.Definition.Type.Name(), "Connection")
	if !found || f.Definition.Type.Elem != nil {
		return "", false
	}
	_, ok := ent.SQLTables[name]
	return name, ok
}
