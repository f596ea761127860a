package schemacheck

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Severity says what a schema change does to existing clients.
type Severity int

const (
	// Safe changes cannot break a client: added types and fields, added
	// optional arguments, an output that became non-null, an argument that
	// became nullable, a new deprecation.
	Safe Severity = iota
	// Dangerous changes are valid for every existing document but may
	// change what a client sees: an added enum value or union member, a
	// changed default, the removal of something that was deprecated first.
	Dangerous
	// Breaking changes make existing documents invalid or let the server
	// send what a client cannot read.
	Breaking
)

func (s Severity) String() string {
	switch s {
	case Safe:
		return "SAFE"
	case Dangerous:
		return "DANGEROUS"
	case Breaking:
		return "BREAKING"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// Change is one difference between two schemas.
type Change struct {
	Severity Severity
	// Path names what changed: Type, Type.field, Type.field(arg:),
	// Input.field, Enum.value or @directive.
	Path    string
	Message string
	// Deprecated is set when the change would be breaking but the old
	// schema had deprecated what it removes or changes (deprecate first,
	// remove later). Such a change is reported as Dangerous.
	Deprecated bool
}

func (c Change) String() string {
	return fmt.Sprintf("%-9s %s: %s", c.Severity, c.Path, c.Message)
}

// BreakingChanges returns the changes that break clients.
func BreakingChanges(changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if c.Severity == Breaking {
			out = append(out, c)
		}
	}
	return out
}

// Compare lists the changes from the old schema to the new one, the most
// severe first.
//
// Breaking: a removed type, field, argument, input field, enum value or
// union member; a type that changed kind; an interface a type no longer
// implements; a changed output type, except one that only became stricter
// (T to T!, [T] to [T!]); an argument or input field type change other than
// dropping a non-null (T! to T), which includes nullable to non-null; a new
// required argument or input field (non-null without a default); @oneOf
// added to an input; a changed root operation type; a removed executable
// directive or location.
//
// A removal or change of a field, argument, input field or enum value that
// was @deprecated in the old schema is allowed: it is reported as
// Dangerous with Deprecated set. So is the removal of a type that only
// deprecated (or themselves allowed-removed) fields, arguments and input
// fields referred to.
func Compare(oldS, newS *ast.Schema) []Change {
	c := &comparer{old: oldS, new: newS}
	c.roots()
	removedTypes := c.types()
	c.removedTypes(removedTypes)
	c.directives()
	slices.SortStableFunc(c.changes, func(a, b Change) int {
		if a.Severity != b.Severity {
			return cmp.Compare(b.Severity, a.Severity)
		}
		return cmp.Compare(a.Path, b.Path)
	})
	return c.changes
}

type comparer struct {
	old, new *ast.Schema
	changes  []Change
}

func (c *comparer) add(sev Severity, path, format string, args ...any) {
	c.changes = append(c.changes, Change{Severity: sev, Path: path, Message: fmt.Sprintf(format, args...)})
}

// breakUnless records a breaking change, or a dangerous one when the old
// schema had deprecated the element (dep is its @deprecated, or nil).
func (c *comparer) breakUnless(dep *ast.Directive, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if dep == nil {
		c.changes = append(c.changes, Change{Severity: Breaking, Path: path, Message: msg})
		return
	}
	c.changes = append(c.changes, Change{Severity: Dangerous, Path: path, Deprecated: true,
		Message: msg + " (allowed: it was deprecated" + reasonSuffix(dep) + ")"})
}

func deprecated(list ast.DirectiveList) *ast.Directive { return list.ForName("deprecated") }

func reasonSuffix(dep *ast.Directive) string {
	if a := dep.Arguments.ForName("reason"); a != nil && a.Value != nil && a.Value.Raw != "" {
		return ": " + a.Value.Raw
	}
	return ""
}

// firstDeprecated returns the first non-nil directive: an argument counts as
// deprecated when it or its field is.
func firstDeprecated(ds ...*ast.Directive) *ast.Directive {
	for _, d := range ds {
		if d != nil {
			return d
		}
	}
	return nil
}

func (c *comparer) roots() {
	for _, r := range []struct {
		op       string
		old, new *ast.Definition
	}{
		{"query", c.old.Query, c.new.Query},
		{"mutation", c.old.Mutation, c.new.Mutation},
		{"subscription", c.old.Subscription, c.new.Subscription},
	} {
		switch {
		case r.old == nil && r.new != nil:
			c.add(Safe, "schema."+r.op, "root type %s was added", r.new.Name)
		case r.old != nil && r.new == nil:
			c.add(Breaking, "schema."+r.op, "root type %s was removed", r.old.Name)
		case r.old != nil && r.old.Name != r.new.Name:
			c.add(Breaking, "schema."+r.op, "root type changed from %s to %s", r.old.Name, r.new.Name)
		}
	}
}

func sortedTypes(s *ast.Schema) []*ast.Definition {
	var defs []*ast.Definition
	for _, d := range s.Types {
		if !d.BuiltIn {
			defs = append(defs, d)
		}
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	return defs
}

// types compares the types both schemas have and returns the old types the
// new schema lacks.
func (c *comparer) types() (removed []*ast.Definition) {
	for _, o := range sortedTypes(c.old) {
		n := c.new.Types[o.Name]
		switch {
		case n == nil || n.BuiltIn:
			removed = append(removed, o)
		case n.Kind != o.Kind:
			c.add(Breaking, o.Name, "changed from %s to %s", kindName(o.Kind), kindName(n.Kind))
		default:
			switch o.Kind {
			case ast.Object, ast.Interface:
				c.interfaces(o, n)
				c.outputFields(o, n)
			case ast.InputObject:
				c.inputObject(o, n)
			case ast.Enum:
				c.enum(o, n)
			case ast.Union:
				c.union(o, n)
			}
		}
	}
	for _, n := range sortedTypes(c.new) {
		if o := c.old.Types[n.Name]; o == nil || o.BuiltIn {
			c.add(Safe, n.Name, "%s was added", strings.ToLower(strings.ReplaceAll(kindName(n.Kind), "_", " ")))
		}
	}
	return removed
}

func kindName(k ast.DefinitionKind) string {
	if k == ast.InputObject {
		return "INPUT_OBJECT"
	}
	return string(k)
}

func (c *comparer) interfaces(o, n *ast.Definition) {
	for _, i := range o.Interfaces {
		if !slices.Contains(n.Interfaces, i) {
			c.add(Breaking, o.Name, "no longer implements %s", i)
		}
	}
	for _, i := range n.Interfaces {
		if !slices.Contains(o.Interfaces, i) {
			c.add(Dangerous, o.Name, "now implements %s (clients that branch on the interface's types may see a new one)", i)
		}
	}
}

func (c *comparer) outputFields(o, n *ast.Definition) {
	for _, of := range o.Fields {
		if strings.HasPrefix(of.Name, "__") {
			continue
		}
		path := o.Name + "." + of.Name
		fdep := deprecated(of.Directives)
		nf := n.Fields.ForName(of.Name)
		if nf == nil {
			c.breakUnless(fdep, path, "field was removed")
			continue
		}
		switch {
		case !safeOutputChange(of.Type, nf.Type):
			c.breakUnless(fdep, path, "type changed from %s to %s", of.Type, nf.Type)
		case of.Type.String() != nf.Type.String():
			c.add(Safe, path, "type changed from %s to %s (stricter output)", of.Type, nf.Type)
		}
		c.arguments(path, fdep, of.Arguments, nf.Arguments)
		c.deprecation(path, "field", fdep, deprecated(nf.Directives))
	}
	for _, nf := range n.Fields {
		if !strings.HasPrefix(nf.Name, "__") && o.Fields.ForName(nf.Name) == nil {
			c.add(Safe, o.Name+"."+nf.Name, "field was added")
		}
	}
}

func (c *comparer) arguments(path string, fdep *ast.Directive, old, new ast.ArgumentDefinitionList) {
	for _, oa := range old {
		apath := path + "(" + oa.Name + ":)"
		dep := firstDeprecated(deprecated(oa.Directives), fdep)
		na := new.ForName(oa.Name)
		if na == nil {
			c.breakUnless(dep, apath, "argument was removed")
			continue
		}
		c.inputValue(apath, "argument", dep, oa.Type, na.Type, oa.DefaultValue, na.DefaultValue)
		c.deprecation(apath, "argument", deprecated(oa.Directives), deprecated(na.Directives))
	}
	for _, na := range new {
		if old.ForName(na.Name) != nil {
			continue
		}
		apath := path + "(" + na.Name + ":)"
		if na.Type.NonNull && na.DefaultValue == nil {
			c.breakUnless(fdep, apath, "required argument %s was added", na.Type)
		} else {
			c.add(Safe, apath, "optional argument was added")
		}
	}
}

// inputValue compares the type and default of an argument or input field.
func (c *comparer) inputValue(path, what string, dep *ast.Directive, ot, nt *ast.Type, od, nd *ast.Value) {
	switch {
	case !safeInputChange(ot, nt):
		if !ot.NonNull && nt.NonNull && ot.String()+"!" == nt.String() {
			c.breakUnless(dep, path, "%s became non-null (%s to %s)", what, ot, nt)
		} else {
			c.breakUnless(dep, path, "type changed from %s to %s", ot, nt)
		}
	case ot.String() != nt.String():
		c.add(Safe, path, "type changed from %s to %s (accepts more)", ot, nt)
	}
	if ov, nv := valueString(od), valueString(nd); ov != nv {
		c.add(Dangerous, path, "default changed from %s to %s", orNone(ov), orNone(nv))
	}
}

func valueString(v *ast.Value) string {
	if v == nil {
		return ""
	}
	return v.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (c *comparer) deprecation(path, what string, od, nd *ast.Directive) {
	switch {
	case od == nil && nd != nil:
		c.add(Safe, path, "%s was deprecated%s", what, reasonSuffix(nd))
	case od != nil && nd == nil:
		c.add(Safe, path, "%s is no longer deprecated", what)
	}
}

func (c *comparer) inputObject(o, n *ast.Definition) {
	switch od, nd := o.Directives.ForName("oneOf"), n.Directives.ForName("oneOf"); {
	case od == nil && nd != nil:
		c.add(Breaking, o.Name, "became @oneOf")
	case od != nil && nd == nil:
		c.add(Dangerous, o.Name, "is no longer @oneOf")
	}
	for _, of := range o.Fields {
		path := o.Name + "." + of.Name
		dep := deprecated(of.Directives)
		nf := n.Fields.ForName(of.Name)
		if nf == nil {
			c.breakUnless(dep, path, "input field was removed")
			continue
		}
		c.inputValue(path, "input field", dep, of.Type, nf.Type, of.DefaultValue, nf.DefaultValue)
		c.deprecation(path, "input field", dep, deprecated(nf.Directives))
	}
	for _, nf := range n.Fields {
		if o.Fields.ForName(nf.Name) != nil {
			continue
		}
		path := o.Name + "." + nf.Name
		if nf.Type.NonNull && nf.DefaultValue == nil {
			c.add(Breaking, path, "required input field %s was added", nf.Type)
		} else {
			c.add(Safe, path, "optional input field was added")
		}
	}
}

func (c *comparer) enum(o, n *ast.Definition) {
	for _, ov := range o.EnumValues {
		path := o.Name + "." + ov.Name
		dep := deprecated(ov.Directives)
		nv := n.EnumValues.ForName(ov.Name)
		if nv == nil {
			c.breakUnless(dep, path, "enum value was removed")
			continue
		}
		c.deprecation(path, "enum value", dep, deprecated(nv.Directives))
	}
	output := usedAsOutput(c.new, n.Name)
	for _, nv := range n.EnumValues {
		if o.EnumValues.ForName(nv.Name) != nil {
			continue
		}
		if output {
			c.add(Dangerous, o.Name+"."+nv.Name, "enum value was added (clients that switch over the values need a default branch)")
		} else {
			c.add(Safe, o.Name+"."+nv.Name, "enum value was added")
		}
	}
}

// usedAsOutput reports whether a field of an object or interface returns the
// named type.
func usedAsOutput(s *ast.Schema, name string) bool {
	for _, d := range s.Types {
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			continue
		}
		for _, f := range d.Fields {
			if f.Type.Name() == name {
				return true
			}
		}
	}
	return false
}

func (c *comparer) union(o, n *ast.Definition) {
	for _, t := range o.Types {
		if !slices.Contains(n.Types, t) {
			c.add(Breaking, o.Name, "member %s was removed", t)
		}
	}
	for _, t := range n.Types {
		if !slices.Contains(o.Types, t) {
			c.add(Dangerous, o.Name, "member %s was added (clients that branch on the members may see a new one)", t)
		}
	}
}

// safeOutputChange: an output may only become stricter. Lists stay lists,
// names stay the same, and a non-null never becomes nullable.
func safeOutputChange(o, n *ast.Type) bool {
	if o.NonNull && !n.NonNull {
		return false
	}
	if (o.Elem == nil) != (n.Elem == nil) {
		return false
	}
	if o.Elem != nil {
		return safeOutputChange(o.Elem, n.Elem)
	}
	return o.NamedType == n.NamedType
}

// safeInputChange: an input may only accept more. Lists stay lists, names
// stay the same, and a nullable never becomes non-null.
func safeInputChange(o, n *ast.Type) bool {
	if !o.NonNull && n.NonNull {
		return false
	}
	if (o.Elem == nil) != (n.Elem == nil) {
		return false
	}
	if o.Elem != nil {
		return safeInputChange(o.Elem, n.Elem)
	}
	return o.NamedType == n.NamedType
}

// typeRef is one place in the old schema that names a type.
type typeRef struct {
	from       string // the type (or @directive) holding the reference
	deprecated bool
}

// removedTypes reports removed types. A removal is allowed when every
// reference to the type in the old schema was deprecated or came from a
// type whose own removal is allowed; a type nothing referred to (reachable
// only through node(id:) or fragments) may be named in client documents,
// so its removal breaks.
func (c *comparer) removedTypes(removed []*ast.Definition) {
	if len(removed) == 0 {
		return
	}
	refs := map[string][]typeRef{}
	ref := func(typ *ast.Type, from string, dep bool) {
		refs[typ.Name()] = append(refs[typ.Name()], typeRef{from: from, deprecated: dep})
	}
	for _, d := range c.old.Types {
		if d.BuiltIn {
			continue
		}
		for _, f := range d.Fields {
			fdep := deprecated(f.Directives) != nil
			ref(f.Type, d.Name, fdep)
			for _, a := range f.Arguments {
				ref(a.Type, d.Name, fdep || deprecated(a.Directives) != nil)
			}
		}
		for _, t := range d.Types { // union members
			refs[t] = append(refs[t], typeRef{from: d.Name})
		}
	}
	for _, d := range c.old.Directives {
		for _, a := range d.Arguments {
			ref(a.Type, "@"+d.Name, deprecated(a.Directives) != nil)
		}
	}
	for _, root := range []*ast.Definition{c.old.Query, c.old.Mutation, c.old.Subscription} {
		if root != nil {
			refs[root.Name] = append(refs[root.Name], typeRef{from: "schema"})
		}
	}

	gone := map[string]bool{}
	for _, d := range removed {
		gone[d.Name] = true
	}
	allowed := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, d := range removed {
			if allowed[d.Name] || len(refs[d.Name]) == 0 {
				continue
			}
			ok := true
			for _, r := range refs[d.Name] {
				if !r.deprecated && !(r.from == d.Name || gone[r.from] && allowed[r.from]) {
					ok = false
					break
				}
			}
			if ok {
				allowed[d.Name] = true
				changed = true
			}
		}
	}
	for _, d := range removed {
		what := strings.ToLower(strings.ReplaceAll(kindName(d.Kind), "_", " "))
		if allowed[d.Name] {
			c.changes = append(c.changes, Change{Severity: Dangerous, Path: d.Name, Deprecated: true,
				Message: what + " was removed (allowed: only deprecated fields, arguments or input fields used it)"})
		} else {
			c.add(Breaking, d.Name, "%s was removed", what)
		}
	}
}

// executable directive locations: a client document may use such a
// directive, so removing it (or one of these locations) breaks.
var executableLocations = map[ast.DirectiveLocation]bool{
	ast.LocationQuery: true, ast.LocationMutation: true, ast.LocationSubscription: true,
	ast.LocationField: true, ast.LocationFragmentDefinition: true, ast.LocationFragmentSpread: true,
	ast.LocationInlineFragment: true, ast.LocationVariableDefinition: true,
}

func (c *comparer) directives() {
	names := make([]string, 0, len(c.old.Directives))
	for name, d := range c.old.Directives {
		if d.Position == nil || d.Position.Src == nil || !d.Position.Src.BuiltIn {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		od, nd := c.old.Directives[name], c.new.Directives[name]
		path := "@" + name
		if nd == nil {
			if slices.ContainsFunc(od.Locations, func(l ast.DirectiveLocation) bool { return executableLocations[l] }) {
				c.add(Breaking, path, "executable directive was removed")
			} else {
				c.add(Safe, path, "schema directive was removed")
			}
			continue
		}
		executable := false
		for _, l := range od.Locations {
			if !executableLocations[l] {
				continue
			}
			executable = true
			if !slices.Contains(nd.Locations, l) {
				c.add(Breaking, path, "location %s was removed", l)
			}
		}
		if executable { // schema directives' arguments are the server's business
			c.arguments(path, nil, od.Arguments, nd.Arguments)
		}
	}
	for name, nd := range c.new.Directives {
		if c.old.Directives[name] == nil {
			c.add(Safe, "@"+nd.Name, "directive was added")
		}
	}
}
