package auth

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
)

// Kind says what sort of principal a Viewer is. The zero value is
// KindAnonymous so that a forgotten or zeroed Viewer grants nothing.
type Kind int

const (
	KindAnonymous Kind = iota // no credentials
	KindOwner                 // a car owner signed in to the owner app
	KindStaff                 // a dealership employee
	KindWidget                // a third-party booking widget's store key
	KindSystem                // background jobs acting for the system itself
)

func (k Kind) String() string {
	switch k {
	case KindAnonymous:
		return "anonymous"
	case KindOwner:
		return "owner"
	case KindStaff:
		return "staff"
	case KindWidget:
		return "widget"
	case KindSystem:
		return "system"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Viewer is the principal on whose behalf a request or job runs. Privacy
// rules read it from the context; treat it as read-only once stored there.
type Viewer struct {
	Kind          Kind
	AuthUID       string // external (Firebase) uid, owners and staff
	OwnerID       int    // owner record id (0 while not yet linked)
	StaffID       int
	Role          Role
	DealershipID  int // staff's store or widget key's store (0 for group admins)
	DealerGroupID int
	WidgetKeyID   int
	// Verified contact from the token, used to link a first sign-in.
	// Personal data: never log these; the json tag keeps them out of dumps.
	Phone, Email string `json:"-"`
	// SignedIn is the owner record the sign-in read to make this viewer
	// (an *ent.Owner; auth does not know ent), kept for the request so
	// that `me.owner` does not read the same row again. It is what the
	// owner's own read scope would return (their row, by id). Nil for
	// websocket viewers, whose connection outlives the row's freshness.
	SignedIn any `json:"-"`
}

// IsAnonymous reports whether v carries no credentials.
func (v *Viewer) IsAnonymous() bool { return v.Kind == KindAnonymous }

// IsOwner reports whether v is a car owner (linked to a record or not yet).
func (v *Viewer) IsOwner() bool { return v.Kind == KindOwner }

// IsStaff reports whether v is a dealership employee.
func (v *Viewer) IsStaff() bool { return v.Kind == KindStaff }

// IsWidget reports whether v is a booking widget's key.
func (v *Viewer) IsWidget() bool { return v.Kind == KindWidget }

// IsSystem reports whether v is the system itself (background work).
func (v *Viewer) IsSystem() bool { return v.Kind == KindSystem }

// HasRole reports whether v is staff holding one of roles. It checks the kind
// too, so a stray Role on a non-staff viewer never grants anything.
func (v *Viewer) HasRole(roles ...Role) bool {
	return v.IsStaff() && v.Role.Valid() && slices.Contains(roles, v.Role)
}

// LogValue makes slog print only the kind, the role and record ids. The
// Firebase uid, phone and e-mail are personal data and stay out of logs.
func (v Viewer) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("kind", v.Kind.String())}
	if v.Role != "" {
		attrs = append(attrs, slog.String("role", string(v.Role)))
	}
	for _, id := range []struct {
		key string
		val int
	}{
		{"owner_id", v.OwnerID},
		{"staff_id", v.StaffID},
		{"dealership_id", v.DealershipID},
		{"dealer_group_id", v.DealerGroupID},
		{"widget_key_id", v.WidgetKeyID},
	} {
		if id.val != 0 {
			attrs = append(attrs, slog.Int(id.key, id.val))
		}
	}
	return slog.GroupValue(attrs...)
}

// String gives the same personal-data-free summary as LogValue, so that a
// stray fmt.Print or %v of a Viewer cannot leak a phone number.
func (v Viewer) String() string {
	var b strings.Builder
	b.WriteString("Viewer{")
	for i, a := range v.LogValue().Group() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.String())
	}
	b.WriteByte('}')
	return b.String()
}

// GoString covers %#v, which would otherwise print every field.
func (v Viewer) GoString() string { return "auth." + v.String() }

type viewerKey struct{}

// NewContext returns a copy of ctx carrying v. A nil v stores an anonymous
// viewer: storing nil over an outer viewer must drop that viewer's rights,
// never fall back to them.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	if v == nil {
		v = &Viewer{}
	}
	return context.WithValue(ctx, viewerKey{}, v)
}

// FromContext returns the viewer stored in ctx, or a fresh anonymous viewer.
// It never returns nil, so callers can check permissions without nil checks
// and an unauthenticated path is always the least privileged one.
func FromContext(ctx context.Context) *Viewer {
	if v, ok := ctx.Value(viewerKey{}).(*Viewer); ok && v != nil {
		return v
	}
	return &Viewer{}
}

// SystemContext returns a copy of ctx carrying the system viewer. Background
// jobs must ask for it explicitly: privacy rules let the system through, and
// an explicit call keeps that power visible in code review.
func SystemContext(ctx context.Context) context.Context {
	return NewContext(ctx, &Viewer{Kind: KindSystem})
}
