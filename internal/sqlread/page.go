package sqlread

import (
	"maps"
	"slices"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// The resolvers' page bounds (internal/httpserver pageLimits): a page the
// client did not size holds 50; other sizes go to the resolvers, which
// refuse them.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// page is a connection's arguments as SQL: filter, order and size.
type page struct {
	where []comparison
	order []orderTerm
	first int
}

// comparison is one where key: column, operator and the value(s), as
// params read from each request.
type comparison struct {
	column, op string
	value      *param
	values     []any // In, NotIn: *param each
}

type orderTerm struct {
	column string
	desc   bool
}

// page reads first, where and orderBy the way entgql's Paginate applies
// them. Cursors, last, and the where operators other than comparisons
// (and/or/not, edges, string matching) are left to the resolvers.
func (c *compiler) page(typeName string, f graphql.CollectedField) (page, bool) {
	p := page{first: defaultPageSize}
	for name, v := range f.ArgumentMap(c.op.Variables) {
		if v == nil {
			continue
		}
		var ok bool
		switch name {
		case "first":
			p.first, ok = toInt(v)
			ok = ok && p.first >= 0 && p.first <= maxPageSize
		case "where":
			p.where, ok = c.where(typeName, f.Field, v)
		case "orderBy":
			p.order, ok = orderBy(typeName, v)
		}
		if !ok {
			c.byValue = c.byValue || name != "orderBy"
			return page{}, false
		}
	}
	// entgql orders by the field, then by id in the same direction.
	if len(p.order) == 0 || p.order[0].column != "id" {
		desc := len(p.order) > 0 && p.order[0].desc
		p.order = append(p.order, orderTerm{column: "id", desc: desc})
	}
	return p, true
}

func (p page) apply(s *sql.Selector) {
	for _, w := range p.where {
		s.Where(w.predicate(s.C(w.column)))
	}
	for _, o := range p.order {
		if o.desc {
			s.OrderBy(sql.Desc(s.C(o.column)))
		} else {
			s.OrderBy(sql.Asc(s.C(o.column)))
		}
	}
	s.Limit(p.first)
}

// orderBy reads {field: STARTS_AT, direction: DESC}; entgql names order
// fields after their columns.
func orderBy(typeName string, v any) ([]orderTerm, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	field, _ := m["field"].(string)
	col := strings.ToLower(field)
	if !hasColumn(typeName, col) {
		return nil, false
	}
	switch dir := m["direction"]; dir {
	case nil, "ASC":
		return []orderTerm{{column: col}}, true
	case "DESC":
		return []orderTerm{{column: col, desc: true}}, true
	}
	return nil, false
}

// whereOps are the suffixes of entgql's comparison predicates, longest
// first so that "NotIn" is not read as "In".
var whereOps = []string{"NotNil", "IsNil", "NotIn", "NEQ", "GTE", "LTE", "GT", "LT", "In", ""}

// where reads a WhereInput of comparisons on plain columns, such as
// {startsAtGT: $now, statusIn: [requested, confirmed]}.
func (c *compiler) where(typeName string, field *ast.Field, v any) ([]comparison, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	var out []comparison
	// In key order, so that the same document gives the same SQL text
	// (pgx caches prepared statements by text).
	for _, key := range slices.Sorted(maps.Keys(m)) {
		cmp, filters, ok := c.comparison(typeName, field, key, m[key])
		if !ok {
			return nil, false
		}
		if filters {
			out = append(out, cmp)
		}
	}
	return out, true
}

// comparison reads one where key. filters is false for a key that filters
// nothing, as entgql treats null, false and empty lists.
func (c *compiler) comparison(typeName string, field *ast.Field, key string, val any) (cmp comparison, filters, ok bool) {
	for _, op := range whereOps {
		name, found := strings.CutSuffix(key, op)
		if !found || name == "" {
			continue
		}
		col := columnName(name)
		k, ok := c.fieldKind(typeName, name)
		if !ok || !hasColumn(typeName, col) {
			continue
		}
		return read(comparison{column: col, op: op}, val, param{field: field, arg: "where", key: key, index: -1, kind: k})
	}
	return comparison{}, false, false
}

// read checks the value as the request gives it now, and keeps where it
// came from (at) to read it again for each request that reuses the plan.
func read(cmp comparison, val any, at param) (comparison, bool, bool) {
	switch cmp.op {
	case "IsNil", "NotNil":
		set, ok := val.(bool)
		return cmp, ok && set, ok
	case "In", "NotIn":
		list, ok := val.([]any)
		if !ok {
			return cmp, false, false
		}
		cmp.values = make([]any, len(list))
		for i, item := range list {
			if _, ok := at.kind.value(item); !ok {
				return cmp, false, false
			}
			p := at
			p.index = i
			cmp.values[i] = &p
		}
		return cmp, len(list) > 0, true
	}
	if val == nil {
		return cmp, false, true
	}
	if _, ok := at.kind.value(val); !ok {
		return cmp, false, false
	}
	cmp.value = &at
	return cmp, true, true
}

// predicate is the comparison on the qualified column.
func (cmp comparison) predicate(col string) *sql.Predicate {
	switch cmp.op {
	case "IsNil":
		return sql.IsNull(col)
	case "NotNil":
		return sql.NotNull(col)
	case "In":
		return sql.In(col, cmp.values...)
	case "NotIn":
		return sql.NotIn(col, cmp.values...)
	}
	return map[string]func(string, any) *sql.Predicate{
		"": sql.EQ, "NEQ": sql.NEQ, "GT": sql.GT, "GTE": sql.GTE, "LT": sql.LT, "LTE": sql.LTE,
	}[cmp.op](col, cmp.value)
}
