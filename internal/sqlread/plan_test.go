package sqlread

import (
	"context"
	"os"
	"slices"
	"testing"

	"aftercare/ent"
	_ "aftercare/ent/runtime" // privacy policies
	"aftercare/graph/generated"
	"aftercare/internal/auth"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
)

// someOwner is a global id in the owners' range.
const someOwner = 21474836480

// Requests share a plan when they differ only in values that are bound
// per request, and never when a variable shapes the statement.
func TestPlanKeys(t *testing.T) {
	home, err := os.ReadFile("../../bench/compare/queries/aftercare/home.graphql")
	if err != nil {
		t.Fatal(err)
	}
	owner := &auth.Viewer{Kind: auth.KindOwner, OwnerID: someOwner, DealerGroupID: 4294967296}
	for _, tc := range []struct {
		name   string
		doc    string
		a, b   map[string]any
		shared bool
	}{
		{"a value is bound", string(home),
			map[string]any{"now": "2026-12-01T00:00:00Z"}, map[string]any{"now": "2026-12-24T08:00:00Z"}, true},
		{"a page size shapes the statement", `query($n: Int) { me { owner { vehicles(first: $n) { edges { node { id } } } } } }`,
			map[string]any{"n": int64(1)}, map[string]any{"n": int64(2)}, false},
		{"null removes a comparison", `query($p: String) { me { owner { vehicles(where: {plate: $p}) { edges { node { id } } } } } }`,
			map[string]any{"p": "A1"}, map[string]any{"p": nil}, false},
		{"node ids of one table", `query($id: ID!) { node(id: $id) { id } }`,
			map[string]any{"id": "38654705664"}, map[string]any{"id": "38654705700"}, true},
		{"node ids of two tables", `query($id: ID!) { node(id: $id) { id } }`,
			map[string]any{"id": "38654705664"}, map[string]any{"id": "21474836480"}, false},
		{"a variable that is a value and a page size", `query($n: Int!) { me { owner { vehicles(first: $n, where: {odometerKmGTE: $n}) { edges { node { id } } } } } }`,
			map[string]any{"n": int64(1)}, map[string]any{"n": int64(2)}, false},
		{"two values", `query($p: String, $k: Int) { me { owner { vehicles(where: {plateNEQ: $p, odometerKmLT: $k}) { edges { node { id } } } } } }`,
			map[string]any{"p": "A1", "k": int64(5)}, map[string]any{"p": "B2", "k": int64(9)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, op := reader(t, tc.doc, tc.a)
			p, _ := compilePlan(auth.NewContext(context.Background(), owner), r, op, owner)
			if p == nil {
				t.Fatal("did not compile")
			}
			bound := bindable(op, p)
			shared := varsKey(tc.a, bound) == varsKey(tc.b, bound)
			if shared != tc.shared {
				t.Fatalf("shared plan: %v, want %v (bound %v)", shared, tc.shared, bound)
			}
		})
	}
}

// Binding puts the request viewer's ids where the template's sentinels
// are: a plan compiled for one owner answers another with the other's ids.
func TestBindReplacesEverySentinel(t *testing.T) {
	home, err := os.ReadFile("../../bench/compare/queries/aftercare/home.graphql")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"now": "2026-12-01T00:00:00Z"}
	first := &auth.Viewer{Kind: auth.KindOwner, OwnerID: someOwner, DealerGroupID: 4294967296}
	other := &auth.Viewer{Kind: auth.KindOwner, OwnerID: someOwner + 7, DealerGroupID: 4294967296}
	r, op := reader(t, string(home), vars)
	p, _ := compilePlan(auth.NewContext(context.Background(), first), r, op, first)
	if p == nil {
		t.Fatal("did not compile")
	}
	args, ok := p.bind(other, vars)
	if !ok {
		t.Fatal("did not bind")
	}
	for _, a := range args {
		if n, isInt := a.(int); isInt && (n < 0 || n == first.OwnerID) {
			t.Fatalf("argument %d is not the request viewer's: %v", n, args)
		}
	}
	if !slices.Contains(args, any(other.OwnerID)) {
		t.Fatalf("the other owner's id is not among the arguments: %v", args)
	}
}

// reader returns a Reader over no database (compiling needs none) and the
// document's operation context.
func reader(t *testing.T, doc string, vars map[string]any) (*Reader, *graphql.OperationContext) {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	parsed, err := gqlparser.LoadQuery(schema, doc)
	if err != nil {
		t.Fatal(err)
	}
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialect.Postgres, nil)))
	op := &graphql.OperationContext{RawQuery: doc, Doc: parsed, Operation: parsed.Operations[0], Variables: vars}
	return &Reader{client: client, schema: schema, plans: newPlans(10)}, op
}
