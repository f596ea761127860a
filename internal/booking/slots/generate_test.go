package slots

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestDefaultServiceTypes(t *testing.T) {
	var got []string
	for _, st := range DefaultServiceTypes() {
		got = append(got, fmt.Sprintf("%s %s %v", st.Code, st.Duration, st.Pools))
	}
	equal(t, "service types", got, []string{
		"first_service 1h0m0s [bay advisor]",
		"periodic_service 1h30m0s [bay advisor]",
		"repair 2h0m0s [bay advisor]",
		"inspection 30m0s [bay advisor]",
		"seasonal_check 30m0s [bay advisor]",
		"insurance_claim 1h0m0s [advisor]",
		"recall 1h0m0s [bay advisor]",
	})
	// Each call returns fresh slices.
	DefaultServiceTypes()[0].Pools[0] = "changed"
	if DefaultServiceTypes()[0].Pools[0] != PoolBay {
		t.Error("DefaultServiceTypes shares its slices")
	}
}

func TestGenerateGridAndLunchBreak(t *testing.T) {
	if mon.Weekday() != time.Monday {
		t.Fatalf("test calendar: %s is a %s", mon, mon.Weekday())
	}
	tests := []struct {
		code string
		want []string
	}{
		{Inspection, []string{"08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
			"13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30"}},
		// 90 minutes: the last morning start is 10:30 (ends 12:00); 11:00
		// would straddle the lunch break.
		{PeriodicService, []string{"08:30", "09:00", "09:30", "10:00", "10:30",
			"13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"}},
		{Repair, []string{"08:30", "09:00", "09:30", "10:00",
			"13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"}},
		{InsuranceClaim, []string{"08:30", "09:00", "09:30", "10:00", "10:30", "11:00",
			"13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			slots := mustGenerate(t, shStore(), service(tt.code), mon, tue, nil, sundayPM)
			equal(t, "starts", hm(slots), tt.want)
			for _, s := range slots {
				if !s.Available {
					t.Errorf("%s unavailable with no bookings", s.Start)
				}
			}
		})
	}
	slots := mustGenerate(t, shStore(), service(Inspection), mon, tue, nil, sundayPM)
	equal(t, "UTC", utc(slots[:2]), []string{"09-14 00:30Z", "09-14 01:00Z"})
	if s := slots[0]; !s.End.Equal(sh(9, 14, 9, 0)) || remaining(s.Remaining) != "advisor=2,bay=3" {
		t.Errorf("first slot = %s-%s %s", s.Start, s.End, remaining(s.Remaining))
	}
	// A range in the middle of the day keeps only starts in [from, to).
	slots = mustGenerate(t, shStore(), service(Inspection), sh(9, 14, 11, 0), sh(9, 14, 13, 30), nil, sundayPM)
	equal(t, "[11:00, 13:30)", hm(slots), []string{"11:00", "11:30", "13:00"})
}

