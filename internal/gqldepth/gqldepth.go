// Package gqldepth measures how deeply a GraphQL operation nests fields,
// the measure the server's depth limit and the client kits' check share.
package gqldepth

import "github.com/vektah/gqlparser/v2/ast"

// Of returns the depth of a selection set: each field adds a level,
// fragments add none. A fragment cycle (which validation refuses anyway)
// cannot loop.
func Of(set ast.SelectionSet) int {
	return depth(set, map[string]bool{})
}

func depth(set ast.SelectionSet, visiting map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			d = 1 + depth(s.SelectionSet, visiting)
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			d = depth(s.Definition.SelectionSet, visiting)
			delete(visiting, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}
