package rules

import (
	"slices"
	"time"
)

// civilLayout keys Store.Holidays and Store.Workdays and appears in Cycle keys.
const civilLayout = "2006-01-02"

// Store is what the calendar needs to know about a store: where it is, when
// it opens, and which days it works.
type Store struct {
	Location *time.Location // nil means UTC
	Opening  time.Duration  // opening time as wall-clock offset from local midnight, e.g. 8h30m

	// Holidays are non-working days besides the weekend, keyed "2006-01-02".
	Holidays map[string]bool
	// Workdays are weekend days the store works anyway, keyed "2006-01-02":
	// China moves weekends around public holidays (make-up working days).
	Workdays map[string]bool
	// Weekend defaults to Saturday and Sunday when nil; pass an empty,
	// non-nil slice for a store that opens every day.
	Weekend []time.Weekday
}

func (s Store) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

func (s Store) weekend() []time.Weekday {
	if s.Weekend == nil {
		return []time.Weekday{time.Saturday, time.Sunday}
	}
	return s.Weekend
}

// IsWorkingDay reports whether the store works on d's civil day (read from
// d's own calendar fields).
func (s Store) IsWorkingDay(d time.Time) bool {
	key := d.Format(civilLayout)
	if s.Holidays[key] {
		return false
	}
	if s.Workdays[key] {
		return true
	}
	return !slices.Contains(s.weekend(), d.Weekday())
}

// today is now's civil day in the store's zone.
func (s Store) today(now time.Time) time.Time {
	return dateOf(now.In(s.loc()))
}

// AddWorkingDays moves d by n working days of the store: forwards for n > 0,
// backwards for n < 0. The result is always a working day, except for n == 0,
// which returns d unchanged. d's clock time and location are kept.
func AddWorkingDays(d time.Time, n int, store Store) time.Time {
	if n == 0 || !store.worksAtAll() {
		return d
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if store.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// worksAtAll guards AddWorkingDays against a store configured with all seven
// days as weekend, which would otherwise loop forever.
func (s Store) worksAtAll() bool {
	days := map[time.Weekday]bool{}
	for _, w := range s.weekend() {
		days[w] = true
	}
	return len(days) < 7
}

// workingDayOnOrBefore returns d if the store works that day, otherwise the
// working day before it: a call planned for a Sunday is made on Friday, so
// it still comes ahead of the date it is about.
func workingDayOnOrBefore(d time.Time, store Store) time.Time {
	if store.IsWorkingDay(d) {
		return d
	}
	return AddWorkingDays(d, -1, store)
}

// AddMonths adds n calendar months to d, clamping the day to the end of the
// target month: 31 Jan + 1 month is 28 Feb (29 in a leap year), where
// time.AddDate would overflow into March. Clock time and location are kept.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	day = min(day, daysIn(first.Year(), first.Month()))
	h, mi, sec := d.Clock()
	return time.Date(first.Year(), first.Month(), day, h, mi, sec, d.Nanosecond(), d.Location())
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dateOf returns t's civil day, read from t's own calendar fields, as UTC
// midnight.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween counts calendar days from a to b (dates).
func daysBetween(a, b time.Time) int {
	return int(dateOf(b).Sub(dateOf(a)) / (24 * time.Hour))
}

// localMidnight is the instant day (a date) begins in loc.
func localMidnight(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// atOpening is the instant the store opens on day (a date), in loc. The
// offset is wall-clock time, so 8h30m means 08:30 even on a DST change day.
func atOpening(day time.Time, loc *time.Location, opening time.Duration) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, int(opening), loc)
}

// earliest returns the earlier of two dates, ignoring zero values.
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero(), a.Before(b):
		return a
	default:
		return b
	}
}