func TestGenerateCapacity(t *testing.T) {
	type row struct {
		b      Booking
		status string
	}
	active := func(rows ...row) []Booking {
		var out []Booking
		for _, r := range rows {
			if r.status != "cancelled" {
				out = append(out, r.b)
			}
		}
		return out
	}
	nine := sh(9, 14, 9, 0)
	insp := func(start time.Time) Booking { return book(start, 30*time.Minute, PoolBay, PoolAdvisor) }
	bay := func(start time.Time, d time.Duration) Booking { return book(start, d, PoolBay) }
	tests := []struct {
		name      string
		bookings  []Booking
		remaining string
		fits      error
	}{
		{"no bookings", nil, "advisor=5,bay=3", nil},
		{"two of three bays", []Booking{insp(nine), insp(nine)}, "advisor=3,bay=1", nil},
		{"three of three bays", []Booking{insp(nine), insp(nine), insp(nine)}, "advisor=2,bay=0",
			&FullError{PoolBay, nine}},
		{"a cancelled booking frees its bay", active(
			row{insp(nine), "confirmed"}, row{insp(nine), "requested"}, row{insp(nine), "cancelled"}),
			"advisor=3,bay=1", nil},
		{"three bays at 09:30 leave 09:00 free", []Booking{insp(sh(9, 14, 9, 30)), insp(sh(9, 14, 9, 30)),
			insp(sh(9, 14, 9, 30))}, "advisor=5,bay=3", nil},
		{"three 60-minute bookings from 08:30 cover 09:00", []Booking{bay(sh(9, 14, 8, 30), time.Hour),
			bay(sh(9, 14, 8, 30), time.Hour), bay(sh(9, 14, 8, 30), time.Hour)}, "advisor=5,bay=0",
			&FullError{PoolBay, nine}},
		{"bookings ending at 09:00 do not", []Booking{bay(sh(9, 14, 8, 30), 30*time.Minute),
			bay(sh(9, 14, 8, 30), 30*time.Minute), bay(sh(9, 14, 8, 30), 30*time.Minute)}, "advisor=5,bay=3", nil},
		{"off-grid 08:45-09:15 bookings hold the 09:00 step", []Booking{bay(sh(9, 14, 8, 45), 30*time.Minute),
			bay(sh(9, 14, 8, 45), 30*time.Minute), bay(sh(9, 14, 8, 45), 30*time.Minute)}, "advisor=5,bay=0",
			&FullError{PoolBay, nine}},
		{"pools the store lacks are ignored", []Booking{book(nine, time.Hour, "loaner"),
			book(nine, time.Hour, "loaner"), book(nine, time.Hour, "loaner")}, "advisor=5,bay=3", nil},
		{"overbooked shows zero", []Booking{bay(nine, 0), bay(nine, 0), bay(nine, 0), bay(nine, 0)},
			"advisor=5,bay=0", &FullError{PoolBay, nine}},
		{"zero duration holds one step", []Booking{bay(sh(9, 14, 8, 30), 0), bay(sh(9, 14, 8, 30), 0),
			bay(sh(9, 14, 8, 30), 0)}, "advisor=5,bay=3", nil},
		{"a booking on another day does not count", []Booking{insp(sh(9, 15, 9, 0)), insp(sh(9, 15, 9, 0)),
			insp(sh(9, 15, 9, 0))}, "advisor=5,bay=3", nil},
	}
	store := shStore()
	store.Pools = map[string]int{PoolBay: 3, PoolAdvisor: 5}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slots := mustGenerate(t, store, service(Inspection), mon, tue, tt.bookings, sundayPM)
			s := slotAt(t, slots, nine)
			if got := remaining(s.Remaining); got != tt.remaining || s.Available != (tt.fits == nil) {
				t.Errorf("09:00 remaining %s available %v, want %s %v", got, s.Available, tt.remaining, tt.fits == nil)
			}
			wantErr(t, "Fits 09:00", Fits(store, service(Inspection), nine, tt.bookings, sundayPM), tt.fits)
		})
	}
}

