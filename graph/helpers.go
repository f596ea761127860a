package graph

import (
	"context"

	"aftercare/ent"
	"aftercare/ent/dealership"
	"aftercare/ent/owner"
	"aftercare/ent/staff"
	"aftercare/graph/model"
	"aftercare/internal/auth"
	"aftercare/internal/booking/slots"
	"aftercare/internal/care"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
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
		if o := signedInOwner(ctx, v); o != nil {
			out.Owner = o
		} else if out.Owner, err = r.Client.Owner.Query().Where(owner.ID(v.OwnerID)).Only(ctx); err != nil {
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

// signedInOwner is the owner row the sign-in read moments ago for this
// request, when `me` is part of a query: the owner's scope on owners is
// their own id, so reading it again as the owner returns the same row
// (one round trip less on the owner app's home screen, issue #9). A
// mutation reads afresh: its fields may have changed the row.
func signedInOwner(ctx context.Context, v *auth.Viewer) *ent.Owner {
	o, ok := v.SignedIn.(*ent.Owner)
	if !ok || o.ID != v.OwnerID || !graphql.HasOperationContext(ctx) {
		return nil
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Query {
		return nil
	}
	return o
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
