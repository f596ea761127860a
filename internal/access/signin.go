package access

import (
	"context"
	"errors"
	"fmt"

	"aftercare/ent"
	"aftercare/ent/owner"
	"aftercare/ent/staff"
	"aftercare/internal/auth"
)

// ErrNoStaffRecord is returned when a token claims a staff role that no
// active staff record backs (a deactivated account): the sign-in is
// refused like an invalid token (401), not as a server error.
var ErrNoStaffRecord = fmt.Errorf("%w: no active staff record for this sign-in", auth.ErrInvalidToken)

// ErrStaffDeactivated is returned for the sign-in of a deactivated staff
// account, whatever its token's claims say.
var ErrStaffDeactivated = fmt.Errorf("%w: the staff account is deactivated", auth.ErrInvalidToken)

// Directory turns a verified identity into a viewer by finding (and on first
// sign-in, linking) the person's record. The records, not the token's
// claims, are the authority on role and store: a revoked role takes effect
// at once, without waiting for the token to expire (with SignIns, on other
// instances once the change's NOTIFY reaches them, milliseconds later).
type Directory struct {
	Client *ent.Client
	// SignIns caches sign-ins; nil (SQLite, no listener) caches none.
	SignIns *SignInCache
}

var _ auth.Resolver = Directory{}

// Resolve implements auth.Resolver.
func (d Directory) Resolve(ctx context.Context, id *auth.Identity) (*auth.Viewer, error) {
	sys := auth.SystemContext(ctx) // the lookup itself must see every record
	if id.IsStaff() {
		return d.staffViewer(sys, id)
	}
	// A staff member's first sign-in carries no role claim yet (claims are
	// written once the account is linked), so a known staff account is
	// recognised by its uid or verified e-mail before trying owners. Staff
	// sign in with e-mail; owners (by phone) skip this lookup, which would
	// otherwise cost every owner request an extra query.
	if id.Email != "" {
		v, err := d.staffViewer(sys, id)
		if err == nil || !errors.Is(err, ErrNoStaffRecord) {
			return v, err
		}
	}
	return d.ownerViewer(sys, id)
}

func (d Directory) staffViewer(ctx context.Context, id *auth.Identity) (*auth.Viewer, error) {
	l, gen, ok := d.SignIns.get(true, id.UID)
	if ok {
		return staffViewerOf(id, l), nil
	}
	s, err := d.Client.Staff.Query().Where(staff.AuthUID(id.UID)).Only(ctx)
	if ent.IsNotFound(err) && id.Email != "" {
		// First sign-in: link by the verified e-mail the group admin entered.
		s, err = d.Client.Staff.Query().Where(staff.Email(id.Email), staff.AuthUIDIsNil(), staff.Active(true)).Only(ctx)
		if err == nil {
			s, err = s.Update().SetAuthUID(id.UID).Save(ctx)
		}
	}
	if ent.IsNotFound(err) {
		return nil, ErrNoStaffRecord
	}
	if err != nil {
		return nil, fmt.Errorf("look up staff: %w", err)
	}
	if !s.Active {
		return nil, ErrStaffDeactivated
	}
	l = linked{staffID: s.ID, role: auth.Role(s.Role), groupID: s.DealerGroupID}
	if s.DealershipID != nil {
		l.dealershipID = *s.DealershipID
	}
	d.SignIns.put(true, id.UID, l, gen)
	return staffViewerOf(id, l), nil
}

// staffViewerOf is the viewer of a staff sign-in: role and store from the
// record, whatever the token's claims say.
func staffViewerOf(id *auth.Identity, l linked) *auth.Viewer {
	v := auth.NewViewer(id)
	v.Kind = auth.KindStaff // also for a first sign-in without a role claim
	v.StaffID, v.Role = l.staffID, l.role
	v.DealerGroupID, v.DealershipID = l.groupID, l.dealershipID
	return v
}

func (d Directory) ownerViewer(ctx context.Context, id *auth.Identity) (*auth.Viewer, error) {
	l, gen, ok := d.SignIns.get(false, id.UID)
	if ok {
		return ownerViewerOf(id, l), nil // SignedIn stays nil: `me` reads the row itself
	}
	o, err := d.Client.Owner.Query().Where(owner.AuthUID(id.UID)).Only(ctx)
	if ent.IsNotFound(err) && id.Phone != "" {
		o, err = d.linkByPhone(ctx, id)
	}
	if ent.IsNotFound(err) {
		return auth.NewViewer(id), nil // signed in, no record yet: sees nothing until linked
	}
	if err != nil {
		return nil, fmt.Errorf("look up owner: %w", err)
	}
	l = linked{ownerID: o.ID, groupID: o.DealerGroupID}
	d.SignIns.put(false, id.UID, l, gen)
	v := ownerViewerOf(id, l)
	v.SignedIn = o
	return v, nil
}

func ownerViewerOf(id *auth.Identity, l linked) *auth.Viewer {
	v := auth.NewViewer(id)
	v.OwnerID, v.DealerGroupID = l.ownerID, l.groupID
	return v
}

// linkByPhone links a first sign-in to the record an advisor created with
// the same (verified) phone number. A number known in several dealer groups
// is not linked automatically: the app must ask which one.
func (d Directory) linkByPhone(ctx context.Context, id *auth.Identity) (*ent.Owner, error) {
	matches, err := d.Client.Owner.Query().Where(owner.Phone(id.Phone), owner.AuthUIDIsNil()).Limit(2).All(ctx)
	if err != nil {
		return nil, err
	}
	if len(matches) != 1 {
		return nil, &ent.NotFoundError{}
	}
	return matches[0].Update().SetAuthUID(id.UID).Save(ctx)
}