func TestGenerateMultiStep(t *testing.T) {
	t.Run("one bay", func(t *testing.T) {
		store := shStore()
		store.Pools = map[string]int{PoolBay: 1, PoolAdvisor: 5}
		bookings := []Booking{
			book(sh(9, 14, 10, 0), 2*time.Hour, PoolBay, PoolAdvisor), // repair 10:00-12:00
			book(sh(9, 14, 13, 15), 30*time.Minute, PoolBay),          // off grid: holds 13:00 and 13:30
		}
		periodic := service(PeriodicService)
		slots := mustGenerate(t, store, periodic, mon, tue, bookings, sundayPM)
		// 08:30-10:00 ends as the repair begins; 09:00-10:30 needs the
		// 10:00 step, which the repair holds.
		equal(t, "periodic", avail(slots), []string{"08:30", "09:00x", "09:30x", "10:00x", "10:30x",
			"13:00x", "13:30x", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"})
		wantErr(t, "Fits 09:00", Fits(store, periodic, sh(9, 14, 9, 0), bookings, sundayPM),
			&FullError{PoolBay, sh(9, 14, 10, 0)})
		wantErr(t, "Fits 13:30", Fits(store, periodic, sh(9, 14, 13, 30), bookings, sundayPM),
			&FullError{PoolBay, sh(9, 14, 13, 30)})
		wantErr(t, "Fits 14:00", Fits(store, periodic, sh(9, 14, 14, 0), bookings, sundayPM), nil)
	})
	t.Run("minimum over the covered steps", func(t *testing.T) {
		store := shStore()
		store.Pools = map[string]int{PoolBay: 3, PoolAdvisor: 5}
		bookings := []Booking{ // bays used: 09:00 2, 09:30 1, 10:00 1
			book(sh(9, 14, 9, 0), 30*time.Minute, PoolBay),
			book(sh(9, 14, 9, 0), 30*time.Minute, PoolBay),
			book(sh(9, 14, 9, 30), time.Hour, PoolBay),
		}
		slots := mustGenerate(t, store, service(PeriodicService), mon, sh(9, 14, 12, 0), bookings, sundayPM)
		var got []string
		for _, s := range slots {
			got = append(got, s.Start.Format("15:04 ")+remaining(s.Remaining))
		}
		equal(t, "remaining", got, []string{"08:30 advisor=5,bay=1", "09:00 advisor=5,bay=1",
			"09:30 advisor=5,bay=2", "10:00 advisor=5,bay=2", "10:30 advisor=5,bay=3"})
	})
}

func TestGeneratePools(t *testing.T) {
	store := shStore()
	store.Pools = map[string]int{PoolBay: 2, PoolAdvisor: 3}
	claim, periodic := service(InsuranceClaim), service(PeriodicService)
	nine := sh(9, 14, 9, 0)
	bookings := []Booking{ // two repairs 09:00-11:00 take both bays
		book(nine, 2*time.Hour, PoolBay, PoolAdvisor),
		book(nine, 2*time.Hour, PoolBay, PoolAdvisor),
	}
	check := func(st ServiceType, bookings []Booking, start time.Time, want string, fits error) {
		t.Helper()
		s := slotAt(t, mustGenerate(t, store, st, mon, tue, bookings, sundayPM), start)
		if got := remaining(s.Remaining); got != want || s.Available != (fits == nil) {
			t.Errorf("%s %s: %s available %v, want %s %v", st.Code, start.Format("15:04"), got, s.Available, want, fits == nil)
		}
		wantErr(t, st.Code+" "+start.Format("15:04"), Fits(store, st, start, bookings, sundayPM), fits)
	}
	// An insurance claim needs only an advisor: no bay left does not matter.
	check(claim, bookings, nine, "advisor=1", nil)
	check(periodic, bookings, nine, "advisor=1,bay=0", &FullError{PoolBay, nine})
	// A claim takes the last advisor at 09:00-10:00.
	bookings = append(bookings, book(nine, time.Hour, PoolAdvisor))
	check(claim, bookings, nine, "advisor=0", &FullError{PoolAdvisor, nine})
	check(claim, bookings, sh(9, 14, 8, 30), "advisor=0", &FullError{PoolAdvisor, nine})
	check(claim, bookings, sh(9, 14, 10, 0), "advisor=1", nil)
	// Both pools are out: the error names the service's first pool.
	check(periodic, bookings, nine, "advisor=0,bay=0", &FullError{PoolBay, nine})
}

func TestGenerateClosures(t *testing.T) {
	from, to := sh(9, 30, 0, 0), sh(10, 5, 0, 0) // Wednesday to Sunday
	now := sh(9, 29, 18, 0)
	slots := mustGenerate(t, shStore(), service(Inspection), from, to, nil, now)
	days := map[string][]Slot{}
	var order []string
	for _, s := range slots {
		d := s.Start.Format("01-02 Mon")
		if days[d] == nil {
			order = append(order, d)
		}
		days[d] = append(days[d], s)
	}
	var got []string
	for _, d := range order {
		ss := days[d]
		got = append(got, fmt.Sprintf("%s %s-%s %d", d, ss[0].Start.Format("15:04"), ss[len(ss)-1].Start.Format("15:04"), len(ss)))
	}
	// 1 October (National Day) is a closure, Sunday has no hours,
	// Saturday is open only in the morning.
	equal(t, "days", got, []string{"09-30 Wed 08:30-17:30 17", "10-02 Fri 08:30-17:30 17", "10-03 Sat 09:00-11:30 6"})

	insp := service(Inspection)
	wantErr(t, "holiday", Fits(shStore(), insp, sh(10, 1, 10, 0), nil, now), ErrClosed)
	wantErr(t, "Sunday", Fits(shStore(), insp, sh(10, 4, 10, 0), nil, now), ErrClosed)
	wantErr(t, "Saturday afternoon", Fits(shStore(), insp, sh(10, 3, 13, 0), nil, now), ErrOutsideHours)
	wantErr(t, "Saturday morning", Fits(shStore(), insp, sh(10, 3, 9, 0), nil, now), nil)
}

func TestLeadTimeAndHorizon(t *testing.T) {
	insp := service(Inspection)
	first3 := func(store Store, from, to, now time.Time) []string {
		t.Helper()
		slots := mustGenerate(t, store, insp, from, to, nil, now)
		return stamps(slots[:min(3, len(slots))])
	}
	store := shStore()
	now := sh(9, 14, 9, 10) // Monday 09:10: the first start is 10:10 or later
	equal(t, "default lead", first3(store, mon, tue, now),
		[]string{"09-14 10:30 +0800", "09-14 11:00 +0800", "09-14 11:30 +0800"})
	wantErr(t, "Fits 10:00", Fits(store, insp, sh(9, 14, 10, 0), nil, now), ErrInPast)
	wantErr(t, "Fits 08:30", Fits(store, insp, sh(9, 14, 8, 30), nil, now), ErrInPast)
	wantErr(t, "Fits 10:30", Fits(store, insp, sh(9, 14, 10, 30), nil, now), nil)
	// Exactly now + lead time is bookable.
	equal(t, "lead boundary", first3(store, mon, tue, sh(9, 14, 9, 30)),
		[]string{"09-14 10:30 +0800", "09-14 11:00 +0800", "09-14 11:30 +0800"})

	noLead := shStore()
	noLead.MinLeadTime = -1
	equal(t, "no lead", first3(noLead, mon, tue, now),
		[]string{"09-14 09:30 +0800", "09-14 10:00 +0800", "09-14 10:30 +0800"})
	wantErr(t, "no lead, Fits 09:00", Fits(noLead, insp, sh(9, 14, 9, 0), nil, now), ErrInPast)

	dayLead := shStore()
	dayLead.MinLeadTime = 24 * time.Hour
	equal(t, "24h lead", first3(dayLead, mon, mon.AddDate(0, 0, 2), now),
		[]string{"09-15 09:30 +0800", "09-15 10:00 +0800", "09-15 10:30 +0800"})

	// 60 days after Monday 14 September 09:10 is Friday 13 November 09:10.
	slots := mustGenerate(t, store, insp, sh(11, 13, 0, 0), sh(11, 14, 0, 0), nil, now)
	equal(t, "horizon", stamps(slots), []string{"11-13 08:30 +0800", "11-13 09:00 +0800"})
	wantErr(t, "Fits 11-13 09:30", Fits(store, insp, sh(11, 13, 9, 30), nil, now), ErrTooFarAhead)
	wantErr(t, "Fits 11-13 09:00", Fits(store, insp, sh(11, 13, 9, 0), nil, now), nil)
	// Beyond the horizon wins over closed: 6 December is a Sunday.
	wantErr(t, "Fits Sunday 12-06", Fits(store, insp, sh(12, 6, 10, 0), nil, now), ErrTooFarAhead)
	slots = mustGenerate(t, store, insp, sh(11, 13, 0, 0), sh(11, 14, 0, 0), nil, sh(9, 14, 9, 0))
	equal(t, "horizon boundary", stamps(slots), []string{"11-13 08:30 +0800", "11-13 09:00 +0800"})
	wantErr(t, "horizon boundary", Fits(store, insp, sh(11, 13, 9, 0), nil, sh(9, 14, 9, 0)), nil)
	slots = mustGenerate(t, store, insp, sh(11, 13, 0, 0), sh(11, 14, 0, 0), nil, sh(9, 14, 9, 0).Add(-time.Second))
	equal(t, "a second short of the horizon", stamps(slots), []string{"11-13 08:30 +0800"})
	wantErr(t, "a second short of the horizon", Fits(store, insp, sh(11, 13, 9, 0), nil, sh(9, 14, 9, 0).Add(-time.Second)), ErrTooFarAhead)
	wantErr(t, "a second short of the lead time", Fits(store, insp, sh(9, 14, 10, 30), nil, sh(9, 14, 9, 30).Add(time.Second)), ErrInPast)

	week := shStore()
	week.BookingHorizon = 7 * 24 * time.Hour
	slots = mustGenerate(t, week, insp, sh(9, 21, 0, 0), sh(9, 22, 0, 0), nil, now)
	equal(t, "7-day horizon", stamps(slots), []string{"09-21 08:30 +0800", "09-21 09:00 +0800"})
}

func TestGridAlignment(t *testing.T) {
	store := shStore()
	store.Hours = map[time.Weekday][]Interval{time.Monday: ivs("08:45-12:00", "13:10-17:00")}
	first := service(FirstService)
	// Each interval's grid starts at its own opening.
	slots := mustGenerate(t, store, first, mon, tue, nil, sundayPM)
	equal(t, "60 min on a 30 min grid", hm(slots), []string{"08:45", "09:15", "09:45", "10:15", "10:45",
		"13:10", "13:40", "14:10", "14:40", "15:10", "15:40"})
	tests := []struct {
		name  string
		start time.Time
		want  error
	}{
		{"08:45", sh(9, 14, 8, 45), nil},
		{"13:40", sh(9, 14, 13, 40), nil},
		{"09:00 is off the morning grid", sh(9, 14, 9, 0), ErrNotOnGrid},
		{"14:00 is off the afternoon grid", sh(9, 14, 14, 0), ErrNotOnGrid},
		{"a second off", sh(9, 14, 9, 15).Add(time.Second), ErrNotOnGrid},
		{"before opening", sh(9, 14, 8, 15), ErrOutsideHours},
		{"lunch", sh(9, 14, 13, 0), ErrOutsideHours},
		{"on the grid but ends after 12:00", sh(9, 14, 11, 15), ErrOutsideHours},
	}
	for _, tt := range tests {
		wantErr(t, tt.name, Fits(store, first, tt.start, nil, sundayPM), tt.want)
	}

	// A 20-minute grid: a 30-minute service covers two steps.
	store.SlotLength = 20 * time.Minute
	store.Pools = map[string]int{PoolBay: 1, PoolAdvisor: 1}
	insp := service(Inspection)
	bookings := []Booking{book(sh(9, 14, 9, 5), 30*time.Minute, PoolBay, PoolAdvisor)} // holds 09:05 and 09:25
	slots = mustGenerate(t, store, insp, mon, tue, bookings, sundayPM)
	equal(t, "30 min on a 20 min grid", avail(slots), []string{
		"08:45x", "09:05x", "09:25x", "09:45", "10:05", "10:25", "10:45", "11:05", "11:25",
		"13:10", "13:30", "13:50", "14:10", "14:30", "14:50", "15:10", "15:30", "15:50", "16:10", "16:30"})
	wantErr(t, "20 min grid 08:45", Fits(store, insp, sh(9, 14, 8, 45), bookings, sundayPM),
		&FullError{PoolBay, sh(9, 14, 9, 5)})
	wantErr(t, "20 min grid 09:15", Fits(store, insp, sh(9, 14, 9, 15), bookings, sundayPM), ErrNotOnGrid)
}

func TestFits(t *testing.T) {
	insp, periodic, repair := service(Inspection), service(PeriodicService), service(Repair)
	full := []Booking{ // both advisors at 09:00
		book(sh(9, 14, 9, 0), 30*time.Minute, PoolBay, PoolAdvisor),
		book(sh(9, 14, 9, 0), time.Hour, PoolAdvisor),
	}
	tests := []struct {
		name     string
		st       ServiceType
		start    time.Time
		bookings []Booking
		want     error
	}{
		{"opening", insp, sh(9, 14, 8, 30), nil, nil},
		{"last inspection", insp, sh(9, 14, 17, 30), nil, nil},
		{"last periodic of the morning", periodic, sh(9, 14, 10, 30), nil, nil},
		{"last repair", repair, sh(9, 14, 16, 0), nil, nil},
		{"before opening", insp, sh(9, 14, 8, 0), nil, ErrOutsideHours},
		{"lunch", insp, sh(9, 14, 12, 0), nil, ErrOutsideHours},
		{"straddles lunch", periodic, sh(9, 14, 11, 0), nil, ErrOutsideHours},
		{"runs past closing", repair, sh(9, 14, 17, 0), nil, ErrOutsideHours},
		{"at closing", insp, sh(9, 14, 18, 0), nil, ErrOutsideHours},
		{"off grid", insp, sh(9, 14, 8, 45), nil, ErrNotOnGrid},
		{"Sunday", insp, sh(9, 20, 10, 0), nil, ErrClosed},
		{"holiday", insp, sh(10, 1, 10, 0), nil, ErrClosed},
		{"in the past", insp, sh(9, 11, 10, 0), nil, ErrInPast},
		{"too far ahead", insp, sh(11, 16, 10, 0), nil, ErrTooFarAhead},
		{"full", insp, sh(9, 14, 9, 0), full, &FullError{PoolAdvisor, sh(9, 14, 9, 0)}},
		{"full one step later", periodic, sh(9, 14, 8, 30), full, &FullError{PoolAdvisor, sh(9, 14, 9, 0)}},
		{"one advisor back at 09:30", insp, sh(9, 14, 9, 30), full, nil},
		{"instant given in UTC", insp, sh(9, 14, 8, 30).UTC(), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "Fits", Fits(shStore(), tt.st, tt.start, tt.bookings, sundayPM), tt.want)
		})
	}
	var fe *FullError
	err := Fits(shStore(), insp, sh(9, 14, 9, 0), full, sundayPM)
	if !errors.As(err, &fe) || err.Error() != "slots: slot is full: no advisor left at 2026-09-14 09:00 +0800" {
		t.Errorf("FullError text = %v", err)
	}
}

