package booking

import (
	"context"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/owner"
	"aftercare/ent/servicetype"
	"aftercare/ent/vehicle"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/validate"
)

// WidgetRequest is a booking request from a third-party widget: a person
// who may or may not be a customer yet.
type WidgetRequest struct {
	Name, Phone      string
	Plate, VIN       string
	ServiceType      servicetype.Code
	StartsAt         time.Time
	ConsentService   bool
	ConsentMarketing bool
	IdempotencyKey   string
	PhoneRegion      string
}

// Receipt is all a widget learns: the same whether or not the phone number
// belonged to a customer already.
type Receipt struct {
	Reference string
	Status    appointment.Status
	StartsAt  time.Time
}

// RequestFromWidget books for a widget key's store. The person is matched
// to a customer by phone, or recorded as a prospect; nothing in the answer
// tells which.
func (s *Service) RequestFromWidget(ctx context.Context, c *ent.Client, w WidgetRequest) (*Receipt, error) {
	v := auth.FromContext(ctx)
	if !v.IsWidget() {
		return nil, apperr.Forbiddenf("only a booking widget can request bookings this way")
	}
	phone, vin, err := checkWidgetRequest(&w)
	if err != nil {
		return nil, err
	}
	// The key proved which store this is for; from here the system acts.
	sys := auth.SystemContext(ctx)
	o, err := findOrCreateProspect(sys, c, v, w, phone, s.now())
	if err != nil {
		return nil, err
	}
	r := Request{StoreID: v.DealershipID, OwnerID: o.ID, ServiceType: w.ServiceType, StartsAt: w.StartsAt,
		Source: appointment.SourceWidget, Status: appointment.StatusRequested, IdempotencyKey: w.IdempotencyKey,
		VehiclePlate: w.Plate, VehicleVIN: vin, WidgetKeyID: &v.WidgetKeyID}
	if vin != "" {
		if id, err := c.Vehicle.Query().Where(vehicle.Vin(vin), vehicle.OwnerID(o.ID)).FirstID(sys); err == nil {
			r.VehicleID = &id
		}
	}
	a, err := s.Book(sys, c, r)
	if err != nil {
		return nil, err
	}
	return &Receipt{Reference: a.Reference, Status: a.Status, StartsAt: a.StartsAt}, nil
}

func checkWidgetRequest(w *WidgetRequest) (phone, vin string, err error) {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" || len(w.Name) > 200 {
		return "", "", apperr.Input("name", "give your name")
	}
	if phone, err = validate.NormalizePhone(w.Phone, w.PhoneRegion); err != nil {
		return "", "", apperr.Input("phone", err.Error())
	}
	if !w.ConsentService {
		return "", "", apperr.Input("consentService", "we need your consent to contact you about this booking")
	}
	if w.VIN != "" {
		vin = validate.NormalizeVIN(w.VIN)
		if err := validate.VIN(vin); err != nil {
			return "", "", apperr.Input("vin", err.Error())
		}
	}
	w.Plate = strings.TrimSpace(w.Plate)
	if vin == "" && w.Plate == "" {
		return "", "", apperr.Input("plate", "give the number plate or the VIN")
	}
	return phone, vin, nil
}

// findOrCreateProspect finds the group's customer with this phone, or
// records a prospect. An existing customer's record is left as it is: a
// widget cannot change anyone's data.
func findOrCreateProspect(ctx context.Context, c *ent.Client, v *auth.Viewer, w WidgetRequest, phone string, now time.Time) (*ent.Owner, error) {
	o, err := c.Owner.Query().Where(owner.DealerGroupID(v.DealerGroupID), owner.Phone(phone)).Only(ctx)
	if err == nil || !ent.IsNotFound(err) {
		return o, err
	}
	create := c.Owner.Create().SetDealerGroupID(v.DealerGroupID).SetHomeDealershipID(v.DealershipID).
		SetName(w.Name).SetPhone(phone).SetProspect(true).SetConsentService(true).SetConsentServiceAt(now)
	if w.ConsentMarketing {
		create.SetConsentMarketing(true).SetConsentMarketingAt(now)
	}
	// Two requests with a new number at once: the second finds the first's
	// record. ON CONFLICT rather than catching the error, which would abort
	// a PostgreSQL transaction.
	if err := create.OnConflictColumns(owner.FieldDealerGroupID, owner.FieldPhone).DoNothing().Exec(ctx); err != nil {
		return nil, err
	}
	return c.Owner.Query().Where(owner.DealerGroupID(v.DealerGroupID), owner.Phone(phone)).Only(ctx)
}
