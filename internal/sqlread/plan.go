package sqlread

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"aftercare/ent"
	"aftercare/internal/auth"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// A plan is a compiled statement kept for later requests: the same
// document and operation, a viewer of the same kind and role, and the same
// variables apart from those bound as arguments. Compiling costs more than
// running the statement (a quarter of the server's CPU on the nested list),
// and an app sends the same few documents all day.
//
// A plan is compiled for a template viewer whose ids are sentinels. The
// privacy filter puts the viewer's ids into the statement's arguments;
// binding puts the request viewer's ids where the sentinels are. Values
// the compiler read from the request (where comparisons, node ids) are
// params, read again from each request's arguments.
type plan struct {
	query string
	args  []any // constants, viewer sentinels (int) and *param
}

// param is an argument read from the request at bind time: field's
// argument arg, then the where key, then the list index (-1: none).
type param struct {
	field *ast.Field
	arg   string
	key   string
	index int
	kind  kind
}

func (p *param) value(vars map[string]any) (any, bool) {
	v := p.field.ArgumentMap(vars)[p.arg]
	if p.key != "" {
		m, _ := v.(map[string]any)
		v = m[p.key]
	}
	if p.index >= 0 {
		l, _ := v.([]any)
		if p.index >= len(l) {
			return nil, false
		}
		v = l[p.index]
	}
	return p.kind.value(v)
}

// astValue is the param's value in the document: a literal or $variable.
func (p *param) astValue() *ast.Value {
	a := p.field.Arguments.ForName(p.arg)
	if a == nil {
		return nil
	}
	v := a.Value
	if p.key != "" {
		if v == nil || v.Kind != ast.ObjectValue {
			return nil
		}
		v = v.Children.ForName(p.key)
	}
	if p.index >= 0 {
		if v == nil || v.Kind != ast.ListValue || p.index >= len(v.Children) {
			return nil
		}
		v = v.Children[p.index].Value
	}
	return v
}

// Sentinel ids of the template viewer: negative, so never a row's id.
const (
	sentinelOwner = -(1<<62 + iota)
	sentinelStaff
	sentinelStore
	sentinelGroup
)

func templateViewer(v *auth.Viewer) *auth.Viewer {
	t := &auth.Viewer{Kind: v.Kind, Role: v.Role}
	// Zero stays zero: "no owner record" and "no store" change the scope.
	for _, id := range []struct {
		real     int
		template *int
		sentinel int
	}{
		{v.OwnerID, &t.OwnerID, sentinelOwner}, {v.StaffID, &t.StaffID, sentinelStaff},
		{v.DealershipID, &t.DealershipID, sentinelStore}, {v.DealerGroupID, &t.DealerGroupID, sentinelGroup},
	} {
		if id.real != 0 {
			*id.template = id.sentinel
		}
	}
	return t
}

// bind returns the plan's arguments for this request; ok is false when a
// value no longer reads (the resolvers then answer, with their error).
func (p *plan) bind(v *auth.Viewer, vars map[string]any) ([]any, bool) {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		switch a := a.(type) {
		case *param:
			x, ok := a.value(vars)
			if !ok {
				return nil, false
			}
			args[i] = x
		case int:
			args[i] = a
			switch a {
			case sentinelOwner:
				args[i] = v.OwnerID
			case sentinelStaff:
				args[i] = v.StaffID
			case sentinelStore:
				args[i] = v.DealershipID
			case sentinelGroup:
				args[i] = v.DealerGroupID
			}
		default:
			args[i] = a
		}
	}
	return args, true
}

// plans caches plans. For each document (with operation and viewer shape)
// it keeps which variables are bound rather than part of the key, and
// whether the document cannot compile whatever its variables.
type plans struct {
	docs   *lru.LRU[boundVars]
	plans  *lru.LRU[*plan]
	failed *lru.LRU[bool] // documents, or documents with variables, that do not compile
}

// boundVars maps a variable bound as a param to how it enters the key:
// "" (only null or not), or "node" (the table its id is in).
type boundVars map[string]string

func newPlans(size int) *plans {
	return &plans{docs: lru.New[boundVars](size), plans: lru.New[*plan](size), failed: lru.New[bool](size)}
}

// lookup returns the statement for this request, compiling it on a miss.
func (r *Reader) lookup(ctx context.Context, op *graphql.OperationContext) (string, []any, bool) {
	v := auth.FromContext(ctx)
	doc := docKey(op, v)
	if bound, ok := r.plans.docs.Get(ctx, doc); ok {
		if p, ok := r.plans.plans.Get(ctx, doc+"\x00"+varsKey(op.Variables, bound)); ok {
			return r.use(p, v, op)
		}
	}
	if _, ok := r.plans.failed.Get(ctx, doc); ok {
		return "", nil, false
	}
	withValues := doc + "\x00" + varsKey(op.Variables, nil)
	if _, ok := r.plans.failed.Get(ctx, withValues); ok {
		return "", nil, false
	}
	p, byValue := compilePlan(ctx, r, op, v)
	switch {
	case p == nil && byValue:
		r.plans.failed.Add(ctx, withValues, true)
	case p == nil:
		r.plans.failed.Add(ctx, doc, true)
	default:
		bound := bindable(op, p)
		r.plans.docs.Add(ctx, doc, bound)
		r.plans.plans.Add(ctx, doc+"\x00"+varsKey(op.Variables, bound), p)
	}
	return r.use(p, v, op)
}

