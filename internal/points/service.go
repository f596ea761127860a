package points

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/owner"
	"aftercare/ent/pointentry"
	"aftercare/ent/workorder"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/store"
)

// AfterDelivery earns a delivered work order's points, in the delivery's
// transaction: one point per EarnCents of what the owner paid (the total
// less what points took off it), once per work order. When it is the
// owner's first paid visit and another owner referred them, the referrer
// earns the referral, once per referred owner.
func (l Ledger) AfterDelivery(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, now time.Time) error {
	if wo.TotalCents <= 0 {
		return nil
	}
	ctx = auth.SystemContext(ctx)
	r := l.rules()
	redeemed, err := redeemedCents(ctx, c, wo.ID)
	if err != nil {
		return err
	}
	if n := Earned(wo.TotalCents-redeemed, r); n > 0 {
		_, _, err := l.Append(ctx, c, Entry{OwnerID: wo.OwnerID, DealershipID: wo.DealershipID, Kind: pointentry.KindEarnVisit,
			Points: n, WorkOrderID: &wo.ID, Key: fmt.Sprintf("visit:%d", wo.ID), At: now,
			Note: fmt.Sprintf("work order %s", wo.Number)})
		if err != nil {
			return err
		}
	}
	if r.Referral <= 0 {
		return nil
	}
	o, err := c.Owner.Get(ctx, wo.OwnerID)
	if err != nil || o.ReferredByID == nil {
		return err
	}
	earlier, err := c.WorkOrder.Query().Where(workorder.OwnerID(o.ID), workorder.IDNEQ(wo.ID),
		workorder.StatusEQ(workorder.StatusDelivered), workorder.TotalCentsGT(0)).Exist(ctx)
	if err != nil || earlier {
		return err
	}
	referrer, err := c.Owner.Get(ctx, *o.ReferredByID)
	if err != nil || referrer.ErasedAt != nil {
		return err
	}
	_, _, err = l.Append(ctx, c, Entry{OwnerID: referrer.ID, DealershipID: wo.DealershipID, Kind: pointentry.KindEarnReferral,
		Points: r.Referral, WorkOrderID: &wo.ID, ReferredOwnerID: &o.ID, Key: fmt.Sprintf("referral:%d", o.ID), At: now})
	return err
}

// AfterCancel gives back the points redeemed on a work order that is
// cancelled, in the cancellation's transaction: one reversal per
// redemption.
func (l Ledger) AfterCancel(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, now time.Time) error {
	ctx = auth.SystemContext(ctx)
	redemptions, err := c.PointEntry.Query().Where(pointentry.WorkOrderID(wo.ID), pointentry.KindEQ(pointentry.KindRedeem)).
		Order(pointentry.ByID()).All(ctx)
	if err != nil {
		return err
	}
	for _, e := range redemptions {
		_, _, err := l.Append(ctx, c, Entry{OwnerID: e.OwnerID, DealershipID: e.DealershipID, Kind: pointentry.KindReversal,
			Points: -e.Points, WorkOrderID: &wo.ID, Key: fmt.Sprintf("reversal:%d", e.ID), At: now,
			Note: fmt.Sprintf("work order %s cancelled", wo.Number)})
		if err != nil {
			return err
		}
	}
	return nil
}

// redeemedCents is what points took off a work order.
func redeemedCents(ctx context.Context, c *ent.Client, woID int) (int64, error) {
	es, err := c.PointEntry.Query().Where(pointentry.WorkOrderID(woID), pointentry.KindEQ(pointentry.KindRedeem)).
		Select(pointentry.FieldValueCents).All(ctx)
	var sum int64
	for _, e := range es {
		if e.ValueCents != nil {
			sum += *e.ValueCents
		}
	}
	return sum, err
}

// redeemers are the roles that take points off a bill: the advisor at the
// counter and the managers.
var redeemers = []auth.Role{auth.RoleAdvisor, auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}

// Redemption is points an owner spends on an open work order.
type Redemption struct {
	WorkOrderID, OwnerID int
	Points               int
	// IdempotencyKey (8-128 characters) makes a retried request count once.
	IdempotencyKey string
	Note           string
}

