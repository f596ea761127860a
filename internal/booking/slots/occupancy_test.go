package slots

import (
	"fmt"
	"testing"
	"time"
)

func TestOccupancy(t *testing.T) {
	format := func(steps []Step) []string {
		var out []string
		for _, s := range steps {
			out = append(out, fmt.Sprintf("%s-%s bay %d/%d advisor %d/%d", s.Start.Format("15:04"), s.End.Format("15:04"),
				s.Used[PoolBay], s.Free[PoolBay], s.Used[PoolAdvisor], s.Free[PoolAdvisor]))
		}
		return out
	}
	bookings := []Booking{
		book(sh(9, 14, 9, 0), 2*time.Hour, PoolBay, PoolAdvisor), // repair 09:00-11:00
		book(sh(9, 14, 9, 30), time.Hour, PoolAdvisor),           // insurance claim
		book(sh(9, 14, 13, 15), 30*time.Minute, PoolBay),         // off grid
		book(sh(9, 14, 14, 0), 0, PoolBay), book(sh(9, 14, 14, 0), 0, PoolBay),
		book(sh(9, 14, 14, 0), 0, PoolBay), book(sh(9, 14, 14, 0), 0, PoolBay), // overbooked
		book(sh(9, 14, 12, 0), time.Hour, PoolBay), // in the lunch break
	}
	steps, err := Occupancy(shStore(), mon, tue, bookings)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "Monday", format(steps), []string{
		"08:30-09:00 bay 0/3 advisor 0/2",
		"09:00-09:30 bay 1/2 advisor 1/1",
		"09:30-10:00 bay 1/2 advisor 2/0",
		"10:00-10:30 bay 1/2 advisor 2/0",
		"10:30-11:00 bay 1/2 advisor 1/1",
		"11:00-11:30 bay 0/3 advisor 0/2",
		"11:30-12:00 bay 0/3 advisor 0/2",
		"13:00-13:30 bay 1/2 advisor 0/2",
		"13:30-14:00 bay 1/2 advisor 0/2",
		"14:00-14:30 bay 4/-1 advisor 0/2",
		"14:30-15:00 bay 0/3 advisor 0/2",
		"15:00-15:30 bay 0/3 advisor 0/2",
		"15:30-16:00 bay 0/3 advisor 0/2",
		"16:00-16:30 bay 0/3 advisor 0/2",
		"16:30-17:00 bay 0/3 advisor 0/2",
		"17:00-17:30 bay 0/3 advisor 0/2",
		"17:30-18:00 bay 0/3 advisor 0/2",
	})

	// A range inside the day; a closing that is not on the grid.
	store := shStore()
	store.Hours = map[time.Weekday][]Interval{time.Monday: ivs("08:00-09:45")}
	steps, err = Occupancy(store, sh(9, 14, 8, 30), sh(9, 15, 12, 0), []Booking{book(sh(9, 14, 9, 40), time.Hour, PoolBay)})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "partial last step", format(steps), []string{
		"08:30-09:00 bay 0/3 advisor 0/2",
		"09:00-09:30 bay 0/3 advisor 0/2",
		"09:30-09:45 bay 1/2 advisor 0/2",
	})

	// Across the New York fall-back: the repeated hour has its own steps.
	ny := nightStore(newYork)
	steps, err = Occupancy(ny, at(newYork, 2026, 11, 1, 0, 0), at(newYork, 2026, 11, 1, 2, 0),
		[]Booking{book(time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), time.Hour, PoolBay)}) // 01:30 EDT-01:00 EST
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		got = append(got, fmt.Sprintf("%s %d", s.Start.Format("15:04 -0700"), s.Used[PoolBay]))
	}
	equal(t, "fall-back steps", got, []string{"01:00 -0400 0", "01:30 -0400 1", "01:00 -0500 1", "01:30 -0500 0"})
}
