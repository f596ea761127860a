package slots

import (
	"fmt"
	"testing"
	"time"
)

// Daylight-saving days of 2026 (all Sundays):
//
//	New York: 8 March 02:00 EST -> 03:00 EDT; 1 November 02:00 EDT -> 01:00 EST.
//	Berlin:  29 March 02:00 CET -> 03:00 CEST; 25 October 03:00 CEST -> 02:00 CET.
//	Sydney:   5 April 03:00 AEDT -> 02:00 AEST; 4 October 02:00 AEST -> 03:00 AEDT.

func TestWallInstant(t *testing.T) {
	sydney := mustZone("Australia/Sydney")
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		loc  *time.Location
		day  time.Time
		off  time.Duration
		want string
	}{
		{"Shanghai", shanghai, day(9, 14), Clock(8, 30), "2026-09-14T08:30:00+08:00"},
		{"Shanghai midnight end", shanghai, day(9, 14), Clock(24, 0), "2026-09-15T00:00:00+08:00"},
		{"New York before the gap", newYork, day(3, 8), Clock(1, 59), "2026-03-08T01:59:00-05:00"},
		{"New York in the gap", newYork, day(3, 8), Clock(2, 30), "2026-03-08T03:00:00-04:00"},
		{"New York gap start", newYork, day(3, 8), Clock(2, 0), "2026-03-08T03:00:00-04:00"},
		{"New York after the gap", newYork, day(3, 8), Clock(3, 0), "2026-03-08T03:00:00-04:00"},
		{"New York repeated: first", newYork, day(11, 1), Clock(1, 30), "2026-11-01T01:30:00-04:00"},
		{"New York after the repeat", newYork, day(11, 1), Clock(2, 0), "2026-11-01T02:00:00-05:00"},
		{"Berlin in the gap", berlin, day(3, 29), Clock(2, 30), "2026-03-29T03:00:00+02:00"},
		{"Berlin repeated: first", berlin, day(10, 25), Clock(2, 30), "2026-10-25T02:30:00+02:00"},
		{"Berlin after the repeat", berlin, day(10, 25), Clock(3, 0), "2026-10-25T03:00:00+01:00"},
		{"Sydney repeated: first", sydney, day(4, 5), Clock(2, 30), "2026-04-05T02:30:00+11:00"},
		{"Sydney in the gap", sydney, day(10, 4), Clock(2, 30), "2026-10-04T03:00:00+11:00"},
		{"UTC", time.UTC, day(3, 8), Clock(2, 30), "2026-03-08T02:30:00Z"},
	}
	for _, tt := range tests {
		if got := wallInstant(tt.loc, tt.day, tt.off).Format(time.RFC3339); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// nightStore opens 01:00-04:00 on Sundays, across the DST change.
func nightStore(loc *time.Location, hours ...string) Store {
	if len(hours) == 0 {
		hours = []string{"01:00-04:00"}
	}
	return Store{Location: loc, Hours: map[time.Weekday][]Interval{time.Sunday: ivs(hours...)},
		Pools: map[string]int{PoolBay: 1, PoolAdvisor: 1}, MinLeadTime: -1}
}

func TestDSTNight(t *testing.T) {
	tests := []struct {
		name  string
		store Store
		day   time.Time // local midnight before the change
		code  string
		local []string
		utc   []string
	}{
		{"New York spring forward: no 02:xx", nightStore(newYork), at(newYork, 2026, 3, 8, 0, 0), Inspection,
			[]string{"03-08 01:00 -0500", "03-08 01:30 -0500", "03-08 03:00 -0400", "03-08 03:30 -0400"},
			[]string{"03-08 06:00Z", "03-08 06:30Z", "03-08 07:00Z", "03-08 07:30Z"}},
		{"New York spring forward, 90 min", nightStore(newYork), at(newYork, 2026, 3, 8, 0, 0), PeriodicService,
			[]string{"03-08 01:00 -0500", "03-08 01:30 -0500"},
			[]string{"03-08 06:00Z", "03-08 06:30Z"}},
		{"New York fall back: four real hours, both 01:xx", nightStore(newYork), at(newYork, 2026, 11, 1, 0, 0), Inspection,
			[]string{"11-01 01:00 -0400", "11-01 01:30 -0400", "11-01 01:00 -0500", "11-01 01:30 -0500",
				"11-01 02:00 -0500", "11-01 02:30 -0500", "11-01 03:00 -0500", "11-01 03:30 -0500"},
			[]string{"11-01 05:00Z", "11-01 05:30Z", "11-01 06:00Z", "11-01 06:30Z",
				"11-01 07:00Z", "11-01 07:30Z", "11-01 08:00Z", "11-01 08:30Z"}},
		{"New York fall back, 2 h", nightStore(newYork), at(newYork, 2026, 11, 1, 0, 0), Repair,
			[]string{"11-01 01:00 -0400", "11-01 01:30 -0400", "11-01 01:00 -0500", "11-01 01:30 -0500", "11-01 02:00 -0500"},
			[]string{"11-01 05:00Z", "11-01 05:30Z", "11-01 06:00Z", "11-01 06:30Z", "11-01 07:00Z"}},
		{"Berlin spring forward", nightStore(berlin), at(berlin, 2026, 3, 29, 0, 0), Inspection,
			[]string{"03-29 01:00 +0100", "03-29 01:30 +0100", "03-29 03:00 +0200", "03-29 03:30 +0200"},
			[]string{"03-29 00:00Z", "03-29 00:30Z", "03-29 01:00Z", "03-29 01:30Z"}},
		{"Berlin fall back: both 02:xx", nightStore(berlin), at(berlin, 2026, 10, 25, 0, 0), Inspection,
			[]string{"10-25 01:00 +0200", "10-25 01:30 +0200", "10-25 02:00 +0200", "10-25 02:30 +0200",
				"10-25 02:00 +0100", "10-25 02:30 +0100", "10-25 03:00 +0100", "10-25 03:30 +0100"},
			[]string{"10-24 23:00Z", "10-24 23:30Z", "10-25 00:00Z", "10-25 00:30Z",
				"10-25 01:00Z", "10-25 01:30Z", "10-25 02:00Z", "10-25 02:30Z"}},
		{"opening inside the gap opens when it ends", nightStore(newYork, "02:30-04:00"), at(newYork, 2026, 3, 8, 0, 0), Inspection,
			[]string{"03-08 03:00 -0400", "03-08 03:30 -0400"},
			[]string{"03-08 07:00Z", "03-08 07:30Z"}},
		{"an interval inside the gap vanishes", nightStore(newYork, "00:00-01:00", "02:00-02:45"), at(newYork, 2026, 3, 8, 0, 0), Inspection,
			[]string{"03-08 00:00 -0500", "03-08 00:30 -0500"},
			[]string{"03-08 05:00Z", "03-08 05:30Z"}},
		{"closing at a repeated time closes at its first occurrence", nightStore(newYork, "00:00-01:30"), at(newYork, 2026, 11, 1, 0, 0), Inspection,
			[]string{"11-01 00:00 -0400", "11-01 00:30 -0400", "11-01 01:00 -0400"},
			[]string{"11-01 04:00Z", "11-01 04:30Z", "11-01 05:00Z"}},
		{"opening at a repeated time opens at its first occurrence", nightStore(berlin, "02:30-04:00"), at(berlin, 2026, 10, 25, 0, 0), Inspection,
			[]string{"10-25 02:30 +0200", "10-25 02:00 +0100", "10-25 02:30 +0100", "10-25 03:00 +0100", "10-25 03:30 +0100"},
			[]string{"10-25 00:30Z", "10-25 01:00Z", "10-25 01:30Z", "10-25 02:00Z", "10-25 02:30Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.day.AddDate(0, 0, -10)
			slots := mustGenerate(t, tt.store, service(tt.code), tt.day, tt.day.AddDate(0, 0, 1), nil, now)
			equal(t, "local", stamps(slots), tt.local)
			equal(t, "UTC", utc(slots), tt.utc)
			seen := map[int64]bool{}
			for i, s := range slots {
				if seen[s.Start.Unix()] {
					t.Errorf("instant %s listed twice", s.Start)
				}
				seen[s.Start.Unix()] = true
				if i > 0 && s.Start.Sub(slots[i-1].Start)%(30*time.Minute) != 0 {
					t.Errorf("%s is off the real-time grid after %s", s.Start, slots[i-1].Start)
				}
				if err := Fits(tt.store, service(tt.code), s.Start, nil, now); err != nil {
					t.Errorf("Fits(%s) = %v", s.Start, err)
				}
			}
		})
	}
}

func TestDSTNightCapacityAndFits(t *testing.T) {
	store, insp, periodic := nightStore(newYork), service(Inspection), service(PeriodicService)
	now := at(newYork, 2026, 10, 20, 0, 0)
	z := func(h, m int) time.Time { return time.Date(2026, 11, 1, h, m, 0, 0, time.UTC) }
	// The first 01:30 (EDT, 05:30Z) is taken; the second (EST, 06:30Z) is free.
	bookings := []Booking{book(z(5, 30), 30*time.Minute, PoolBay, PoolAdvisor)}
	slots := mustGenerate(t, store, insp, at(newYork, 2026, 11, 1, 0, 0), at(newYork, 2026, 11, 2, 0, 0), bookings, now)
	var got []string
	for _, s := range slots[:4] {
		got = append(got, fmt.Sprintf("%s %v", s.Start.Format("15:04 -0700"), s.Available))
	}
	equal(t, "fall-back capacity", got, []string{"01:00 -0400 true", "01:30 -0400 false", "01:00 -0500 true", "01:30 -0500 true"})
	wantErr(t, "01:30 EDT", Fits(store, insp, z(5, 30), bookings, now), &FullError{PoolBay, z(5, 30)})
	wantErr(t, "01:30 EST", Fits(store, insp, z(6, 30), bookings, now), nil)
	wantErr(t, "00:30 EDT", Fits(store, insp, z(4, 30), bookings, now), ErrOutsideHours)
	wantErr(t, "04:00 EST", Fits(store, insp, z(9, 0), bookings, now), ErrOutsideHours)
	wantErr(t, "off grid", Fits(store, insp, z(6, 15), bookings, now), ErrNotOnGrid)
	wantErr(t, "periodic 02:30 EST ends at closing", Fits(store, periodic, z(7, 30), bookings, now), nil)
	wantErr(t, "periodic 03:00 EST ends after", Fits(store, periodic, z(8, 0), bookings, now), ErrOutsideHours)

	s := func(h, m int) time.Time { return time.Date(2026, 3, 8, h, m, 0, 0, time.UTC) }
	now = at(newYork, 2026, 3, 1, 0, 0)
	wantErr(t, "spring 01:30 EST", Fits(store, insp, s(6, 30), nil, now), nil)
	wantErr(t, "spring 03:00 EDT", Fits(store, insp, s(7, 0), nil, now), nil)
	wantErr(t, "spring 03:15 EDT", Fits(store, insp, s(7, 15), nil, now), ErrNotOnGrid)
	wantErr(t, "spring 04:00 EDT", Fits(store, insp, s(8, 0), nil, now), ErrOutsideHours)
	wantErr(t, "spring periodic 03:00 EDT", Fits(store, periodic, s(7, 0), nil, now), ErrOutsideHours)
}

func TestDSTDay(t *testing.T) {
	dayStore := func(loc *time.Location) Store {
		hours := map[time.Weekday][]Interval{}
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			hours[wd] = ivs("08:00-18:00")
		}
		return Store{Location: loc, Hours: hours, Pools: map[string]int{PoolBay: 2, PoolAdvisor: 2}}
	}
	tests := []struct {
		name string
		loc  *time.Location
		from time.Time // three local days around the change
		want []string
	}{
		{"New York spring", newYork, at(newYork, 2026, 3, 7, 0, 0), []string{
			"03-07 20 slots 13:00Z-22:30Z", "03-08 20 slots 12:00Z-21:30Z", "03-09 20 slots 12:00Z-21:30Z"}},
		{"New York fall", newYork, at(newYork, 2026, 10, 31, 0, 0), []string{
			"10-31 20 slots 12:00Z-21:30Z", "11-01 20 slots 13:00Z-22:30Z", "11-02 20 slots 13:00Z-22:30Z"}},
		{"Berlin spring", berlin, at(berlin, 2026, 3, 28, 0, 0), []string{
			"03-28 20 slots 07:00Z-16:30Z", "03-29 20 slots 06:00Z-15:30Z", "03-30 20 slots 06:00Z-15:30Z"}},
		{"Berlin fall", berlin, at(berlin, 2026, 10, 24, 0, 0), []string{
			"10-24 20 slots 06:00Z-15:30Z", "10-25 20 slots 07:00Z-16:30Z", "10-26 20 slots 07:00Z-16:30Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.from.AddDate(0, 0, -7)
			slots := mustGenerate(t, dayStore(tt.loc), service(Inspection), tt.from, tt.from.AddDate(0, 0, 3), nil, now)
			byDay := map[string][]Slot{}
			var order []string
			for _, s := range slots {
				d := s.Start.Format("01-02")
				if byDay[d] == nil {
					order = append(order, d)
				}
				byDay[d] = append(byDay[d], s)
				if h := s.Start.Hour(); h < 8 || h >= 18 || s.Start.Minute()%30 != 0 {
					t.Errorf("slot at local %s", s.Start.Format("15:04 -0700"))
				}
			}
			var got []string
			for _, d := range order {
				ss := byDay[d]
				got = append(got, fmt.Sprintf("%s %d slots %s-%s", d, len(ss),
					ss[0].Start.UTC().Format("15:04Z"), ss[len(ss)-1].Start.UTC().Format("15:04Z")))
			}
			equal(t, "days", got, tt.want)
		})
	}
}
