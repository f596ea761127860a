package sqlread

import (
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
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
	where []*sql.Predicate
	order []orderTerm
	first int
}

type orderTerm struct {
	column string
	desc   bool
}

// page reads first, where and orderBy the way entgql's Paginate applies
// them. Cursors, last, and the where operators other than comparisons
// (and/or/not, edges, string matching) are left to the resolvers.
func (c *compiler) page(typeName string, f graphql.CollectedField, s *sql.Selector) (page, bool) {
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
			p.where, ok = c.where(typeName, v, s)
		case "orderBy":
			p.order, ok = orderBy(typeName, v)
		}
		if !ok {
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
		s.Where(w)
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

// orderBy writes the same order over the page's rows under alias, for
// json_agg: a subquery's ORDER BY does not order an aggregate.
func (p page) orderBy(b *sql.Builder, alias string) {
	for i, o := range p.order {
		if i > 0 {
			b.Comma()
		}
		dir := "ASC"
		if o.desc {
			dir = "DESC"
		}
		b.WriteString(fmt.Sprintf(`"%s"."%s" %s`, alias, o.column, dir))
	}
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
func (c *compiler) where(typeName string, v any, s *sql.Selector) ([]*sql.Predicate, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	var ps []*sql.Predicate
	for key, val := range m {
		p, ok := c.comparison(typeName, key, val, s)
		if !ok {
			return nil, false
		}
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps, true
}

// comparison is one where key. A nil predicate with ok means the key
// filters nothing, as entgql treats null, false and empty lists.
func (c *compiler) comparison(typeName, key string, val any, s *sql.Selector) (*sql.Predicate, bool) {
	for _, op := range whereOps {
		field, found := strings.CutSuffix(key, op)
		if !found || field == "" {
			continue
		}
		col := columnName(field)
		k, ok := c.fieldKind(typeName, field)
		if !ok || !hasColumn(typeName, col) {
			continue
		}
		return comparisonOn(s.C(col), op, k, val)
	}
	return nil, false
}

func comparisonOn(col, op string, k kind, val any) (*sql.Predicate, bool) {
	switch op {
	case "IsNil", "NotNil":
		set, ok := val.(bool)
		if !ok || !set {
			return nil, ok
		}
		if op == "IsNil" {
			return sql.IsNull(col), true
		}
		return sql.NotNull(col), true
	case "In", "NotIn":
		list, ok := val.([]any)
		if !ok {
			return nil, false
		}
		if len(list) == 0 {
			return nil, true
		}
		vals := make([]any, len(list))
		for i, item := range list {
			if vals[i], ok = k.value(item); !ok {
				return nil, false
			}
		}
		if op == "In" {
			return sql.In(col, vals...), true
		}
		return sql.NotIn(col, vals...), true
	}
	if val == nil {
		return nil, true
	}
	x, ok := k.value(val)
	if !ok {
		return nil, false
	}
	cmp := map[string]func(string, any) *sql.Predicate{
		"": sql.EQ, "NEQ": sql.NEQ, "GT": sql.GT, "GTE": sql.GTE, "LT": sql.LT, "LTE": sql.LTE,
	}[op]
	return cmp(col, x), true
}
