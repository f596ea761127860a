package booking

import (
	"context"
	"slices"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/dealership"
	"aftercare/ent/servicetype"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/booking/slots"
	"aftercare/internal/store"
)

// load reads an appointment the viewer can see, locked for the change.
func load(ctx context.Context, c *ent.Client, id int) (*ent.Appointment, error) {
	a, err := c.Appointment.Query().Where(appointment.ID(id)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("appointment not found")
	}
	return a, err
}

// storeLocation is the store's time zone, for messages and day keys.
func storeOf(ctx context.Context, c *ent.Client, id int) (*ent.Dealership, *time.Location, error) {
	d, err := c.Dealership.Query().Where(dealership.ID(id)).Only(auth.SystemContext(ctx))
	if err != nil {
		return nil, nil, err
	}
	loc, err := time.LoadLocation(d.TimeZone)
	return d, loc, err
}

// ownerCutoff refuses an owner's change too close to the visit; staff, who
// can rearrange the workshop, are not held to it.
func ownerCutoff(ctx context.Context, d *ent.Dealership, a *ent.Appointment, now time.Time) error {
	if !auth.FromContext(ctx).IsOwner() {
		return nil
	}
	if now.Add(time.Duration(d.CancelCutoffHours) * time.Hour).After(a.StartsAt) {
		return apperr.Conflictf("bookings can be changed in the app until %d hours before the visit; please call the store", d.CancelCutoffHours)
	}
	return nil
}

func requireStatus(a *ent.Appointment, allowed ...appointment.Status) error {
	if !slices.Contains(allowed, a.Status) {
		return apperr.Conflictf("the appointment is %s", a.Status)
	}
	return nil
}

// Reschedule moves a booking to a new start if that slot has room. Moving
// to where it already is returns it unchanged, so a retry is harmless.
func (s *Service) Reschedule(ctx context.Context, c *ent.Client, id int, start time.Time) (*ent.Appointment, error) {
	a, err := load(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if a.StartsAt.Equal(start) {
		return a, nil
	}
	if err := requireStatus(a, appointment.StatusRequested, appointment.StatusConfirmed); err != nil {
		return nil, err
	}
	d, st, eng, err := s.setupFor(ctx, c, a)
	if err != nil {
		return nil, err
	}
	if err := ownerCutoff(ctx, d, a, s.now()); err != nil {
		return nil, err
	}
	if err := s.lockDays(ctx, c, a.DealershipID, eng.Location, a.StartsAt, start); err != nil {
		return nil, err
	}
	if err := s.checkFits(ctx, c, eng, st, a.DealershipID, start, a.ID); err != nil {
		return nil, err
	}
	a, err = c.Appointment.UpdateOne(a).SetStartsAt(start.UTC()).SetEndsAt(start.Add(st.Duration).UTC()).Save(ctx)
	if err != nil {
		return nil, err
	}
	return a, notifyMoved(ctx, c, a, eng.Location, s.now())
}

func (s *Service) setupFor(ctx context.Context, c *ent.Client, a *ent.Appointment) (*ent.Dealership, slots.ServiceType, slots.Store, error) {
	d, eng, st, err := storeSetup(auth.SystemContext(ctx), c, a.DealershipID, servicetype.Code(a.ServiceType))
	return d, st, eng, err
}

// lockDays takes the day locks of the old and the new start in a fixed
// order, so two moves in opposite directions cannot deadlock.
func (s *Service) lockDays(ctx context.Context, c *ent.Client, storeID int, loc *time.Location, times ...time.Time) error {
	days := make([]string, 0, len(times))
	for _, t := range times {
		days = append(days, t.In(loc).Format(slots.DateLayout))
	}
	slices.Sort(days)
	for _, d := range slices.Compact(days) {
		if err := s.lockDay(ctx, c, storeID, d); err != nil {
			return err
		}
	}
	return nil
}

// Cancel frees the slot. Cancelling a cancelled booking returns it as it is.
func (s *Service) Cancel(ctx context.Context, c *ent.Client, id int, reason string) (*ent.Appointment, error) {
	a, err := load(ctx, c, id)
	if err != nil || a.Status == appointment.StatusCancelled {
		return a, err
	}
	if err := requireStatus(a, appointment.StatusRequested, appointment.StatusConfirmed); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, apperr.Input("reason", "say why the booking is cancelled")
	}
	d, loc, err := storeOf(ctx, c, a.DealershipID)
	if err != nil {
		return nil, err
	}
	if err := ownerCutoff(ctx, d, a, s.now()); err != nil {
		return nil, err
	}
	a, err = c.Appointment.UpdateOne(a).SetStatus(appointment.StatusCancelled).SetCancelReason(reason).
		SetCancelledAt(s.now()).Save(ctx)
	if err != nil {
		return nil, err
	}
	return a, notifyCancelled(ctx, c, a, loc, s.now())
}

// Confirm marks a requested booking as confirmed by the store.
func (s *Service) Confirm(ctx context.Context, c *ent.Client, id int) (*ent.Appointment, error) {
	return s.transition(ctx, c, id, appointment.StatusConfirmed, func(a *ent.Appointment) error {
		return requireStatus(a, appointment.StatusRequested)
	})
}

// MarkNoShow records that the owner did not come; only once the visit's
// time has passed.
func (s *Service) MarkNoShow(ctx context.Context, c *ent.Client, id int) (*ent.Appointment, error) {
	return s.transition(ctx, c, id, appointment.StatusNoShow, func(a *ent.Appointment) error {
		if err := requireStatus(a, appointment.StatusRequested, appointment.StatusConfirmed); err != nil {
			return err
		}
		if s.now().Before(a.StartsAt) {
			return apperr.Conflictf("a no-show can be recorded only after the booked time")
		}
		return nil
	})
}

// transition is a staff-only status change guarded by check. Reaching the
// target state again is a harmless retry.
func (s *Service) transition(ctx context.Context, c *ent.Client, id int, to appointment.Status, check func(*ent.Appointment) error) (*ent.Appointment, error) {
	if !auth.FromContext(ctx).IsStaff() {
		return nil, apperr.Forbiddenf("only the store can do this")
	}
	a, err := load(ctx, c, id)
	if err != nil || a.Status == to {
		return a, err
	}
	if err := check(a); err != nil {
		return nil, err
	}
	return c.Appointment.UpdateOne(a).SetStatus(to).Save(ctx)
}
