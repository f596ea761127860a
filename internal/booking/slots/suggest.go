package slots

import (
	"cmp"
	"slices"
	"time"
)

// Preferences are what is known of an owner's habits. Hours are local
// hours of day (0-23) of a slot's Start in its own location, which for
// Generate's slots is the store's.
type Preferences struct {
	// UsualHours are hours at which the owner's past visits started.
	UsualHours []int
	// UsualWeekdays are weekdays of the owner's past visits.
	UsualWeekdays []time.Weekday
	// BusyHours are hours the owner is usually busy (e.g. at work or the
	// school run) and should not be asked to come.
	BusyHours []int
}

// Suggest returns the n best Available slots, best first. Slots are ranked
// by, in order:
//
//  1. outside the store's peak hours (Slot.Peak false) first;
//  2. not starting in one of the owner's BusyHours first;
//  3. familiarity, highest first: 2 points when the start hour is one of
//     UsualHours, plus 1 when the weekday is one of UsualWeekdays (the time
//     of day is the stronger habit: it follows the owner's working day);
//  4. earlier Start first, then earlier End, then input order.
//
// Only slots with the same Start and End keep their input order, so the
// result is deterministic. slots is not modified. n <= 0 gives nil.
func Suggest(slots []Slot, prefs Preferences, n int) []Slot {
	if n <= 0 {
		return nil
	}
	type ranked struct {
		slot                    Slot
		peak, busy, familiarity int
	}
	var rs []ranked
	for _, s := range slots {
		if !s.Available {
			continue
		}
		r := ranked{slot: s}
		if s.Peak {
			r.peak = 1
		}
		if slices.Contains(prefs.BusyHours, s.Start.Hour()) {
			r.busy = 1
		}
		if slices.Contains(prefs.UsualHours, s.Start.Hour()) {
			r.familiarity += 2
		}
		if slices.Contains(prefs.UsualWeekdays, s.Start.Weekday()) {
			r.familiarity++
		}
		rs = append(rs, r)
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		return cmp.Or(
			cmp.Compare(a.peak, b.peak),
			cmp.Compare(a.busy, b.busy),
			cmp.Compare(b.familiarity, a.familiarity),
			a.slot.Start.Compare(b.slot.Start),
			a.slot.End.Compare(b.slot.End),
		)
	})
	out := make([]Slot, 0, min(n, len(rs)))
	for _, r := range rs[:min(n, len(rs))] {
		out = append(out, r.slot)
	}
	return out
}
