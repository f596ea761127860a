package gqldepth

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func operation(t *testing.T, doc string) ast.SelectionSet {
	t.Helper()
	q, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil {
		t.Fatal(err)
	}
	// Link spreads to their definitions, as validation does.
	var link func(ast.SelectionSet)
	link = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				link(s.SelectionSet)
			case *ast.InlineFragment:
				link(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition == nil {
					s.Definition = q.Fragments.ForName(s.Name)
					if s.Definition != nil {
						link(s.Definition.SelectionSet)
					}
				}
			}
		}
	}
	link(q.Operations[0].SelectionSet)
	return q.Operations[0].SelectionSet
}

func bomb(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { ...F%d } fragment F0 on Query { me { kind } }\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

func TestDepthAndFields(t *testing.T) {
	cases := []struct {
		doc           string
		depth, fields int
	}{
		{`{ me { kind } }`, 2, 2},
		{`{ a { b { c } } d }`, 3, 4},
		{`{ ...F } fragment F on Query { a { b } }`, 2, 2},
		{`{ ... on Query { a { b } } c }`, 2, 3},
		{`{ a { ...F } } fragment F on A { b ...G } fragment G on A { c { d } }`, 3, 4},
		{`{ ...A } fragment A on Query { x ...B } fragment B on Query { y ...A }`, 1, 2}, // a cycle stops
		{bomb(3), 2, 16},
		{bomb(40), 2, 1 << 40}, // capped; answers at once
		{bomb(60), 2, 1 << 40},
	}
	for _, c := range cases {
		set := operation(t, c.doc)
		if d, f := Of(set), Fields(set); d != c.depth || f != c.fields {
			t.Errorf("%.60q: depth %d fields %d, want %d and %d", c.doc, d, f, c.depth, c.fields)
		}
	}
}
