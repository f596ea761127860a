package booking

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/servicetype"
	"aftercare/internal/apperr"
	"aftercare/internal/booking/slots"
)

// Availability is the answer to "when can I come?".
type Availability struct {
	Slots       []slots.Slot
	Suggestions []slots.Slot
	// AdvisorID is the advisor the owner saw last at this store, if any.
	AdvisorID *int
}

// suggestions is how many best slots are offered.
const suggestions = 3

// Available lists a store's slots for a service between from and to, with
// the best few for the owner (ownerID 0 for none): the store's quiet hours
// first, then the owner's usual visit times.
func (s *Service) Available(ctx context.Context, c *ent.Client, storeID int, code servicetype.Code, from, to time.Time, ownerID int) (*Availability, error) {
	if !to.After(from) {
		return nil, apperr.Input("to", "the range must end after it starts")
	}
	_, store, st, err := storeSetup(ctx, c, storeID, code)
	if err != nil {
		return nil, err
	}
	booked, err := bookingsAround(ctx, c, storeID, from.Add(-24*time.Hour), to.Add(24*time.Hour), 0)
	if err != nil {
		return nil, err
	}
	all, err := slots.Generate(store, st, from, to, booked, s.now())
	if err != nil {
		return nil, apperr.Input("to", "ask for at most 31 days at a time")
	}
	out := &Availability{Slots: all}
	prefs, advisor, err := ownerHabits(ctx, c, storeID, ownerID, store.Location)
	if err != nil {
		return nil, err
	}
	out.Suggestions = slots.Suggest(all, prefs, suggestions)
	out.AdvisorID = advisor
	return out, nil
}

// ownerHabits reads the owner's past visits to this store: the hours and
// weekdays they came, and the advisor of the latest.
func ownerHabits(ctx context.Context, c *ent.Client, storeID, ownerID int, loc *time.Location) (slots.Preferences, *int, error) {
	var prefs slots.Preferences
	if ownerID == 0 {
		return prefs, nil, nil
	}
	past, err := c.Appointment.Query().Where(
		appointment.OwnerID(ownerID), appointment.DealershipID(storeID),
		appointment.StatusIn(appointment.StatusCompleted, appointment.StatusCheckedIn),
	).Order(ent.Desc(appointment.FieldStartsAt)).Limit(10).All(ctx)
	if err != nil {
		return prefs, nil, err
	}
	var advisor *int
	for i, a := range past {
		local := a.StartsAt.In(loc)
		prefs.UsualHours = append(prefs.UsualHours, local.Hour())
		prefs.UsualWeekdays = append(prefs.UsualWeekdays, local.Weekday())
		if i == 0 {
			advisor = a.AdvisorID
		}
	}
	return prefs, advisor, nil
}
