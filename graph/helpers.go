package graph

import (
	"context"

	"aftercare/ent/dealership"
	"aftercare/ent/owner"
	"aftercare/ent/staff"
	"aftercare/graph/model"
	"aftercare/internal/auth"
	"aftercare/internal/booking/slots"
	"aftercare/internal/care"
)

// maxNodes bounds nodes(ids:), like a page of a connection.
const maxNodes = 200

// viewer describes the caller, loading their records under their own
// privacy scope.
func (r *Resolver) viewer(ctx context.Context) (*model.Viewer, error) {
	v := auth.FromContext(ctx)
	out := &model.Viewer{Kind: v.Kind.String()}
	var err error
	if v.IsOwner() && v.OwnerID != 0 {
		if out.Owner, err = r.Client.Owner.Query().Where(owner.ID(v.OwnerID)).Only(ctx); err != nil {
			return nil, err
		}
	}
	if v.IsStaff() {
		role := staff.Role(v.Role)
		out.Role = &role
		if out.Staff, err = r.Client.Staff.Query().Where(staff.ID(v.StaffID)).Only(ctx); err != nil {
			return nil, err
		}
	}
	if v.DealershipID != 0 {
		if out.Dealership, err = r.Client.Dealership.Query().Where(dealership.ID(v.DealershipID)).Only(ctx); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// slotModels shows each slot's tightest pool as its remaining capacity.
func slotModels(in []slots.Slot) []*model.AvailableSlot {
	out := make([]*model.AvailableSlot, len(in))
	for i, s := range in {
		remaining := -1
		for _, n := range s.Remaining {
			if remaining < 0 || n < remaining {
				remaining = n
			}
		}
		out[i] = &model.AvailableSlot{StartsAt: s.Start, EndsAt: s.End, Available: s.Available, Remaining: max(remaining, 0), Peak: s.Peak}
	}
	return out
}

// careAnswer maps the owner's answer on a care call to the domain's.
func careAnswer(in *model.CareAnswerInput) *care.Answer {
	if in == nil {
		return nil
	}
	a := &care.Answer{Reason: in.Reason, ElsewhereShop: deref(in.ElsewhereShop)}
	if in.ElsewherePriceCents != nil {
		cents := int64(*in.ElsewherePriceCents)
		a.ElsewherePriceCents = &cents
	}
	return a
}
