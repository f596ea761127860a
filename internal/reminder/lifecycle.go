package reminder

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/reminder"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
)

// ConversionWindow: a booking made this long after a reminder was sent
// counts as that reminder's success.
const ConversionWindow = 30 * 24 * time.Hour

// Follow records on the reminder what became of a push that was not
// delivered: deferred (quiet hours, contact cap), failed, cancelled (no
// consent) or expired. Delivered pushes go through FollowSent. A reminder
// the owner already answered keeps its status.
func Follow(ctx context.Context, c *ent.Client, reminderID *int, status reminder.Status, why string) error {
	if reminderID == nil {
		return nil
	}
	_, err := c.Reminder.Update().Where(reminder.ID(*reminderID),
		reminder.StatusIn(reminder.StatusScheduled, reminder.StatusDeferred)).
		SetStatus(status).SetStatusReason(why).Save(auth.SystemContext(ctx))
	return err
}

// FollowSent records that the pushes of these reminders were delivered.
func FollowSent(ctx context.Context, c *ent.Client, ids []int, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := c.Reminder.Update().Where(reminder.IDIn(ids...),
		reminder.StatusIn(reminder.StatusScheduled, reminder.StatusDeferred)).
		SetStatus(reminder.StatusSent).SetStatusReason("").SetSentAt(at).Save(auth.SystemContext(ctx))
	return err
}

// Acknowledge records that the owner opened a reminder. Opening it again,
// or after it led to a booking, changes nothing.
func Acknowledge(ctx context.Context, c *ent.Client, id int, now time.Time) (*ent.Reminder, error) {
	r, err := c.Reminder.Get(ctx, id) // the viewer's own rules: another owner's reminder is not found
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("reminder not found")
	}
	if err != nil {
		return nil, err
	}
	if !auth.FromContext(ctx).IsOwner() {
		return nil, apperr.Forbiddenf("only the owner acknowledges a reminder")
	}
	switch r.Status {
	case reminder.StatusOpened, reminder.StatusConverted:
		return r, nil
	case reminder.StatusSent:
		return c.Reminder.UpdateOne(r).SetStatus(reminder.StatusOpened).SetOpenedAt(now).Save(auth.SystemContext(ctx))
	}
	return nil, apperr.Conflictf("the reminder is %s, not sent", r.Status)
}

// bookable are the reminders that invite a visit: a booking after one of
// them is its conversion.
var bookable = []reminder.Kind{reminder.KindFirstService, reminder.KindPeriodicService, reminder.KindWarrantyExpiry,
	reminder.KindInspection, reminder.KindWinback, reminder.KindSpringCampaign, reminder.KindAutumnCampaign}

// Convert links a new booking to the reminders it answers: the owner's
// reminders sent within ConversionWindow that invite a visit, about this
// vehicle or about the owner. Call it in the booking's transaction.
func Convert(ctx context.Context, c *ent.Client, ownerID int, vehicleID *int, appointmentID int, now time.Time) error {
	about := reminder.VehicleIDIsNil()
	if vehicleID != nil {
		about = reminder.Or(about, reminder.VehicleID(*vehicleID))
	}
	_, err := c.Reminder.Update().Where(reminder.OwnerID(ownerID), about, reminder.KindIn(bookable...),
		reminder.StatusIn(reminder.StatusSent, reminder.StatusOpened), reminder.SentAtGTE(now.Add(-ConversionWindow))).
		SetStatus(reminder.StatusConverted).SetConvertedAt(now).SetAppointmentID(appointmentID).
		Save(auth.SystemContext(ctx))
	return err
}