// docKey names the document, the operation and the viewer's shape.
func docKey(op *graphql.OperationContext, v *auth.Viewer) string {
	var b strings.Builder
	b.Grow(len(op.RawQuery) + len(op.OperationName) + 40)
	for _, s := range []string{op.RawQuery, op.OperationName, v.Kind.String(), string(v.Role)} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	b.WriteString(strconv.FormatBool(v.OwnerID != 0))
	b.WriteString(strconv.FormatBool(v.DealershipID != 0))
	return b.String()
}

func (r *Reader) use(p *plan, v *auth.Viewer, op *graphql.OperationContext) (string, []any, bool) {
	if p == nil {
		return "", nil, false
	}
	args, ok := p.bind(v, op.Variables)
	return p.query, args, ok
}

// compilePlan compiles for the template viewer. A nil plan: it does not
// compile, because of a value of this request (byValue) or whatever the
// values.
func compilePlan(ctx context.Context, r *Reader, op *graphql.OperationContext, v *auth.Viewer) (_ *plan, byValue bool) {
	st, ok, byValue := compile(auth.NewContext(ctx, templateViewer(v)), r, op)
	if !ok {
		return nil, byValue
	}
	query, args := st.Query()
	// A param written as a literal in the document is the same for every
	// request: keep its value instead of reading it again.
	for i, a := range args {
		if pa, ok := a.(*param); ok && !hasVariable(pa.astValue()) {
			args[i], _ = pa.value(op.Variables)
		}
	}
	return &plan{query: query, args: args}, false
}

// hasVariable reports whether a document value is or holds a $variable
// (nil: the value could not be located, so it is read per request).
func hasVariable(v *ast.Value) bool {
	if v == nil || v.Kind == ast.Variable {
		return true
	}
	for _, c := range v.Children {
		if hasVariable(c.Value) {
			return true
		}
	}
	return false
}

// bindable returns the variables that only ever stand for a param's value,
// so that requests differing in them share the plan. A variable used
// anywhere else (first, orderBy, a whole where, @include) stays in the key
// with its value.
func bindable(op *graphql.OperationContext, p *plan) boundVars {
	out := boundVars{}
	uses := map[string]int{}
	countVariables(op.Doc, uses)
	asParam := map[string]int{}
	for _, a := range p.args {
		pa, ok := a.(*param)
		if !ok {
			continue
		}
		if v := pa.astValue(); v != nil && v.Kind == ast.Variable {
			asParam[v.Raw]++
			if pa.arg == "id" && pa.key == "" {
				out[v.Raw] = "node"
			} else if _, set := out[v.Raw]; !set {
				out[v.Raw] = ""
			}
		}
	}
	for name := range out {
		if asParam[name] != uses[name] {
			delete(out, name)
		}
	}
	return out
}

// varsKey writes the variables as they shape the statement: bound ones as
// null or not (node ids: their table), the others in full.
func varsKey(vars map[string]any, bound boundVars) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		b.WriteString(name)
		b.WriteByte('=')
		val := vars[name]
		how, isBound := bound[name]
		switch {
		case isBound && val == nil:
			b.WriteString("null")
		case isBound && how == "node":
			id, _ := toID(val)
			table, _ := ent.NodeTable(id)
			b.WriteString("?" + table)
		case isBound:
			b.WriteString("?")
		default:
			j, _ := json.Marshal(val)
			b.Write(j)
		}
		b.WriteByte('\x00')
	}
	return b.String()
}

// countVariables counts each variable's uses in the document's operations
// and fragments, directives included.
func countVariables(doc *ast.QueryDocument, uses map[string]int) {
	var value func(v *ast.Value)
	value = func(v *ast.Value) {
		if v == nil {
			return
		}
		if v.Kind == ast.Variable {
			uses[v.Raw]++
		}
		for _, c := range v.Children {
			value(c.Value)
		}
	}
	directives := func(ds ast.DirectiveList) {
		for _, d := range ds {
			for _, a := range d.Arguments {
				value(a.Value)
			}
		}
	}
	var selections func(ss ast.SelectionSet)
	selections = func(ss ast.SelectionSet) {
		for _, s := range ss {
			switch s := s.(type) {
			case *ast.Field:
				for _, a := range s.Arguments {
					value(a.Value)
				}
				directives(s.Directives)
				selections(s.SelectionSet)
			case *ast.InlineFragment:
				directives(s.Directives)
				selections(s.SelectionSet)
			case *ast.FragmentSpread:
				directives(s.Directives)
			}
		}
	}
	for _, o := range doc.Operations {
		directives(o.Directives)
		selections(o.SelectionSet)
	}
	for _, f := range doc.Fragments {
		directives(f.Directives)
		selections(f.SelectionSet)
	}
}
