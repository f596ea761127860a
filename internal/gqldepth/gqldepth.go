// Package gqldepth measures how deeply a GraphQL operation nests fields and
// how many fields it selects with its fragments expanded: the measures the
// server's limits and the client kits' check share. Both remember each
// fragment's figure, so a document whose fragments spread each other
// twice over (2^n fields in n fragments) is measured in linear time.
package gqldepth

import "github.com/vektah/gqlparser/v2/ast"

// Of returns the depth of a selection set: each field adds a level,
// fragments add none. A fragment cycle (which validation refuses anyway)
// cannot loop.
func Of(set ast.SelectionSet) int {
	return measure(set, depthOf, map[string]int{}, map[string]bool{})
}

// Fields returns how many fields a selection set selects, every fragment
// spread counted in full, capped at 1<<40 so that it cannot overflow.
func Fields(set ast.SelectionSet) int {
	return measure(set, sizeOf, map[string]int{}, map[string]bool{})
}

const fieldCap = 1 << 40

// combine folds one selection's figure into the set's: the deepest for
// depth, the sum for size. field says whether the selection is a field
// (child is then its sub-selection's figure).
type combine func(acc, child int, field bool) int

func depthOf(acc, child int, field bool) int {
	if field {
		child++
	}
	return max(acc, child)
}

func sizeOf(acc, child int, field bool) int {
	if field {
		child++
	}
	return min(acc+child, fieldCap)
}

func measure(set ast.SelectionSet, fold combine, memo map[string]int, visiting map[string]bool) int {
	acc := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			acc = fold(acc, measure(s.SelectionSet, fold, memo, visiting), true)
		case *ast.InlineFragment:
			acc = fold(acc, measure(s.SelectionSet, fold, memo, visiting), false)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			v, ok := memo[s.Name]
			if !ok {
				visiting[s.Name] = true
				v = measure(s.Definition.SelectionSet, fold, memo, visiting)
				delete(visiting, s.Name)
				memo[s.Name] = v
			}
			acc = fold(acc, v, false)
		}
	}
	return acc
}
