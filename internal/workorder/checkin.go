package workorder

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/odometerreading"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/vehicle"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/store"
	"aftercare/internal/vehicles"
)

// CheckInRequest opens a work order: from an appointment, or for a walk-in
// with the vehicle alone.
type CheckInRequest struct {
	AppointmentID    *int
	VehicleID        *int
	OdometerKm       int
	FaultDescription string
	Checks           schematype.CheckIn
	EstimateCents    int64
	PromisedAt       *time.Time
	AdvisorID        *int
}

// CheckIn opens a work order at the viewer's store and records the
// odometer (which may not go backwards). The confirmations may come later
// (Confirm), but work cannot start without them.
func (s *Service) CheckIn(ctx context.Context, c *ent.Client, r CheckInRequest) (*ent.WorkOrder, error) {
	v := auth.FromContext(ctx)
	if !v.HasRole(roles(advisors, managers)...) {
		return nil, apperr.Forbiddenf("only an advisor checks a car in")
	}
	appt, vehicleID, err := arrival(ctx, c, r)
	if err != nil {
		return nil, err
	}
	veh, err := c.Vehicle.Query().Where(vehicle.ID(vehicleID)).Only(ctx)
	if ent.IsNotFound(err) || (err == nil && veh.OwnerID == nil) {
		return nil, apperr.NotFoundf("vehicle not found")
	}
	if err != nil {
		return nil, err
	}
	if _, err := vehicles.RecordReading(ctx, c, vehicles.Reading{VehicleID: veh.ID, Km: r.OdometerKm,
		Source: odometerreading.SourceServiceVisit, RecordedAt: s.now()}, s.now()); err != nil {
		return nil, renameField(err, "km", "odometerKm")
	}
	storeID := v.DealershipID
	if appt != nil {
		storeID = appt.DealershipID
		if err := c.Appointment.UpdateOne(appt).SetStatus(appointment.StatusCheckedIn).Exec(ctx); err != nil {
			return nil, err
		}
	}
	number, err := newNumber(s.now())
	if err != nil {
		return nil, err
	}
	advisor := r.AdvisorID
	if advisor == nil && v.HasRole(advisors...) {
		advisor = &v.StaffID
	}
	wo, err := c.WorkOrder.Create().SetNumber(number).SetDealershipID(storeID).SetVehicleID(veh.ID).
		SetOwnerID(*veh.OwnerID).SetNillableAppointmentID(r.AppointmentID).SetNillableAdvisorID(advisor).
		SetFaultDescription(r.FaultDescription).SetOdometerInKm(r.OdometerKm).SetNillablePromisedAt(r.PromisedAt).
		SetCheckIn(r.Checks).SetEstimateCents(r.EstimateCents).SetOpenedAt(s.now()).Save(ctx)
	if err != nil {
		return nil, err
	}
	return s.record(ctx, c, wo, Move{WorkOrderID: wo.ID, To: CheckedIn, PromisedAt: r.PromisedAt}, nil)
}

// arrival finds the appointment being checked in (which must be open and
// not yet checked in) and the vehicle.
func arrival(ctx context.Context, c *ent.Client, r CheckInRequest) (*ent.Appointment, int, error) {
	if r.AppointmentID == nil {
		if r.VehicleID == nil {
			return nil, 0, apperr.Input("vehicleID", "a walk-in needs the vehicle")
		}
		return nil, *r.VehicleID, nil
	}
	a, err := c.Appointment.Query().Where(appointment.ID(*r.AppointmentID)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, 0, apperr.NotFoundf("appointment not found")
	}
	if err != nil {
		return nil, 0, err
	}
	if a.Status != appointment.StatusRequested && a.Status != appointment.StatusConfirmed {
		return nil, 0, apperr.Conflictf("the appointment is %s", a.Status)
	}
	vehicleID := a.VehicleID
	if vehicleID == nil {
		vehicleID = r.VehicleID
	}
	if vehicleID == nil {
		return nil, 0, apperr.Input("vehicleID", "the booking names no vehicle: give it")
	}
	return a, *vehicleID, nil
}

// Confirm records the owner's three confirmations at the counter.
func (s *Service) Confirm(ctx context.Context, c *ent.Client, id int, fault, work, promisedTime bool) (*ent.WorkOrder, error) {
	if !auth.FromContext(ctx).HasRole(roles(advisors, managers)...) {
		return nil, apperr.Forbiddenf("the advisor takes the owner's confirmations")
	}
	wo, err := lock(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if wo.Status != CheckedIn {
		return nil, apperr.Conflictf("confirmations are taken at check-in; the work order is %s", wo.Status)
	}
	ci := wo.CheckIn
	ci.FaultConfirmed = ci.FaultConfirmed || fault
	ci.WorkConfirmed = ci.WorkConfirmed || work
	ci.PromisedTimeConfirmed = ci.PromisedTimeConfirmed || promisedTime
	return c.WorkOrder.UpdateOne(wo).SetCheckIn(ci).Save(ctx)
}

// newNumber is a work-order number a person can read: WO-date-random.
func newNumber(now time.Time) (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "WO-" + now.UTC().Format("060102") + "-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]), nil
}

// renameField reports an input error under the field name of this API.
func renameField(err error, from, to string) error {
	if e, ok := apperr.As(err); ok && e.Field == from {
		return &apperr.Error{Code: e.Code, Field: to, Message: e.Message, Err: e.Err}
	}
	return err
}