func TestValidation(t *testing.T) {
	insp := service(Inspection)
	with := func(f func(*Store)) Store { s := shStore(); f(&s); return s }
	tests := []struct {
		name     string
		store    Store
		st       ServiceType
		from, to time.Time
		want     error
	}{
		{"ok", shStore(), insp, mon, tue, nil},
		{"empty range", shStore(), insp, mon, mon, ErrInvalidRange},
		{"reversed range", shStore(), insp, tue, mon, ErrInvalidRange},
		{"31 days", shStore(), insp, mon, mon.AddDate(0, 0, 31), nil},
		{"31 days and a minute", shStore(), insp, mon, mon.AddDate(0, 0, 31).Add(time.Minute), ErrInvalidRange},
		{"October in Berlin has 31 days and an hour", with(func(s *Store) { s.Location = berlin }), insp,
			at(berlin, 2026, 10, 1, 0, 0), at(berlin, 2026, 11, 1, 0, 0), nil},
		{"unknown pool", shStore(), ServiceType{"tyres", time.Hour, []string{PoolBay, "lift"}}, mon, tue, ErrUnknownPool},
		{"no pools", shStore(), ServiceType{"tyres", time.Hour, nil}, mon, tue, ErrInvalidService},
		{"pool twice", shStore(), ServiceType{"tyres", time.Hour, []string{PoolBay, PoolBay}}, mon, tue, ErrInvalidService},
		{"no duration", shStore(), ServiceType{"tyres", 0, []string{PoolBay}}, mon, tue, ErrInvalidService},
		{"no location", with(func(s *Store) { s.Location = nil }), insp, mon, tue, ErrInvalidStore},
		{"overlapping hours", with(func(s *Store) { s.Hours[time.Monday] = ivs("13:00-18:00", "08:30-13:30") }),
			insp, mon, tue, ErrInvalidStore},
		{"hours past midnight", with(func(s *Store) { s.Hours[time.Monday] = []Interval{{Clock(20, 0), Clock(25, 0)}} }),
			insp, mon, tue, ErrInvalidStore},
		{"empty interval", with(func(s *Store) { s.Hours[time.Monday] = []Interval{{Clock(9, 0), Clock(9, 0)}} }),
			insp, mon, tue, ErrInvalidStore},
		{"bad peak", with(func(s *Store) { s.PeakHours = []Interval{{Clock(10, 0), Clock(9, 0)}} }),
			insp, mon, tue, ErrInvalidStore},
		{"negative capacity", with(func(s *Store) { s.Pools[PoolBay] = -1 }), insp, mon, tue, ErrInvalidStore},
		{"negative slot length", with(func(s *Store) { s.SlotLength = -time.Minute }), insp, mon, tue, ErrInvalidStore},
		{"negative horizon", with(func(s *Store) { s.BookingHorizon = -time.Hour }), insp, mon, tue, ErrInvalidStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.store, tt.st, tt.from, tt.to, nil, sundayPM)
			wantErr(t, "Generate", err, tt.want)
			if tt.want != ErrInvalidRange {
				loc := shanghai
				if tt.store.Location != nil {
					loc = tt.store.Location
				}
				wantErr(t, "Fits", Fits(tt.store, tt.st, at(loc, 2026, 9, 14, 8, 30), nil, sundayPM), tt.want)
			}
			if tt.want == nil || tt.want == ErrInvalidRange || tt.want == ErrInvalidStore {
				_, err := Occupancy(tt.store, tt.from, tt.to, nil)
				wantErr(t, "Occupancy", err, tt.want)
			}
		})
	}
	// Unsorted, touching intervals are fine and keep a service inside one.
	store := with(func(s *Store) { s.Hours[time.Monday] = ivs("12:00-13:00", "11:00-12:00") })
	slots := mustGenerate(t, store, service(FirstService), mon, tue, nil, sundayPM)
	equal(t, "touching intervals", hm(slots), []string{"11:00", "12:00"})
}

func TestParseInterval(t *testing.T) {
	for _, s := range []string{"08:30-12:00", "00:00-24:00", "13:00 - 18:00"} {
		i, err := ParseInterval(s)
		if err != nil {
			t.Errorf("ParseInterval(%q): %v", s, err)
		}
		if i.String() == "" || i.End-i.Start <= 0 {
			t.Errorf("ParseInterval(%q) = %v", s, i)
		}
	}
	if i := iv("08:30-12:00"); i != (Interval{Clock(8, 30), Clock(12, 0)}) || i.String() != "08:30-12:00" {
		t.Errorf("08:30-12:00 = %+v %s", i, i)
	}
	for _, s := range []string{"", "08:30", "12:00-08:30", "8:3-9:00", "08:60-09:00", "24:30-25:00", "09:00-09:00", "a:b-c:d"} {
		if _, err := ParseInterval(s); err == nil {
			t.Errorf("ParseInterval(%q) = nil error", s)
		}
	}
}
