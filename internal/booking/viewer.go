package booking

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/servicetype"
	"aftercare/ent/staff"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
)

// Input is a booking as a signed-in owner or a staff member asks for it.
type Input struct {
	StoreID        int
	OwnerID        *int // staff: whose booking; owners: themselves
	VehicleID      *int
	ServiceType    servicetype.Code
	StartsAt       time.Time
	AdvisorID      *int
	Source         *appointment.Source // staff: advisor (default) or phone
	Transport      appointment.Transport
	Pickup         *Point
	Notes          string
	IdempotencyKey string
}

// BookFor books on behalf of the viewer: an owner books for themselves
// from the app (the store then confirms); staff book any customer they
// serve, confirmed at once.
func (s *Service) BookFor(ctx context.Context, c *ent.Client, in Input) (*ent.Appointment, error) {
	r := Request{StoreID: in.StoreID, VehicleID: in.VehicleID, ServiceType: in.ServiceType, StartsAt: in.StartsAt,
		AdvisorID: in.AdvisorID, Transport: in.Transport, Pickup: in.Pickup, Notes: in.Notes, IdempotencyKey: in.IdempotencyKey}
	v := auth.FromContext(ctx)
	switch {
	case v.IsOwner() && v.OwnerID != 0:
		if in.OwnerID != nil && *in.OwnerID != v.OwnerID {
			return nil, apperr.NotFoundf("owner not found")
		}
		if in.VehicleID == nil {
			return nil, apperr.Input("vehicleID", "choose the vehicle to bring")
		}
		r.OwnerID, r.Source, r.Status = v.OwnerID, appointment.SourceApp, appointment.StatusRequested
	case v.IsStaff():
		if in.OwnerID == nil {
			return nil, apperr.Input("ownerID", "say whose booking this is")
		}
		r.OwnerID, r.Source, r.Status = *in.OwnerID, appointment.SourceAdvisor, appointment.StatusConfirmed
		if in.Source != nil && *in.Source == appointment.SourcePhone {
			r.Source = appointment.SourcePhone
		}
	default:
		return nil, apperr.Forbiddenf("sign in to book")
	}
	if err := checkParties(ctx, c, r); err != nil {
		return nil, err
	}
	return s.Book(ctx, c, r)
}

// checkParties: the vehicle is the owner's, the advisor works at the store.
func checkParties(ctx context.Context, c *ent.Client, r Request) error {
	if r.VehicleID != nil {
		if err := ownVehicle(ctx, c, *r.VehicleID, r.OwnerID); err != nil {
			return err
		}
	}
	if r.AdvisorID != nil {
		ok, err := c.Staff.Query().Where(staff.ID(*r.AdvisorID), staff.DealershipID(r.StoreID), staff.Active(true)).
			Exist(auth.SystemContext(ctx))
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Input("advisorID", "no such advisor at this store")
		}
	}
	return nil
}
