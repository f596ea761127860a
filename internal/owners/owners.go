// Package owners keeps the rules of a customer record: one E.164 phone
// number per person within a dealer group, and consents stamped with the
// time they were given.
package owners

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/owner"
	"aftercare/internal/apperr"
	"aftercare/internal/validate"
)

// Create normalises the phone number (a person may type it in national
// form; defaultRegion says which country that is) and creates the owner.
// A phone already used in the group is a CONFLICT on the phone field.
func Create(ctx context.Context, c *ent.Client, in ent.CreateOwnerInput, defaultRegion string, now time.Time) (*ent.Owner, error) {
	if in.Phone == nil {
		return nil, apperr.Input("phone", "a phone number is required")
	}
	phone, err := validate.NormalizePhone(*in.Phone, defaultRegion)
	if err != nil {
		return nil, apperr.Input("phone", err.Error())
	}
	in.Phone = &phone
	taken, err := c.Owner.Query().Where(owner.DealerGroupID(in.DealerGroupID), owner.Phone(phone)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, &apperr.Error{Code: apperr.Conflict, Field: "phone", Message: "an owner with this phone number already exists"}
	}
	create := c.Owner.Create().SetInput(in)
	if in.ConsentMarketing != nil && *in.ConsentMarketing {
		create.SetConsentMarketingAt(now)
	}
	create.SetConsentServiceAt(now)
	return create.Save(ctx)
}

// Update applies an update, normalising a new phone number and stamping
// consents that change.
func Update(ctx context.Context, c *ent.Client, id int, in ent.UpdateOwnerInput, defaultRegion string, now time.Time) (*ent.Owner, error) {
	if in.Phone != nil {
		phone, err := validate.NormalizePhone(*in.Phone, defaultRegion)
		if err != nil {
			return nil, apperr.Input("phone", err.Error())
		}
		in.Phone = &phone
	}
	upd := c.Owner.UpdateOneID(id).SetInput(in)
	if in.ConsentMarketing != nil {
		upd.SetConsentMarketingAt(now)
	}
	if in.ConsentService != nil {
		upd.SetConsentServiceAt(now)
	}
	o, err := upd.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("owner not found")
	}
	return o, err
}
