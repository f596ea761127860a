package graph

import (
	"context"
	"strings"

	"aftercare/ent"
	"aftercare/internal/audit"
	"aftercare/internal/auth"

	"github.com/99designs/gqlgen/graphql"
)

// piiDirective implements @pii: personal contact data is shown only to
// those who need it. An owner sees their own; staff who deal with
// customers see owners' contacts (technicians do not); staff contacts are
// for colleagues. Everyone else gets a masked value that still lets a
// person recognise the number ("+86138****8000"). Staff reads of an
// owner's contacts are audited.
func piiDirective(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
	val, err := next(ctx)
	if err != nil {
		return val, err
	}
	if mayReadContact(auth.FromContext(ctx), obj) {
		if o, ok := obj.(*ent.Owner); ok {
			audit.ContactRead(ctx, o.ID, graphql.GetFieldContext(ctx).Field.Name)
		}
		return val, nil
	}
	switch s := val.(type) {
	case string:
		return mask(s), nil
	case *string:
		if s == nil {
			return s, nil
		}
		m := mask(*s)
		return &m, nil
	}
	return nil, nil
}

func mayReadContact(v *auth.Viewer, obj any) bool {
	if v.IsSystem() {
		return true
	}
	switch o := obj.(type) {
	case *ent.Owner:
		if v.IsOwner() {
			return o.ID == v.OwnerID
		}
		return v.IsStaff() && v.Role != auth.RoleTechnician
	case *ent.Staff:
		return v.IsStaff()
	}
	return false
}

// mask keeps the first and last few characters: enough for a person to
// recognise their own number or address, not enough to contact anyone.
func mask(s string) string {
	if at := strings.IndexByte(s, '@'); at > 0 {
		return s[:1] + "***" + s[at:]
	}
	if len(s) <= 7 {
		return strings.Repeat("*", len(s))
	}
	return s[:len(s)-8] + "****" + s[len(s)-4:]
}
