package booking

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"aftercare/ent"
	"aftercare/internal/outbox"
)

// Kinds of booking message.
const (
	KindBooked    = "booking_confirmed"
	KindMoved     = "booking_moved"
	KindCancelled = "booking_cancelled"
	KindDayBefore = "booking_day_before"
)

// dayBeforeAt is when, on the eve of a visit, the reminder goes out (store time).
const dayBeforeAt = 10 * time.Hour

func message(a *ent.Appointment, kind, key, title, body string, at time.Time) outbox.Message {
	id := a.ID
	return outbox.Message{
		OwnerID: a.OwnerID, StoreID: a.DealershipID, Kind: kind, DedupeKey: key,
		Title: title, Body: body, AppointmentID: &id, SendAfter: at,
		Data: map[string]string{"link": "aftercare://appointments/" + strconv.Itoa(a.ID), "reference": a.Reference},
	}
}

func when(a *ent.Appointment, loc *time.Location) string {
	return a.StartsAt.In(loc).Format("Mon 2 Jan 15:04")
}

// notifyBooked tells the owner the booking is in and schedules the
// reminder on the eve of the visit.
func notifyBooked(ctx context.Context, c *ent.Client, a *ent.Appointment, loc *time.Location, now time.Time) error {
	m := message(a, KindBooked, fmt.Sprintf("appt:%d:booked", a.ID), "Booking received",
		fmt.Sprintf("Your visit on %s is booked (ref %s).", when(a, loc), a.Reference), now)
	if err := outbox.Enqueue(ctx, c, m); err != nil {
		return err
	}
	return scheduleDayBefore(ctx, c, a, loc, now)
}

func scheduleDayBefore(ctx context.Context, c *ent.Client, a *ent.Appointment, loc *time.Location, now time.Time) error {
	local := a.StartsAt.In(loc)
	eve := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, loc).Add(dayBeforeAt)
	if !eve.After(now) {
		return nil // booked for tomorrow or today: the confirmation is enough
	}
	m := message(a, KindDayBefore, fmt.Sprintf("appt:%d:day_before:%s", a.ID, local.Format("2006-01-02T15:04")),
		"See you tomorrow", fmt.Sprintf("Reminder: your visit is tomorrow at %s (ref %s).", local.Format("15:04"), a.Reference), eve)
	return outbox.Enqueue(ctx, c, m)
}

func notifyMoved(ctx context.Context, c *ent.Client, a *ent.Appointment, loc *time.Location, now time.Time) error {
	if err := outbox.CancelPending(ctx, c, a.ID, KindDayBefore); err != nil {
		return err
	}
	m := message(a, KindMoved, fmt.Sprintf("appt:%d:moved:%d", a.ID, a.StartsAt.Unix()), "Booking moved",
		fmt.Sprintf("Your visit is now on %s (ref %s).", when(a, loc), a.Reference), now)
	if err := outbox.Enqueue(ctx, c, m); err != nil {
		return err
	}
	return scheduleDayBefore(ctx, c, a, loc, now)
}

func notifyCancelled(ctx context.Context, c *ent.Client, a *ent.Appointment, loc *time.Location, now time.Time) error {
	if err := outbox.CancelPending(ctx, c, a.ID, KindDayBefore); err != nil {
		return err
	}
	m := message(a, KindCancelled, fmt.Sprintf("appt:%d:cancelled", a.ID), "Booking cancelled",
		fmt.Sprintf("Your visit on %s is cancelled (ref %s).", when(a, loc), a.Reference), now)
	return outbox.Enqueue(ctx, c, m)
}
