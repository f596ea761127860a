package slots

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// TestGenerateFitsAgree checks, for random bookings, capacities, services,
// horizons and nows, that every instant of the range (every 5 minutes, and
// each slot) is Available in Generate exactly when Fits returns nil, that a
// listed but unavailable slot is ErrFull and an unlisted instant is never
// ErrFull, and that Remaining matches a brute-force count.
func TestGenerateFitsAgree(t *testing.T) {
	week := ivs("08:30-12:00", "13:00-18:00")
	nyHours := map[time.Weekday][]Interval{time.Sunday: ivs("01:00-04:00", "09:00-12:00")}
	for wd := time.Monday; wd <= time.Saturday; wd++ {
		nyHours[wd] = week
	}
	cases := []struct {
		name  string
		store Store
		from  time.Time
		days  int
	}{
		{"Shanghai week", shStore(), mon, 7},
		{"New York fall-back", Store{Location: newYork, Hours: nyHours, PeakHours: ivs("09:00-10:00"),
			Closures: map[string]bool{"2026-10-30": true}}, at(newYork, 2026, 10, 29, 0, 0), 5},
		{"Berlin spring-forward", Store{Location: berlin, Hours: map[time.Weekday][]Interval{
			time.Sunday: ivs("01:00-04:00"), time.Saturday: week, time.Monday: week}},
			at(berlin, 2026, 3, 28, 0, 0), 3},
	}
	durations := []time.Duration{0, 15 * time.Minute, 30 * time.Minute, 45 * time.Minute, time.Hour,
		90 * time.Minute, 2 * time.Hour}
	poolNames := []string{PoolBay, PoolAdvisor, "loaner"}
	types := DefaultServiceTypes()
	types = append(types, ServiceType{"tyres", 45 * time.Minute, []string{PoolAdvisor, PoolBay}})
	r := rand.New(rand.NewPCG(2026, 9))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			to := c.from.AddDate(0, 0, c.days)
			span := to.Sub(c.from)
			for iter := range 40 {
				store := c.store
				store.Pools = map[string]int{PoolBay: 1 + r.IntN(3), PoolAdvisor: 1 + r.IntN(2)}
				store.BookingHorizon = []time.Duration{0, 2 * 24 * time.Hour, 36 * time.Hour}[r.IntN(3)]
				store.MinLeadTime = []time.Duration{0, -1, 3 * time.Hour}[r.IntN(3)]
				st := types[r.IntN(len(types))]
				// now on the half hour, or a second either side, so that
				// now+MinLeadTime and now+BookingHorizon hit grid starts.
				now := c.from.Add(-12*time.Hour + time.Duration(r.IntN(96))*30*time.Minute +
					time.Duration(r.IntN(3)-1)*time.Second)
				var bookings []Booking
				for range r.IntN(40) {
					start := c.from.Add(time.Duration(r.IntN(int(span/(15*time.Minute)))) * 15 * time.Minute)
					if r.IntN(4) == 0 {
						start = start.Add(time.Duration(r.IntN(15)) * time.Minute)
					}
					var pools []string
					for _, p := range poolNames {
						if r.IntN(3) > 0 {
							pools = append(pools, p)
						}
					}
					bookings = append(bookings, Booking{start, durations[r.IntN(len(durations))], pools})
				}
				slots, err := Generate(store, st, c.from, to, bookings, now)
				if err != nil {
					t.Fatal(err)
				}
				listed := map[int64]Slot{}
				for i, s := range slots {
					if i > 0 && !s.Start.After(slots[i-1].Start) {
						t.Fatalf("iter %d: slots out of order at %s", iter, s.Start)
					}
					listed[s.Start.UnixNano()] = s
					checkRemaining(t, store, st, s, bookings)
				}
				check := func(at time.Time) {
					err := Fits(store, st, at, bookings, now)
					s, ok := listed[at.UnixNano()]
					switch {
					case ok && s.Available:
						if err != nil {
							t.Fatalf("iter %d %s %s: Available but Fits = %v", iter, st.Code, at, err)
						}
					case ok:
						var fe *FullError
						if !errors.As(err, &fe) || s.Remaining[fe.Pool] != 0 {
							t.Fatalf("iter %d %s %s: unavailable %v but Fits = %v", iter, st.Code, at, s.Remaining, err)
						}
					default:
						if err == nil || errors.Is(err, ErrFull) {
							t.Fatalf("iter %d %s %s: not listed but Fits = %v", iter, st.Code, at, err)
						}
					}
				}
				for at := c.from; at.Before(to); at = at.Add(5 * time.Minute) {
					check(at)
				}
				for _, s := range slots {
					check(s.Start)
				}
			}
		})
	}
}

// checkRemaining recounts a slot's Remaining the slow way: the test stores
// have whole 30-minute grid steps, so step i of the slot is
// [Start+i*30m, Start+(i+1)*30m).
func checkRemaining(t *testing.T, store Store, st ServiceType, s Slot, bookings []Booking) {
	t.Helper()
	const step = 30 * time.Minute
	available := true
	for _, p := range st.Pools {
		least := store.Pools[p]
		for from := s.Start; from.Before(s.End); from = from.Add(step) {
			to, used := from.Add(step), 0
			for _, b := range bookings {
				d := b.Duration
				if d <= 0 {
					d = step
				}
				if b.Start.Before(to) && from.Before(b.Start.Add(d)) {
					for _, bp := range b.Pools {
						if bp == p {
							used++
						}
					}
				}
			}
			least = min(least, store.Pools[p]-used)
		}
		if s.Remaining[p] != max(least, 0) {
			t.Fatalf("%s %s: Remaining[%s] = %d, want %d", st.Code, s.Start, p, s.Remaining[p], max(least, 0))
		}
		available = available && least > 0
	}
	if len(s.Remaining) != len(st.Pools) || s.Available != available {
		t.Fatalf("%s %s: Remaining %v Available %v", st.Code, s.Start, s.Remaining, s.Available)
	}
}
