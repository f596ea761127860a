package access

import (
	"context"

	"aftercare/ent"
	"aftercare/ent/dealership"
	"aftercare/ent/staff"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
)

// Grant is a role assignment.
type Grant struct {
	StaffID      int
	Role         staff.Role
	DealershipID *int
	Active       bool
}

// GrantStaffRole sets a staff member's role, store and active flag. Only a
// group admin may do it, within their group. When the person has signed in
// and a ClaimsSetter is configured (Firebase), their custom claims follow,
// so that their next ID token carries the new role; until then the record,
// which sign-in reads, already rules. c must be transactional.
func GrantStaffRole(ctx context.Context, c *ent.Client, claims auth.ClaimsSetter, g Grant) (*ent.Staff, error) {
	v := auth.FromContext(ctx)
	if !v.HasRole(auth.RoleGroupAdmin) {
		return nil, apperr.Forbiddenf("only a group admin can grant roles")
	}
	if (g.Role == staff.RoleGroupAdmin) != (g.DealershipID == nil) {
		return nil, apperr.Input("dealershipID", "store staff need a store; a group admin has none")
	}
	upd := c.Staff.UpdateOneID(g.StaffID).SetRole(g.Role).SetActive(g.Active)
	if g.DealershipID != nil {
		upd.SetDealershipID(*g.DealershipID)
	} else {
		upd.ClearDealershipID()
	}
	s, err := upd.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("staff member not found")
	}
	if err != nil || claims == nil || s.AuthUID == nil {
		return s, err
	}
	role, store := auth.Role(s.Role), 0
	if !s.Active {
		role = "" // a deactivated account keeps no staff claims
	}
	if s.DealershipID != nil {
		store = *s.DealershipID
	}
	if err := claims.SetStaffClaims(ctx, *s.AuthUID, role, store, s.DealerGroupID); err != nil {
		return nil, &apperr.Error{Code: apperr.Unavailable, Message: "could not update the sign-in account; try again", Err: err}
	}
	return s, nil
}

// CanWatchStore checks that the viewer works at the store (or is an admin
// of its group), for the store board. Anyone else is told it does not exist.
func CanWatchStore(ctx context.Context, c *ent.Client, dealershipID int) error {
	v := auth.FromContext(ctx)
	switch {
	case v.IsStaff() && v.Role != auth.RoleGroupAdmin && v.DealershipID == dealershipID:
		return nil
	case v.HasRole(auth.RoleGroupAdmin):
		if ok, err := c.Dealership.Query().Where(dealership.ID(dealershipID)).Exist(ctx); err != nil || ok {
			return err
		}
	}
	return apperr.NotFoundf("dealership not found")
}
