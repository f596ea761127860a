package audit

import (
	"context"

	"aftercare/ent"
	"aftercare/ent/auditentry"
	"aftercare/ent/hook"
	"aftercare/internal/auth"
	"aftercare/internal/reqctx"
)

// OwnerChanges is an ent hook that audits every change staff make to an
// owner record, in the same transaction as the change.
func OwnerChanges() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.OwnerFunc(func(ctx context.Context, m *ent.OwnerMutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil || !auth.FromContext(ctx).IsStaff() {
				return v, err
			}
			o, ok := v.(*ent.Owner)
			if !ok {
				return v, err
			}
			fields := m.Fields()
			if err := Change(ctx, m.Client(), auditentry.ActionUpdate, o.ID, o.DealerGroupID, fields, reqctx.RequestID(ctx)); err != nil {
				return nil, err
			}
			return v, nil
		})
	}, ent.OpUpdateOne)
}
