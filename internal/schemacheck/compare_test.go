package schemacheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func mustLoad(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := LoadSchema([]*ast.Source{{Name: "test.graphql", Input: sdl}})
	if err != nil {
		t.Fatalf("schema does not load: %v\n%s", err, sdl)
	}
	return s
}

// summary is "SEVERITY path", with " (deprecated)" when a deprecation
// allowed the change.
func summary(changes []Change) []string {
	out := []string{}
	for _, c := range changes {
		s := c.Severity.String() + " " + c.Path
		if c.Deprecated {
			s += " (deprecated)"
		}
		out = append(out, s)
	}
	return out
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		want     []string
		// message, when set, must appear in the first change's message.
		message string
	}{
		{
			name: "no change",
			old:  `type Query { a: Int }`,
			new:  `type Query { a: Int }`,
			want: []string{},
		},
		{
			name: "added type and field are safe",
			old:  `type Query { a: Int }`,
			new:  `type Query { a: Int b: Foo } type Foo { x: Int }`,
			want: []string{"SAFE Foo", "SAFE Query.b"},
		},
		{
			name: "removed type breaks",
			old:  `type Query { a: Int } type Foo implements Node { id: ID! } interface Node { id: ID! }`,
			new:  `type Query { a: Int } interface Node { id: ID! }`,
			want: []string{"BREAKING Foo"},
		},
		{
			name: "removed field breaks",
			old:  `type Query { a: Int b: String }`,
			new:  `type Query { a: Int }`,
			want: []string{"BREAKING Query.b"},
		},
		{
			name:    "removed field that was deprecated is allowed",
			old:     `type Query { a: Int b: String @deprecated(reason: "use a") }`,
			new:     `type Query { a: Int }`,
			want:    []string{"DANGEROUS Query.b (deprecated)"},
			message: "use a",
		},
		{
			name: "removed type used by a removed non-deprecated field breaks",
			old:  `type Query { a: Int foo: Foo } type Foo { x: Int }`,
			new:  `type Query { a: Int }`,
			want: []string{"BREAKING Foo", "BREAKING Query.foo"},
		},
		{
			name: "removed type only deprecated fields used is allowed, transitively",
			old: `type Query { a: Int foo: Foo @deprecated bar(f: FooFilter @deprecated): Int }
				type Foo { x: Int sub: Sub } type Sub { y: Int } input FooFilter { x: Int }`,
			new:  `type Query { a: Int bar: Int }`,
			want: []string{"DANGEROUS Foo (deprecated)", "DANGEROUS FooFilter (deprecated)", "DANGEROUS Query.bar(f:) (deprecated)", "DANGEROUS Query.foo (deprecated)", "DANGEROUS Sub (deprecated)"},
		},
		{
			name:    "type that changes kind breaks",
			old:     `type Query { a: Foo } type Foo { x: Int }`,
			new:     `type Query { a: Foo } interface Foo { x: Int }`,
			want:    []string{"BREAKING Foo"},
			message: "changed from OBJECT to INTERFACE",
		},
		{
			name:    "changed output type breaks",
			old:     `type Query { a: Int }`,
			new:     `type Query { a: String }`,
			want:    []string{"BREAKING Query.a"},
			message: "type changed from Int to String",
		},
		{
			name: "output that becomes nullable breaks",
			old:  `type Query { a: Int! }`,
			new:  `type Query { a: Int }`,
			want: []string{"BREAKING Query.a"},
		},
		{
			name: "output that becomes a list breaks",
			old:  `type Query { a: Int }`,
			new:  `type Query { a: [Int] }`,
			want: []string{"BREAKING Query.a"},
		},
		{
			name: "list items that become nullable break",
			old:  `type Query { a: [Int!] }`,
			new:  `type Query { a: [Int] }`,
			want: []string{"BREAKING Query.a"},
		},
		{
			name: "stricter output is safe",
			old:  `type Query { a: Int b: [Int] }`,
			new:  `type Query { a: Int! b: [Int!]! }`,
			want: []string{"SAFE Query.a", "SAFE Query.b"},
		},
		{
			name: "changed type of a deprecated field is allowed",
			old:  `type Query { a: Int @deprecated(reason: "use b") b: String }`,
			new:  `type Query { a: String @deprecated(reason: "use b") b: String }`,
			want: []string{"DANGEROUS Query.a (deprecated)"},
		},
		{
			name: "removed argument breaks",
			old:  `type Query { a(x: Int, y: Int): Int }`,
			new:  `type Query { a(x: Int): Int }`,
			want: []string{"BREAKING Query.a(y:)"},
		},
		{
			name: "removed deprecated argument is allowed",
			old:  `type Query { a(x: Int, y: Int @deprecated(reason: "ignored")): Int }`,
			new:  `type Query { a(x: Int): Int }`,
			want: []string{"DANGEROUS Query.a(y:) (deprecated)"},
		},
		{
			name: "removed argument of a deprecated field is allowed",
			old:  `type Query { a(x: Int): Int @deprecated }`,
			new:  `type Query { a: Int @deprecated }`,
			want: []string{"DANGEROUS Query.a(x:) (deprecated)"},
		},
		{
			name: "changed argument type breaks",
			old:  `type Query { a(x: Int): Int }`,
			new:  `type Query { a(x: String): Int }`,
			want: []string{"BREAKING Query.a(x:)"},
		},
		{
			name:    "argument that becomes non-null breaks, even with a default",
			old:     `type Query { a(x: Int, y: Int = 1): Int }`,
			new:     `type Query { a(x: Int!, y: Int! = 1): Int }`,
			want:    []string{"BREAKING Query.a(x:)", "BREAKING Query.a(y:)"},
			message: "argument became non-null (Int to Int!)",
		},
		{
			name: "argument that becomes nullable is safe",
			old:  `type Query { a(x: Int!, y: [Int!]!): Int }`,
			new:  `type Query { a(x: Int, y: [Int]): Int }`,
			want: []string{"SAFE Query.a(x:)", "SAFE Query.a(y:)"},
		},
		{
			name: "new required argument breaks; optional or defaulted is safe",
			old:  `type Query { a: Int }`,
			new:  `type Query { a(x: Int!, y: Int, z: Int! = 3): Int }`,
			want: []string{"BREAKING Query.a(x:)", "SAFE Query.a(y:)", "SAFE Query.a(z:)"},
		},
		{
			name: "new required argument on a deprecated field is allowed",
			old:  `type Query { a: Int @deprecated }`,
			new:  `type Query { a(x: Int!): Int @deprecated }`,
			want: []string{"DANGEROUS Query.a(x:) (deprecated)"},
		},
		{
			name:    "changed argument default is dangerous",
			old:     `type Query { a(x: Int = 1): Int }`,
			new:     `type Query { a(x: Int = 2): Int }`,
			want:    []string{"DANGEROUS Query.a(x:)"},
			message: "default changed from 1 to 2",
		},
		{
			name: "removed input field breaks",
			old:  `type Query { a(in: In): Int } input In { x: Int y: Int }`,
			new:  `type Query { a(in: In): Int } input In { x: Int }`,
			want: []string{"BREAKING In.y"},
		},
		{
			name: "removed deprecated input field is allowed",
			old:  `type Query { a(in: In): Int } input In { x: Int y: Int @deprecated }`,
			new:  `type Query { a(in: In): Int } input In { x: Int }`,
			want: []string{"DANGEROUS In.y (deprecated)"},
		},
		{
			name: "input field type change and nullable to non-null break",
			old:  `type Query { a(in: In): Int } input In { x: Int y: Int }`,
			new:  `type Query { a(in: In): Int } input In { x: String y: Int! }`,
			want: []string{"BREAKING In.x", "BREAKING In.y"},
		},
		{
			name: "changed type of a deprecated input field is allowed",
			old:  `type Query { a(in: In): Int } input In { x: Int @deprecated }`,
			new:  `type Query { a(in: In): Int } input In { x: Int! @deprecated }`,
			want: []string{"DANGEROUS In.x (deprecated)"},
		},
		{
			name: "new required input field breaks; optional or defaulted is safe",
			old:  `type Query { a(in: In): Int } input In { x: Int }`,
			new:  `type Query { a(in: In): Int } input In { x: Int y: Int! z: Int w: Boolean! = false }`,
			want: []string{"BREAKING In.y", "SAFE In.w", "SAFE In.z"},
		},
		{
			name: "input that becomes @oneOf breaks",
			old:  `type Query { a(in: In): Int } input In { x: Int y: Int }`,
			new:  `type Query { a(in: In): Int } input In @oneOf { x: Int y: Int }`,
			want: []string{"BREAKING In"},
		},
		{
			name: "removed enum value breaks",
			old:  `type Query { a: E } enum E { A B }`,
			new:  `type Query { a: E } enum E { A }`,
			want: []string{"BREAKING E.B"},
		},
		{
			name: "removed deprecated enum value is allowed",
			old:  `type Query { a: E } enum E { A B @deprecated(reason: "never sent") }`,
			new:  `type Query { a: E } enum E { A }`,
			want: []string{"DANGEROUS E.B (deprecated)"},
		},
		{
			name: "added enum value is dangerous for outputs, safe for input-only enums",
			old:  `type Query { a(i: In): E } enum E { A } enum In { X }`,
			new:  `type Query { a(i: In): E } enum E { A B } enum In { X Y }`,
			want: []string{"DANGEROUS E.B", "SAFE In.Y"},
		},
		{
			name:    "removed interface breaks; added interface is dangerous",
			old:     `type Query { a: Foo } interface I { id: ID } interface J { id: ID } type Foo implements I { id: ID }`,
			new:     `type Query { a: Foo } interface I { id: ID } interface J { id: ID } type Foo implements J { id: ID }`,
			want:    []string{"BREAKING Foo", "DANGEROUS Foo"},
			message: "no longer implements I",
		},
		{
			name:    "removed union member breaks; added member is dangerous",
			old:     `type Query { a: U } union U = A | B type A { x: Int } type B { x: Int } type C { x: Int }`,
			new:     `type Query { a: U } union U = A | C type A { x: Int } type B { x: Int } type C { x: Int }`,
			want:    []string{"BREAKING U", "DANGEROUS U"},
			message: "member B was removed",
		},
		{
			name:    "newly deprecated field is safe",
			old:     `type Query { a: Int b: Int }`,
			new:     `type Query { a: Int b: Int @deprecated(reason: "use a") }`,
			want:    []string{"SAFE Query.b"},
			message: "field was deprecated: use a",
		},
		{
			name: "removed root type breaks",
			old:  `type Query { a: Int } type Mutation { m: Int }`,
			new:  `type Query { a: Int }`,
			want: []string{"BREAKING Mutation", "BREAKING schema.mutation"},
		},
		{
			name: "removed executable directive breaks, schema directive does not",
			old:  `directive @cached(ttl: Int) on FIELD directive @internal on FIELD_DEFINITION type Query { a: Int }`,
			new:  `type Query { a: Int }`,
			want: []string{"BREAKING @cached", "SAFE @internal"},
		},
		{
			name: "interface fields follow the object rules",
			old:  `type Query { n: Node } interface Node { id: ID! name: String } type T implements Node { id: ID! name: String }`,
			new:  `type Query { n: Node } interface Node { id: ID } type T implements Node { id: ID name: String }`,
			want: []string{"BREAKING Node.id", "BREAKING Node.name", "BREAKING T.id"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := Compare(mustLoad(t, tc.old), mustLoad(t, tc.new))
			got := summary(changes)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			sorted := slices.Clone(got)
			slices.Sort(sorted)
			if !slices.Equal(sorted, want) {
				t.Fatalf("changes:\n  got  %q\n  want %q\n%s", sorted, want, joinChanges(changes))
			}
			if tc.message != "" && !strings.Contains(changes[0].Message, tc.message) {
				t.Errorf("first change %q does not say %q", changes[0], tc.message)
			}
			for _, c := range changes {
				if c.Deprecated && c.Severity != Dangerous {
					t.Errorf("%s: a change allowed by a deprecation should be dangerous", c)
				}
			}
		})
	}
}

func TestCompareOrdersMostSevereFirst(t *testing.T) {
	changes := Compare(
		mustLoad(t, `type Query { a: Int b: Int c: E } enum E { X }`),
		mustLoad(t, `type Query { a: String c: E d: Int } enum E { X Y }`),
	)
	got := summary(changes)
	want := []string{"BREAKING Query.a", "BREAKING Query.b", "DANGEROUS E.Y", "SAFE Query.d"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if n := len(BreakingChanges(changes)); n != 2 {
		t.Errorf("BreakingChanges: %d, want 2", n)
	}
}

func TestCompareCurrentSchemaWithItself(t *testing.T) {
	root := repoRoot(t)
	a, err := LoadDir(root + "/" + SchemaDir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadDir(root + "/" + SchemaDir)
	if err != nil {
		t.Fatal(err)
	}
	if changes := Compare(a, b); len(changes) > 0 {
		t.Fatalf("a schema compared with itself has changes:\n%s", joinChanges(changes))
	}
}

func joinChanges(changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		b.WriteString("  " + c.String() + "\n")
	}
	return b.String()
}
