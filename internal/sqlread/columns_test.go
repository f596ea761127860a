package sqlread

import (
	"context"
	"os"
	"regexp"
	"testing"

	"aftercare/ent"
	"aftercare/graph/generated"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Every field the compiler reads straight from a column must be one that
// gqlgen also reads straight from the entity: no resolver, no method. A
// field that gains a resolver (a masked value, a computed one) must leave
// the compiler, or the two answers would differ.
func TestCompiledColumnsHaveNoResolver(t *testing.T) {
	src, err := os.ReadFile("../../graph/generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	plain := map[string]bool{}
	re := regexp.MustCompile(`func \(ec \*executionContext\) fieldContext_(\w+?)_(\w+)\([^)]*\)[^{]*\{\n\treturn graphql\.NewScalarFieldContext\("\w+", field, false, false,`)
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		plain[m[1]+"."+m[2]] = true
	}
	if !plain["Owner.name"] || plain["Owner.pointsBalance"] {
		t.Fatal("the generated field contexts no longer read as expected; update the pattern")
	}
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	c := newCompiler(context.Background(), &Reader{schema: schema}, nil)
	compiled := 0
	for typeName := range ent.SQLTables {
		def := schema.Types[typeName]
		if def == nil {
			continue
		}
		for _, f := range def.Fields {
			field := graphql.CollectedField{Field: &ast.Field{Name: f.Name, Alias: f.Name, Definition: f}}
			if !fromEnt(field) {
				continue
			}
			if _, ok := c.column(typeName, "t", field); !ok {
				continue
			}
			compiled++
			if !plain[typeName+"."+f.Name] {
				t.Errorf("%s.%s is compiled from a column, but gqlgen resolves it", typeName, f.Name)
			}
		}
	}
	if compiled < 100 {
		t.Fatalf("only %d column fields compiled; the check found too little to mean anything", compiled)
	}
}
