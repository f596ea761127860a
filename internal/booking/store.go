// Package booking books service visits without ever overbooking a slot:
// slot availability, booking (owner app, advisor, phone, widget),
// rescheduling, cancellation, confirmation and no-shows, with idempotent
// retries and the owner's notifications written to the outbox in the same
// transaction.
package booking

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/dealership"
	"aftercare/ent/servicetype"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/booking/slots"

	"entgo.io/ent/dialect"
)

// Service books appointments. Dialect selects the per-day lock: an
// advisory lock on PostgreSQL; SQLite's write transactions are already
// serial.
type Service struct {
	Dialect string
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// activeStatuses are the bookings that hold capacity.
var activeStatuses = []appointment.Status{appointment.StatusRequested, appointment.StatusConfirmed, appointment.StatusCheckedIn}

// storeSetup loads a store and one of its service types as the slot engine
// needs them.
func storeSetup(ctx context.Context, c *ent.Client, storeID int, code servicetype.Code) (*ent.Dealership, slots.Store, slots.ServiceType, error) {
	d, err := c.Dealership.Query().Where(dealership.ID(storeID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, slots.Store{}, slots.ServiceType{}, apperr.NotFoundf("dealership not found")
	}
	if err != nil {
		return nil, slots.Store{}, slots.ServiceType{}, err
	}
	st, err := c.ServiceType.Query().Where(servicetype.DealershipID(storeID), servicetype.CodeEQ(code), servicetype.Active(true)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, slots.Store{}, slots.ServiceType{}, apperr.Input("serviceType", "this store does not offer that service")
	}
	if err != nil {
		return nil, slots.Store{}, slots.ServiceType{}, err
	}
	store, err := engineStore(d)
	if err != nil {
		return nil, slots.Store{}, slots.ServiceType{}, err
	}
	return d, store, slots.ServiceType{Code: string(st.Code), Duration: time.Duration(st.DurationMinutes) * time.Minute, Pools: st.Pools}, nil
}

// engineStore translates a store's record into the slot engine's terms.
func engineStore(d *ent.Dealership) (slots.Store, error) {
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		return slots.Store{}, fmt.Errorf("store %d time zone: %w", d.ID, err)
	}
	s := slots.Store{
		Location:       loc,
		Hours:          map[time.Weekday][]slots.Interval{},
		Closures:       map[string]bool{},
		SlotLength:     time.Duration(d.SlotMinutes) * time.Minute,
		Pools:          map[string]int{},
		BookingHorizon: time.Duration(d.BookingHorizonDays) * 24 * time.Hour,
		MinLeadTime:    time.Duration(d.MinLeadMinutes) * time.Minute,
	}
	if d.MinLeadMinutes == 0 {
		s.MinLeadTime = -1 // the engine reads zero as "default"
	}
	for _, h := range d.OpeningHours {
		iv, err := slots.ParseInterval(h.Opens + "-" + h.Closes)
		if err != nil {
			return slots.Store{}, err
		}
		s.Hours[time.Weekday(h.Weekday)] = append(s.Hours[time.Weekday(h.Weekday)], iv)
	}
	for _, day := range d.Closures {
		s.Closures[day] = true
	}
	for _, p := range d.Capacity {
		s.Pools[p.Pool] = p.Units
	}
	for _, ph := range d.PeakHours {
		if iv, err := slots.ParseInterval(ph); err == nil {
			s.PeakHours = append(s.PeakHours, iv)
		}
	}
	return s, nil
}

// bookingsAround loads the active bookings of a store that may overlap
// [from, to): services are shorter than a day, so a day's margin suffices.
// Capacity is counted over everyone's bookings, so this reads as the system
// (only start, end and pools, nothing about whose they are).
func bookingsAround(ctx context.Context, c *ent.Client, storeID int, from, to time.Time, except int) ([]slots.Booking, error) {
	ctx = auth.SystemContext(ctx)
	rows, err := c.Appointment.Query().Where(
		appointment.DealershipID(storeID),
		appointment.StatusIn(activeStatuses...),
		appointment.StartsAtLT(to),
		// A lower bound on starts_at lets the (dealership_id, status,
		// starts_at) index do the work: no service lasts over 8 hours (the
		// ServiceType range), so nothing starting earlier can overlap.
		appointment.StartsAtGT(from.Add(-maxServiceDuration)),
		appointment.EndsAtGT(from),
		appointment.IDNEQ(except),
	).Select(appointment.FieldStartsAt, appointment.FieldEndsAt, appointment.FieldPools).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]slots.Booking, len(rows))
	for i, a := range rows {
		out[i] = slots.Booking{Start: a.StartsAt, Duration: a.EndsAt.Sub(a.StartsAt), Pools: a.Pools}
	}
	return out, nil
}

// maxServiceDuration bounds a visit (ent/schema ServiceType.duration_minutes).
const maxServiceDuration = 8 * time.Hour

// lockDay serialises bookings of one store and local day on PostgreSQL, so
// that two transactions cannot both count the same free unit. The lock is
// released at commit. Keys are hashed; a collision only serialises more.
func (s *Service) lockDay(ctx context.Context, c *ent.Client, storeID int, day string) error {
	if s.Dialect != dialect.Postgres {
		return nil
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "booking:%d:%s", storeID, day)
	_, err := c.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64()))
	return err
}

// slotError turns the engine's refusals into client errors.
func slotError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, slots.ErrFull):
		return &apperr.Error{Code: apperr.SlotFull, Field: "startsAt", Message: "that slot has just been taken; pick another", Err: err}
	case errors.Is(err, slots.ErrInPast):
		return apperr.Input("startsAt", "that time has passed or is too soon to book")
	case errors.Is(err, slots.ErrTooFarAhead):
		return apperr.Input("startsAt", "that time is beyond how far ahead the store takes bookings")
	case errors.Is(err, slots.ErrClosed):
		return apperr.Input("startsAt", "the store is closed that day")
	case errors.Is(err, slots.ErrOutsideHours):
		return apperr.Input("startsAt", "the visit does not fit in the store's opening hours")
	case errors.Is(err, slots.ErrNotOnGrid):
		return apperr.Input("startsAt", "bookings start on the store's slot times")
	}
	return err
}
