package workorder

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/odometerreading"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/vehicles"
)

// closeVisit records the delivery odometer, the vehicle's last service and
// completes the booking. The vehicle's service fields are derived state,
// written by the system.
func closeVisit(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, km int, now time.Time) error {
	v, err := c.Vehicle.Get(auth.SystemContext(ctx), wo.VehicleID)
	if err != nil {
		return err
	}
	if km > v.OdometerKm {
		if _, err := vehicles.RecordReading(ctx, c, vehicles.Reading{VehicleID: v.ID, Km: km,
			Source: odometerreading.SourceServiceVisit, RecordedAt: now}, now); err != nil {
			return renameField(err, "km", "odometerKm")
		}
	}
	if err := c.Vehicle.UpdateOneID(v.ID).SetLastServiceDate(serviceDate(now)).SetLastServiceKm(km).
		Exec(auth.SystemContext(ctx)); err != nil {
		return err
	}
	if wo.AppointmentID == nil {
		return nil
	}
	return c.Appointment.UpdateOneID(*wo.AppointmentID).SetStatus(appointment.StatusCompleted).Exec(auth.SystemContext(ctx))
}

// Cancel stops an open work order.
func (s *Service) Cancel(ctx context.Context, c *ent.Client, id int, reason string) (*ent.WorkOrder, error) {
	if !auth.FromContext(ctx).HasRole(roles(advisors, managers)...) {
		return nil, apperr.Forbiddenf("only an advisor or a manager cancels a work order")
	}
	if reason == "" {
		return nil, apperr.Input("reason", "say why the work order is cancelled")
	}
	wo, err := lock(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if !Open(wo.Status) {
		return nil, apperr.Conflictf("the work order is %s", wo.Status)
	}
	out, err := s.record(ctx, c, wo, Move{WorkOrderID: id, To: Cancelled, Message: reason}, nil)
	if err != nil || s.AfterCancel == nil {
		return out, err
	}
	return out, s.AfterCancel(ctx, c, out, s.now())
}
