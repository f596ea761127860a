package customervalue

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/owner"
	"aftercare/ent/workorder"
	"aftercare/internal/auth"
)

// Recomputer sets owners' tiers from their work orders.
type Recomputer struct {
	Rules Rules
	Batch int // owners per batch of All (default 1,000)
}

// AfterDelivery recomputes the tier of a delivered work order's owner, in
// the delivery's transaction: the perk follows the spend at once.
func (r Recomputer) AfterDelivery(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, now time.Time) error {
	_, err := r.Owners(ctx, c, []int{wo.OwnerID}, now)
	return err
}

// All recomputes every owner's tier (the nightly job: a year-old visit
// drops out of the spend even when nothing happens), a batch at a time.
func (r Recomputer) All(ctx context.Context, c *ent.Client, now time.Time) (changed int, err error) {
	batch := r.Batch
	if batch == 0 {
		batch = 1000
	}
	ctx = auth.SystemContext(ctx)
	after := 0
	for {
		ids, err := c.Owner.Query().Where(owner.IDGT(after), owner.ErasedAtIsNil()).Order(owner.ByID()).Limit(batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return changed, err
		}
		n, err := r.Owners(ctx, c, ids, now)
		changed += n
		if err != nil {
			return changed, err
		}
		after = ids[len(ids)-1]
	}
}

// Owners recomputes the tiers of these owners in five statements at most,
// writing only the ones that changed; it returns how many did.
func (r Recomputer) Owners(ctx context.Context, c *ent.Client, ids []int, now time.Time) (int, error) {
	ctx = auth.SystemContext(ctx)
	if r.Rules == (Rules{}) {
		r.Rules = DefaultRules()
	}
	owners, err := c.Owner.Query().Where(owner.IDIn(ids...), owner.ErasedAtIsNil()).
		Select(owner.FieldID, owner.FieldTier, owner.FieldCreatedAt).All(ctx)
	if err != nil {
		return 0, err
	}
	orders, err := c.WorkOrder.Query().Where(workorder.OwnerIDIn(ids...)).
		Select(workorder.FieldOwnerID, workorder.FieldStatus, workorder.FieldOpenedAt, workorder.FieldDeliveredAt, workorder.FieldTotalCents).All(ctx)
	if err != nil {
		return 0, err
	}
	spend, since := map[int]int64{}, map[int]time.Time{}
	yearAgo := now.AddDate(-1, 0, 0)
	for _, o := range orders {
		if s, ok := since[o.OwnerID]; !ok || o.OpenedAt.Before(s) {
			since[o.OwnerID] = o.OpenedAt
		}
		if o.Status == workorder.StatusDelivered && o.DeliveredAt != nil && o.DeliveredAt.After(yearAgo) {
			spend[o.OwnerID] += o.TotalCents
		}
	}
	moves := map[owner.Tier][]int{}
	for _, o := range owners {
		first := o.CreatedAt
		if s, ok := since[o.ID]; ok && s.Before(first) {
			first = s
		}
		if t := Tier(spend[o.ID], first, now, r.Rules); t != o.Tier {
			moves[t] = append(moves[t], o.ID)
		}
	}
	changed := 0
	for t, ids := range moves {
		n, err := c.Owner.Update().Where(owner.IDIn(ids...)).SetTier(t).Save(ctx)
		changed += n
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}