// Redeem takes points off an owner's balance for services on their open
// work order, at the viewer's store. A retry with the same key returns the
// first entry. The work order is locked, so a delivery cannot run past a
// redemption being written.
func (l Ledger) Redeem(ctx context.Context, c *ent.Client, r Redemption, now time.Time) (*ent.PointEntry, error) {
	v := auth.FromContext(ctx)
	if !v.HasRole(redeemers...) {
		return nil, apperr.Forbiddenf("only an advisor or a manager redeems points")
	}
	switch {
	case r.Points <= 0:
		return nil, apperr.Input("points", "redeem at least 1 point")
	case len(r.IdempotencyKey) < 8 || len(r.IdempotencyKey) > 128:
		return nil, apperr.Input("idempotencyKey", "the idempotency key must be 8 to 128 characters")
	case len(r.Note) > 500:
		return nil, apperr.Input("note", "the note may be up to 500 characters")
	}
	// Under the viewer's scope: a work order of another store does not exist.
	wo, err := c.WorkOrder.Query().Where(workorder.ID(r.WorkOrderID)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("work order not found")
	}
	if err != nil {
		return nil, err
	}
	if v.Role != auth.RoleGroupAdmin && wo.DealershipID != v.DealershipID {
		return nil, apperr.Forbiddenf("points are redeemed at the store of the work order")
	}
	if wo.OwnerID != r.OwnerID {
		return nil, apperr.Input("ownerID", "the work order is not this owner's")
	}
	if wo.Status == workorder.StatusDelivered || wo.Status == workorder.StatusCancelled {
		return nil, apperr.Conflictf("points are redeemed on an open work order; this one is %s", wo.Status)
	}
	key := fmt.Sprintf("redeem:%d:%s", r.OwnerID, r.IdempotencyKey)
	value := int64(r.Points) * l.rules().ValueCents
	staffID := v.StaffID
	e, created, err := l.Append(ctx, c, Entry{OwnerID: wo.OwnerID, DealershipID: wo.DealershipID, Kind: pointentry.KindRedeem,
		Points: -r.Points, ValueCents: &value, WorkOrderID: &wo.ID, StaffID: &staffID, Key: key, Note: r.Note, At: now})
	if err != nil {
		return nil, err
	}
	if !created && (e.Kind != pointentry.KindRedeem || e.WorkOrderID == nil || *e.WorkOrderID != wo.ID || e.Points != -r.Points) {
		return nil, apperr.Conflictf("this idempotency key was used for another redemption")
	}
	return e, nil
}

// customerCare keep the store's customer records (internal/access).
var customerCare = []auth.Role{auth.RoleAdvisor, auth.RoleCareAgent, auth.RoleCareManager,
	auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}

// RecordReferral records that referrerID referred ownerID; the referrer
// earns the referral on ownerID's first paid visit. Both owners must be
// visible to the staff member. It is refused for an owner who already
// paid for a visit (the referral would never pay), for one referred by
// someone else, and between two owners who would refer each other.
// Recording the same referral again changes nothing.
func (l Ledger) RecordReferral(ctx context.Context, c *ent.Client, ownerID, referrerID int) (*ent.Owner, error) {
	v := auth.FromContext(ctx)
	if !v.HasRole(customerCare...) {
		return nil, apperr.Forbiddenf("only store staff record a referral")
	}
	if ownerID == referrerID {
		return nil, apperr.Input("referrerID", "an owner cannot refer themselves")
	}
	o, err := c.Owner.Query().Where(owner.ID(ownerID)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("owner not found")
	}
	if err != nil {
		return nil, err
	}
	ref, err := c.Owner.Query().Where(owner.ID(referrerID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, &apperr.Error{Code: apperr.NotFound, Field: "referrerID", Message: "referrer not found"}
	}
	if err != nil {
		return nil, err
	}
	switch {
	case ref.DealerGroupID != o.DealerGroupID:
		return nil, &apperr.Error{Code: apperr.NotFound, Field: "referrerID", Message: "referrer not found"}
	case o.ErasedAt != nil || ref.ErasedAt != nil:
		return nil, apperr.Conflictf("an erased owner takes no part in referrals")
	case o.ReferredByID != nil && *o.ReferredByID == referrerID:
		return o, nil
	case o.ReferredByID != nil:
		return nil, apperr.Conflictf("the owner was already referred by another owner")
	case ref.ReferredByID != nil && *ref.ReferredByID == ownerID:
		return nil, apperr.Conflictf("the referrer was referred by this owner")
	}
	paid, err := c.WorkOrder.Query().Where(workorder.OwnerID(ownerID), workorder.StatusEQ(workorder.StatusDelivered),
		workorder.TotalCentsGT(0)).Exist(auth.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	if paid {
		return nil, apperr.Conflictf("the owner has already paid for a visit: a referral pays on the first one")
	}
	// As the staff member: the owner policy checks the store, and the
	// change is audited like any other staff change to an owner.
	return c.Owner.UpdateOne(o).SetReferredByID(referrerID).Save(ctx)
}
