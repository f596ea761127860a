package slots

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the host's zoneinfo
)

var (
	shanghai = mustZone("Asia/Shanghai")
	newYork  = mustZone("America/New_York")
	berlin   = mustZone("Europe/Berlin")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall-clock instant in loc (not for ambiguous or skipped times).
func at(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, loc)
}

// sh is a Shanghai wall-clock instant in September-November 2026.
func sh(m time.Month, d, h, mi int) time.Time { return at(shanghai, 2026, m, d, h, mi) }

func iv(s string) Interval {
	i, err := ParseInterval(s)
	if err != nil {
		panic(err)
	}
	return i
}

func ivs(ss ...string) []Interval {
	var out []Interval
	for _, s := range ss {
		out = append(out, iv(s))
	}
	return out
}

// shStore is the main test store: Shanghai, weekdays 08:30-12:00 and
// 13:00-18:00, Saturday 09:00-12:00, Sunday closed, National Day closed,
// 3 bays and 2 advisors, peaks 09:00-10:30 and 16:30-18:00.
func shStore() Store {
	week := ivs("08:30-12:00", "13:00-18:00")
	return Store{
		Location: shanghai,
		Hours: map[time.Weekday][]Interval{
			time.Monday: week, time.Tuesday: week, time.Wednesday: week,
			time.Thursday: week, time.Friday: week, time.Saturday: ivs("09:00-12:00"),
		},
		Closures:  map[string]bool{"2026-10-01": true},
		Pools:     map[string]int{PoolBay: 3, PoolAdvisor: 2},
		PeakHours: ivs("09:00-10:30", "16:30-18:00"),
	}
}

// mon is Monday 14 September 2026 in Shanghai; now is the evening before.
var (
	mon      = sh(9, 14, 0, 0)
	tue      = sh(9, 15, 0, 0)
	sundayPM = sh(9, 13, 18, 0)
)

func service(code string) ServiceType {
	for _, st := range DefaultServiceTypes() {
		if st.Code == code {
			return st
		}
	}
	panic("no service " + code)
}

func book(start time.Time, d time.Duration, pools ...string) Booking {
	return Booking{Start: start, Duration: d, Pools: pools}
}

// hm formats slot starts as "15:04", for one-day lists in a zone without
// DST changes; stamps as "01-02 15:04 -0700"; utc as "01-02 15:04Z".
func hm(slots []Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.Format("15:04"))
	}
	return out
}

func stamps(slots []Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.Format("01-02 15:04 -0700"))
	}
	return out
}

func utc(slots []Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.UTC().Format("01-02 15:04Z"))
	}
	return out
}

// avail formats slots as "15:04" with "x" appended when unavailable.
func avail(slots []Slot) []string {
	var out []string
	for _, s := range slots {
		mark := ""
		if !s.Available {
			mark = "x"
		}
		out = append(out, s.Start.Format("15:04")+mark)
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, " "), strings.Join(want, " "))
	}
}

func mustGenerate(t *testing.T, store Store, st ServiceType, from, to time.Time, bookings []Booking, now time.Time) []Slot {
	t.Helper()
	slots, err := Generate(store, st, from, to, bookings, now)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	for _, s := range slots {
		if !s.End.Equal(s.Start.Add(st.Duration)) {
			t.Errorf("slot %s ends %s, want start+%s", s.Start, s.End, st.Duration)
		}
		if s.Start.Location() != store.Location {
			t.Errorf("slot %s not in the store's location", s.Start)
		}
	}
	return slots
}

func slotAt(t *testing.T, slots []Slot, start time.Time) Slot {
	t.Helper()
	for _, s := range slots {
		if s.Start.Equal(start) {
			return s
		}
	}
	t.Fatalf("no slot at %s", start)
	return Slot{}
}

// wantErr checks err against want: nil, a sentinel, or a *FullError.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	var wf *FullError
	switch {
	case want == nil:
		if err != nil {
			t.Errorf("%s: err = %v, want nil", what, err)
		}
	case errors.As(want, &wf):
		var gf *FullError
		if !errors.As(err, &gf) || gf.Pool != wf.Pool || !gf.At.Equal(wf.At) {
			t.Errorf("%s: err = %v, want %v", what, err, want)
		}
		if !errors.Is(err, ErrFull) {
			t.Errorf("%s: errors.Is(%v, ErrFull) = false", what, err)
		}
	default:
		if !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", what, err, want)
		}
	}
}

func remaining(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, ",")
}
