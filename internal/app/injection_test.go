package app_test

import (
	"fmt"
	"strings"
	"testing"

	"aftercare/ent/migrate"
	"aftercare/ent/staff"
	"aftercare/graph"
	"aftercare/internal/apitest"

	entschema "entgo.io/ent/dialect/sql/schema"
)

// injections are strings that break a query built by string concatenation,
// or widen a LIKE pattern that is not escaped.
var injections = []string{
	`' OR '1'='1`,
	`' OR 1=1 --`,
	`"; DROP TABLE owners; --`,
	`'); DELETE FROM vehicles; --`,
	`' UNION SELECT phone FROM owners --`,
	`%`, `x_y_z`, `%%`, `\`, `\%`, `*`,
	`$1`, `?`, `::text`,
	strings.Repeat("'", 4096),
}

// whereFilter is one string predicate of one connection's where input.
type whereFilter struct {
	root, field string
	list        bool // [String!] (In, NotIn)
	widening    bool // NEQ, NotIn, GT...: may match rows legitimately
}

// stringFilters lists every String predicate of every root connection's
// where input, read from the executable schema, so a new entity or field is
// covered without touching this test.
func stringFilters() []whereFilter {
	s := graph.NewExecutableSchema(&graph.Resolver{}).Schema()
	var out []whereFilter
	for _, f := range s.Query.Fields {
		where := f.Arguments.ForName("where")
		if where == nil {
			continue
		}
		for _, in := range s.Types[where.Type.Name()].Fields {
			if in.Type.Name() != "String" {
				continue
			}
			narrowing := !strings.HasSuffix(in.Name, "NEQ") && !strings.HasSuffix(in.Name, "NotIn") &&
				!strings.HasSuffix(in.Name, "GT") && !strings.HasSuffix(in.Name, "GTE") &&
				!strings.HasSuffix(in.Name, "LT") && !strings.HasSuffix(in.Name, "LTE")
			out = append(out, whereFilter{root: f.Name, field: in.Name, list: in.Type.Elem != nil, widening: !narrowing})
		}
	}
	return out
}

// Every string predicate of every where filter, given injection strings,
// answers without a SQL error, never matches a row that does not hold the
// string (LIKE wildcards are literal), never shows rows outside the
// viewer's scope, and changes nothing.
func TestWhereFiltersResistInjection(t *testing.T) {
	filters := stringFilters()
	if len(filters) < 50 {
		t.Fatalf("only %d string filters found in the schema", len(filters))
	}
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		viewers := map[string]string{"group admin": api.StaffToken(staff.RoleGroupAdmin, 0), "owner": api.OwnerToken(0)}
		for _, tok := range viewers {
			api.Do(tok, `{ me { kind } }`, nil) // the first sign-in links the account
		}
		before := snapshot(t, api)
		for who, tok := range viewers {
			totals := map[string]int{}
			for _, f := range filters {
				res := api.Do(tok, injectionQuery(f), injectionVars(f))
				if len(res.Errors) > 0 {
					t.Errorf("%s %s(where: {%s}): %+v", who, f.root, f.field, res.Errors)
					continue
				}
				var data map[string]struct{ TotalCount int }
				res.Decode(t, &data)
				if _, ok := totals[f.root]; !ok {
					totals[f.root] = scopedTotal(t, api, tok, f.root)
				}
				for alias, c := range data {
					if c.TotalCount > totals[f.root] || (!f.widening && c.TotalCount != 0) {
						t.Errorf("%s %s(where: {%s: injection %s}): %d rows of %d visible", who, f.root, f.field, alias, c.TotalCount, totals[f.root])
					}
				}
			}
		}
		if after := snapshot(t, api); after != before {
			t.Fatalf("the data changed:\nbefore %s\nafter  %s", before, after)
		}
		t.Logf("%d string filters x %d injections x %d viewers", len(filters), len(injections), len(viewers))
		// A NUL is refused before any filter runs.
		res := api.Do(viewers["owner"], `query($s: String) { owners(where: {nameContains: $s}) { totalCount } }`, map[string]any{"s": "a\x00"})
		if res.Code() != "BAD_USER_INPUT" {
			t.Errorf("NUL in a variable: %+v", res.Errors)
		}
		res = api.Do(viewers["owner"], `{ owners(where: {nameContains: "\u0000"}) { totalCount } }`, nil)
		if res.Code() != "BAD_USER_INPUT" {
			t.Errorf("NUL in a literal: %+v", res.Errors)
		}
	})
}

// injectionQuery asks the connection once per injection string, aliased.
func injectionQuery(f whereFilter) string {
	typ := "String"
	if f.list {
		typ = "[String!]"
	}
	var vars, sels []string
	for i := range injections {
		vars = append(vars, fmt.Sprintf("$v%d: %s", i, typ))
		sels = append(sels, fmt.Sprintf("i%d: %s(first: 1, where: {%s: $v%d}) { totalCount }", i, f.root, f.field, i))
	}
	return "query(" + strings.Join(vars, ", ") + ") { " + strings.Join(sels, " ") + " }"
}

func injectionVars(f whereFilter) map[string]any {
	vars := map[string]any{}
	for i, s := range injections {
		if f.list {
			vars[fmt.Sprintf("v%d", i)] = []string{s}
		} else {
			vars[fmt.Sprintf("v%d", i)] = s
		}
	}
	return vars
}

func scopedTotal(t *testing.T, api *apitest.API, tok, root string) int {
	t.Helper()
	var data map[string]struct{ TotalCount int }
	api.Do(tok, "{ "+root+"(first: 1) { totalCount } }", nil).Decode(t, &data)
	return data[root].TotalCount
}

// snapshot is the row count and a digest of the rows of every table, read
// directly from the database (on SQLite, the latest change stands in for a
// digest of the rows).
func snapshot(t *testing.T, api *apitest.API) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range migrate.Tables {
		var n int
		var sum string
		digest := "SELECT COUNT(*), COALESCE(MD5(STRING_AGG(t::text, ',' ORDER BY t.id)), '') FROM " + tbl.Name + " t"
		if api.App.DB.Dialect == "sqlite3" {
			digest = "SELECT COUNT(*), COALESCE(MAX(updated_at), '') FROM " + tbl.Name
			if !hasColumn(tbl, "updated_at") {
				digest = "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM " + tbl.Name
			}
		}
		if err := api.App.DB.SQL.QueryRow(digest).Scan(&n, &sum); err != nil {
			t.Fatalf("snapshot %s: %v", tbl.Name, err)
		}
		fmt.Fprintf(&b, "%s=%d/%s ", tbl.Name, n, sum)
	}
	return b.String()
}

func hasColumn(t *entschema.Table, name string) bool {
	for _, c := range t.Columns {
		if c.Name == name {
			return true
		}
	}
	return false
}
