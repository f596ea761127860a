package sqlread

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"aftercare/ent"
	"aftercare/graph/scalar"

	"entgo.io/ent/dialect/sql"
	"github.com/vektah/gqlparser/v2/ast"
)

// kind is how a column is printed in JSON and how a where value is read.
type kind int

const (
	kindID     kind = iota // "123": ids are strings in GraphQL
	kindInt                // 123
	kindString             // "text", and enum values (stored as their names)
	kindBool               // true
	kindTime               // "2026-12-01T09:30:00.5Z", as scalar.MarshalTime prints
)

// kind maps a field's GraphQL type to a kind; lists, dates, floats and
// JSON scalars go to the resolvers.
func (c *compiler) kind(t *ast.Type) (kind, bool) {
	if t.Elem != nil {
		return 0, false
	}
	switch t.NamedType {
	case "ID":
		return kindID, true
	case "Int":
		return kindInt, true
	case "String":
		return kindString, true
	case "Boolean":
		return kindBool, true
	case "Time":
		return kindTime, true
	}
	def := c.r.schema.Types[t.NamedType]
	return kindString, def != nil && def.Kind == ast.Enum
}

// fieldKind is the kind of typeName's field, for reading where values.
func (c *compiler) fieldKind(typeName, field string) (kind, bool) {
	def := c.r.schema.Types[typeName]
	if def == nil {
		return 0, false
	}
	f := def.Fields.ForName(field)
	if f == nil {
		return 0, false
	}
	return c.kind(f.Type)
}

// rfc3339 prints a timestamptz as Go's time.RFC3339Nano in UTC: the ISO
// text of the UTC timestamp (the reads pool sets DateStyle=ISO), whose
// fraction PostgreSQL prints without trailing zeros, with a T and a Z.
// Twice as fast as to_json, four times as fast as to_char.
const rfc3339 = `(replace((%[1]s AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z')`

func (k kind) write(b *sql.Builder, ref string) {
	switch k {
	case kindID:
		b.WriteString(ref + "::text")
	case kindTime:
		b.WriteString(strings.ReplaceAll(rfc3339, "%[1]s", ref))
	default:
		b.WriteString(ref)
	}
}

// zero is what ent reads from a NULL in an optional, not nillable column:
// Go's zero value, printed.
func (k kind) zero() string {
	switch k {
	case kindID:
		return "'0'"
	case kindInt:
		return "0"
	case kindBool:
		return "false"
	case kindTime:
		return "'0001-01-01T00:00:00Z'"
	}
	return "''"
}

// value reads a where value (a variable's JSON or a literal) as the
// column's Go value.
func (k kind) value(v any) (any, bool) {
	switch k {
	case kindID:
		return toID(v)
	case kindInt:
		return toInt(v)
	case kindString:
		s, ok := v.(string)
		return s, ok
	case kindBool:
		b, ok := v.(bool)
		return b, ok
	case kindTime:
		t, err := scalar.UnmarshalTime(v)
		return t, err == nil
	}
	return nil, false
}

func toID(v any) (int, bool) {
	id, err := scalar.UnmarshalID(v)
	return id, err == nil
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case json.Number:
		i, err := strconv.Atoi(string(n))
		return i, err == nil
	}
	return 0, false
}

// columnName is entgql's field name back in ent's snake case:
// homeDealershipID is home_dealership_id.
func columnName(field string) string {
	var b strings.Builder
	runes := []rune(field)
	for i, r := range runes {
		if unicode.IsUpper(r) && i > 0 {
			prev := runes[i-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || nextLower {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func hasColumn(typeName, col string) bool {
	t, ok := ent.SQLTables[typeName]
	return ok && slices.Contains(t.Columns, col)
}
