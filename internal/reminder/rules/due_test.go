package rules

import (
	"slices"
	"testing"
	"time"
)

// step is one moment of a scenario and what must be due then.
type step struct {
	name string
	now  time.Time
	want want
}

func runSteps(t *testing.T, k Kind, v Vehicle, o Owner, store Store, cfg Config, steps []step) {
	t.Helper()
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			checkReminder(t, Due(v, o, store, cfg, s.now), k, s.want)
		})
	}
}

func TestDueFirstServiceWindow(t *testing.T) {
	cfg := DefaultConfig()
	open := func(y int, m time.Month, d int) time.Time { return at(shanghai, y, m, d, 8, 30) }
	// Delivered Monday 4 January 2027, no readings: default 40 km/day
	// reaches 3,000 km on 20 March, so 2 months (4 March) come first.
	v := Vehicle{ID: 7, DeliveryDate: date(2027, 1, 4)}
	w := func(send time.Time) want {
		return want{present: true, cycle: "first_service", dueAt: date(2027, 3, 4), sendAt: send,
			expires: at(shanghai, 2027, 4, 5, 0, 0)}
	}
	runSteps(t, KindFirstService, v, Owner{}, shStore, cfg, []step{
		{"day before the window", at(shanghai, 2027, 3, 3, 23, 59), want{}},
		{"first day before opening: sent at opening", at(shanghai, 2027, 3, 4, 0, 0), w(open(2027, 3, 4))},
		{"first day after opening: sent now", at(shanghai, 2027, 3, 4, 9, 0), w(at(shanghai, 2027, 3, 4, 9, 0))},
		{"last day (3 months)", at(shanghai, 2027, 4, 4, 23, 59), w(at(shanghai, 2027, 4, 4, 23, 59))},
		{"after the window", at(shanghai, 2027, 4, 5, 0, 0), want{}},
		// 2027-03-03 16:00 UTC is already 4 March in Shanghai.
		{"the store's zone decides the day", time.Date(2027, 3, 3, 16, 0, 0, 0, time.UTC), w(open(2027, 3, 4))},
	})

	t.Run("done: no reminder inside the window", func(t *testing.T) {
		done := v
		done.FirstServiceDone = true
		checkReminder(t, Due(done, Owner{}, shStore, cfg, at(shanghai, 2027, 3, 10, 9, 0)), KindFirstService, want{})
	})

	// A high-mileage driver: 150 km/day reaches 3,000 km on Sunday 24
	// January, three weeks after delivery; the window opens that day.
	fast := Vehicle{ID: 8, DeliveryDate: date(2027, 1, 4), DeliveryKm: 5, Readings: []Reading{{date(2027, 1, 18), 2105}}}
	wf := func(send time.Time) want {
		return want{present: true, cycle: "first_service", dueAt: date(2027, 1, 24), sendAt: send,
			expires: at(shanghai, 2027, 4, 5, 0, 0)}
	}
	t.Run("high mileage", func(t *testing.T) {
		runSteps(t, KindFirstService, fast, Owner{}, shStore, cfg, []step{
			{"day before the km due date", at(shanghai, 2027, 1, 23, 12, 0), want{}},
			{"km due date", at(shanghai, 2027, 1, 24, 7, 0), wf(open(2027, 1, 24))},
			{"still open at 3 months", at(shanghai, 2027, 4, 4, 10, 0), wf(at(shanghai, 2027, 4, 4, 10, 0))},
			{"closed after 3 months", at(shanghai, 2027, 4, 5, 10, 0), want{}},
		})
	})
}

func TestDuePeriodicServiceAndCall(t *testing.T) {
	cfg := DefaultConfig()
	// Serviced 24 September 2026 at 4,000 km, driving 10 km/day: the next
	// service is due by time on Wednesday 24 March 2027. Fifteen working
	// days before is Wednesday 3 March; the call a week before is
	// Wednesday 17 March.
	v := Vehicle{ID: 9, FirstServiceDone: true, LastServiceDate: date(2026, 9, 24), LastServiceKm: 4000,
		Readings: []Reading{{date(2026, 12, 23), 4900}}}
	due := date(2027, 3, 24)
	periodic := func(send time.Time) want {
		return want{present: true, cycle: "periodic:2026-09-24", dueAt: due, sendAt: send}
	}
	call := func(send time.Time) want {
		return want{present: true, cycle: "service_call:2026-09-24", dueAt: due, sendAt: send}
	}
	opening := func(d int) time.Time { return at(shanghai, 2027, 3, d, 8, 30) }

	runSteps(t, KindPeriodicService, v, Owner{}, shStore, cfg, []step{
		{"day before reminding starts", at(shanghai, 2027, 3, 2, 23, 59), want{}},
		{"15 working days before", at(shanghai, 2027, 3, 3, 0, 0), periodic(opening(3))},
		{"inside", at(shanghai, 2027, 3, 16, 14, 0), periodic(at(shanghai, 2027, 3, 16, 14, 0))},
		// The window opened on 3 March, so a later first computation sends now.
		{"due day, before opening", at(shanghai, 2027, 3, 24, 8, 0), periodic(at(shanghai, 2027, 3, 24, 8, 0))},
		{"overdue stays until serviced", at(shanghai, 2027, 5, 1, 10, 0), periodic(at(shanghai, 2027, 5, 1, 10, 0))},
	})
	runSteps(t, KindServiceCall, v, Owner{}, shStore, cfg, []step{
		{"day before the call", at(shanghai, 2027, 3, 16, 23, 0), want{}},
		{"a week before", at(shanghai, 2027, 3, 17, 8, 0), call(opening(17))},
		{"due day", at(shanghai, 2027, 3, 24, 9, 0), call(at(shanghai, 2027, 3, 24, 9, 0))},
	})

	t.Run("holidays in the lead push reminding earlier", func(t *testing.T) {
		s := shStore
		s.Holidays = map[string]bool{"2027-03-08": true, "2027-03-09": true}
		runSteps(t, KindPeriodicService, v, Owner{}, s, cfg, []step{
			{"Sunday before", at(shanghai, 2027, 2, 28, 12, 0), want{}},
			{"Monday 1 March", at(shanghai, 2027, 3, 1, 12, 0), periodic(at(shanghai, 2027, 3, 1, 12, 0))},
		})
	})

	t.Run("a call falling on Sunday moves to Friday", func(t *testing.T) {
		// Due Sunday 28 March; a week before is Sunday 21 March.
		sun := v
		sun.LastServiceDate = date(2026, 9, 28)
		runSteps(t, KindServiceCall, sun, Owner{}, shStore, cfg, []step{
			{"Thursday", at(shanghai, 2027, 3, 18, 12, 0), want{}},
			{"Friday", at(shanghai, 2027, 3, 19, 7, 0), want{present: true, cycle: "service_call:2026-09-28",
				dueAt: date(2027, 3, 28), sendAt: opening(19)}},
		})
		runSteps(t, KindPeriodicService, sun, Owner{}, shStore, cfg, []step{
			{"Friday before the lead", at(shanghai, 2027, 3, 5, 12, 0), want{}},
			{"Monday 8 March", at(shanghai, 2027, 3, 8, 7, 0), want{present: true, cycle: "periodic:2026-09-28",
				dueAt: date(2027, 3, 28), sendAt: opening(8)}},
		})
	})

	t.Run("a recorded service starts the next cycle", func(t *testing.T) {
		next := v
		next.LastServiceDate, next.LastServiceKm = date(2027, 3, 20), 6000
		now := at(shanghai, 2027, 3, 21, 10, 0)
		checkReminder(t, Due(next, Owner{}, shStore, cfg, now), KindPeriodicService, want{})
		due, _ := PeriodicServiceDue(next, cfg, now)
		if !due.Equal(date(2027, 9, 20)) {
			t.Fatalf("next due = %v", due)
		}
		// 15 working days before Monday 20 September 2027 is Monday 30 August.
		checkReminder(t, Due(next, Owner{}, shStore, cfg, at(shanghai, 2027, 8, 30, 10, 0)), KindPeriodicService,
			want{present: true, cycle: "periodic:2027-03-20", dueAt: date(2027, 9, 20), sendAt: at(shanghai, 2027, 8, 30, 10, 0)})
	})

	t.Run("before the first service: no periodic reminders", func(t *testing.T) {
		first := v
		first.FirstServiceDone = false
		rs := Due(first, Owner{}, shStore, cfg, at(shanghai, 2027, 3, 20, 10, 0))
		checkReminder(t, rs, KindPeriodicService, want{})
		checkReminder(t, rs, KindServiceCall, want{})
	})
}

func TestDueContractDates(t *testing.T) {
	cfg := DefaultConfig()
	midnight := func(y int, m time.Month, d int) time.Time { return at(shanghai, y, m, d, 0, 0) }
	opening := func(y int, m time.Month, d int) time.Time { return at(shanghai, y, m, d, 8, 30) }

	t.Run("warranty by date: 1 month before", func(t *testing.T) {
		v := Vehicle{ID: 1, WarrantyEnd: date(2029, 3, 31)}
		w := func(send time.Time) want {
			return want{present: true, cycle: "warranty:2029-03-31:0km", dueAt: date(2029, 3, 31), sendAt: send,
				expires: midnight(2029, 4, 1)}
		}
		runSteps(t, KindWarrantyExpiry, v, Owner{}, shStore, cfg, []step{
			{"day before (31 Mar - 1 month = 28 Feb)", at(shanghai, 2029, 2, 27, 12, 0), want{}},
			{"first day", midnight(2029, 2, 28), w(opening(2029, 2, 28))},
			{"last covered day", at(shanghai, 2029, 3, 31, 23, 59), w(at(shanghai, 2029, 3, 31, 23, 59))},
			{"expired", midnight(2029, 4, 1), want{}},
		})
	})

	t.Run("warranty by km comes first", func(t *testing.T) {
		// 100 km/day from 90,000 on 1 April: 100,000 km on 10 July.
		v := Vehicle{ID: 1, WarrantyEnd: date(2030, 1, 1), WarrantyEndKm: 100000,
			Readings: []Reading{{date(2027, 3, 2), 87000}, {date(2027, 4, 1), 90000}}}
		w := want{present: true, cycle: "warranty:2030-01-01:100000km", dueAt: date(2027, 7, 10),
			sendAt: opening(2027, 6, 10), expires: midnight(2027, 7, 11)}
		runSteps(t, KindWarrantyExpiry, v, Owner{}, shStore, cfg, []step{
			{"day before", at(shanghai, 2027, 6, 9, 12, 0), want{}},
			{"first day", midnight(2027, 6, 10), w},
		})
	})

	t.Run("insurance: within the 2 months before", func(t *testing.T) {
		v := Vehicle{ID: 2, InsuranceExpiry: date(2027, 4, 30)}
		w := func(send time.Time) want {
			return want{present: true, cycle: "insurance_expiry:2027-04-30", dueAt: date(2027, 4, 30), sendAt: send,
				expires: midnight(2027, 5, 1)}
		}
		runSteps(t, KindInsuranceExpiry, v, Owner{}, shStore, cfg, []step{
			{"day before (30 Apr - 2 months = 28 Feb)", at(shanghai, 2027, 2, 27, 23, 59), want{}},
			{"first day", midnight(2027, 2, 28), w(opening(2027, 2, 28))},
			{"expiry day", at(shanghai, 2027, 4, 30, 20, 0), w(at(shanghai, 2027, 4, 30, 20, 0))},
			{"after", midnight(2027, 5, 1), want{}},
		})
	})

	t.Run("inspection: 1 month before", func(t *testing.T) {
		v := Vehicle{ID: 3, NextInspection: date(2027, 3, 31)}
		w := func(send time.Time) want {
			return want{present: true, cycle: "inspection:2027-03-31", dueAt: date(2027, 3, 31), sendAt: send,
				expires: midnight(2027, 4, 1)}
		}
		runSteps(t, KindInspection, v, Owner{}, shStore, cfg, []step{
			{"day before", at(shanghai, 2027, 2, 27, 23, 59), want{}},
			{"first day", midnight(2027, 2, 28), w(opening(2027, 2, 28))},
			{"inspection day", at(shanghai, 2027, 3, 31, 8, 0), w(at(shanghai, 2027, 3, 31, 8, 0))},
			{"after", midnight(2027, 4, 1), want{}},
		})
	})

	t.Run("a renewal starts a new cycle", func(t *testing.T) {
		v := Vehicle{ID: 2, InsuranceExpiry: date(2028, 4, 30)}
		checkReminder(t, Due(v, Owner{}, shStore, cfg, midnight(2027, 3, 1)), KindInsuranceExpiry, want{})
		r, _ := find(Due(v, Owner{}, shStore, cfg, midnight(2028, 3, 1)), KindInsuranceExpiry)
		if r.Cycle != "insurance_expiry:2028-04-30" {
			t.Errorf("Cycle = %q", r.Cycle)
		}
	})
}

func TestDueBirthday(t *testing.T) {
	cfg := DefaultConfig()
	store := Store{Location: time.UTC, Opening: 8*time.Hour + 30*time.Minute} // the owner's zone decides
	utc := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, time.UTC) }

	sh := Owner{ID: 42, Birthday: date(1990, 5, 17), Location: shanghai}
	shWant := func(send time.Time) want {
		return want{present: true, cycle: "birthday:2027", dueAt: date(2027, 5, 17), sendAt: send,
			expires: at(shanghai, 2027, 5, 17, 10, 30)}
	}
	t.Run("Shanghai", func(t *testing.T) {
		runSteps(t, KindBirthday, Vehicle{}, sh, store, cfg, []step{
			{"more than a day ahead", at(shanghai, 2027, 5, 16, 8, 29), want{}},
			{"a day ahead: queued for opening", at(shanghai, 2027, 5, 16, 8, 30), shWant(at(shanghai, 2027, 5, 17, 8, 30))},
			{"08:30 Shanghai is 00:30 UTC", at(shanghai, 2027, 5, 17, 0, 0), shWant(utc(2027, 5, 17, 0, 30))},
			{"after opening: now", at(shanghai, 2027, 5, 17, 9, 0), shWant(at(shanghai, 2027, 5, 17, 9, 0))},
			{"last minute before the deadline", at(shanghai, 2027, 5, 17, 10, 29), shWant(at(shanghai, 2027, 5, 17, 10, 29))},
			{"2 hours after opening: dropped", at(shanghai, 2027, 5, 17, 10, 30), want{}},
			{"next day", at(shanghai, 2027, 5, 18, 8, 0), want{}},
		})
	})

	t.Run("Los Angeles in summer (PDT)", func(t *testing.T) {
		la := Owner{ID: 43, Birthday: date(1985, 7, 20), Location: losAngeles}
		w := want{present: true, cycle: "birthday:2027", dueAt: date(2027, 7, 20),
			sendAt: utc(2027, 7, 20, 15, 30), expires: utc(2027, 7, 20, 17, 30)}
		runSteps(t, KindBirthday, Vehicle{}, la, store, cfg, []step{
			// Midnight UTC on the 20th is still the 19th in Los Angeles.
			{"UTC midnight", utc(2027, 7, 20, 0, 0), w},
			{"08:29 PDT", utc(2027, 7, 20, 15, 29), w},
			{"deadline 10:30 PDT", utc(2027, 7, 20, 17, 30), want{}},
		})
	})

	t.Run("Los Angeles in winter (PST), birthday stored as UTC midnight", func(t *testing.T) {
		la := Owner{ID: 44, Birthday: date(1985, 1, 20), Location: losAngeles}
		runSteps(t, KindBirthday, Vehicle{}, la, store, cfg, []step{
			{"on the day", at(losAngeles, 2027, 1, 20, 1, 0), want{present: true, cycle: "birthday:2027",
				dueAt: date(2027, 1, 20), sendAt: utc(2027, 1, 20, 16, 30), expires: utc(2027, 1, 20, 18, 30)}},
			{"not on the 19th's opening", at(losAngeles, 2027, 1, 19, 8, 0), want{}},
		})
	})

	t.Run("Los Angeles on the DST change day", func(t *testing.T) {
		// 14 March 2027: clocks jump at 02:00; opening is still 08:30 on the wall.
		la := Owner{ID: 45, Birthday: date(2000, 3, 14), Location: losAngeles}
		runSteps(t, KindBirthday, Vehicle{}, la, store, cfg, []step{
			{"morning", at(losAngeles, 2027, 3, 14, 7, 0), want{present: true, cycle: "birthday:2027",
				dueAt: date(2027, 3, 14), sendAt: utc(2027, 3, 14, 15, 30), expires: utc(2027, 3, 14, 17, 30)}},
		})
	})

	t.Run("29 February", func(t *testing.T) {
		leap := Owner{ID: 46, Birthday: date(2000, 2, 29), Location: shanghai}
		runSteps(t, KindBirthday, Vehicle{}, leap, store, cfg, []step{
			{"common year: greeted on 28 February", at(shanghai, 2027, 2, 28, 7, 0), want{present: true,
				cycle: "birthday:2027", dueAt: date(2027, 2, 28), sendAt: at(shanghai, 2027, 2, 28, 8, 30),
				expires: at(shanghai, 2027, 2, 28, 10, 30)}},
			{"common year: not on 1 March", at(shanghai, 2027, 3, 1, 8, 30), want{}},
			{"leap year: 28 February morning is too early", at(shanghai, 2028, 2, 28, 8, 0), want{}},
			{"leap year: greeted on 29 February", at(shanghai, 2028, 2, 29, 8, 0), want{present: true,
				cycle: "birthday:2028", dueAt: date(2028, 2, 29), sendAt: at(shanghai, 2028, 2, 29, 8, 30),
				expires: at(shanghai, 2028, 2, 29, 10, 30)}},
		})
	})

	t.Run("New Year's Day birthday seen on 31 December", func(t *testing.T) {
		ny := Owner{ID: 47, Birthday: date(1970, 1, 1), Location: shanghai}
		runSteps(t, KindBirthday, Vehicle{}, ny, store, cfg, []step{
			{"31 December after opening", at(shanghai, 2027, 12, 31, 12, 0), want{present: true, cycle: "birthday:2028",
				dueAt: date(2028, 1, 1), sendAt: at(shanghai, 2028, 1, 1, 8, 30), expires: at(shanghai, 2028, 1, 1, 10, 30)}},
		})
	})

	t.Run("no owner zone: the store's", func(t *testing.T) {
		o := Owner{ID: 48, Birthday: date(1990, 5, 17)}
		runSteps(t, KindBirthday, Vehicle{}, o, shStore, cfg, []step{
			{"Shanghai store", at(shanghai, 2027, 5, 17, 9, 0), shWant(at(shanghai, 2027, 5, 17, 9, 0))},
		})
	})

	t.Run("store deadline of 1 hour", func(t *testing.T) {
		c := DefaultConfig()
		c.BirthdayDeadline = time.Hour
		runSteps(t, KindBirthday, Vehicle{}, sh, store, c, []step{
			{"09:29", at(shanghai, 2027, 5, 17, 9, 29), want{present: true, cycle: "birthday:2027", dueAt: date(2027, 5, 17),
				sendAt: at(shanghai, 2027, 5, 17, 9, 29), expires: at(shanghai, 2027, 5, 17, 9, 30)}},
			{"09:30", at(shanghai, 2027, 5, 17, 9, 30), want{}},
		})
	})

	t.Run("no birthday on file", func(t *testing.T) {
		checkReminder(t, Due(Vehicle{}, Owner{ID: 49}, store, cfg, utc(2027, 1, 1, 9, 0)), KindBirthday, want{})
	})
}

func TestDueWinBack(t *testing.T) {
	cfg := DefaultConfig()
	// Last visit 31 August 2026: 6 months later is 28 February 2027; the
	// lapse range ends 360 days after the visit, 26 August 2027.
	o := Owner{ID: 5, LastVisit: date(2026, 8, 31), RemindersUnanswered: 2}
	v := Vehicle{ID: 50}
	w := func(send time.Time, offerEnds time.Time) want {
		return want{present: true, cycle: "winback:2026-08-31", dueAt: offerEnds, sendAt: send,
			expires: at(shanghai, 2027, 8, 27, 0, 0)}
	}
	runSteps(t, KindWinBack, v, o, shStore, cfg, []step{
		{"day before 6 months", at(shanghai, 2027, 2, 27, 12, 0), want{}},
		{"6 months: offer valid 30 days from sending", at(shanghai, 2027, 2, 28, 7, 0),
			w(at(shanghai, 2027, 2, 28, 8, 30), date(2027, 3, 30))},
		{"later: offer counted from today", at(shanghai, 2027, 3, 10, 12, 0),
			w(at(shanghai, 2027, 3, 10, 12, 0), date(2027, 4, 9))},
		{"last day of the lapse range", at(shanghai, 2027, 8, 26, 23, 0),
			w(at(shanghai, 2027, 8, 26, 23, 0), date(2027, 9, 25))},
		{"past 360 days: lost, not won back", at(shanghai, 2027, 8, 27, 0, 0), want{}},
	})

	t.Run("answered reminders: no offer", func(t *testing.T) {
		answered := o
		answered.RemindersUnanswered = 0
		checkReminder(t, Due(v, answered, shStore, cfg, at(shanghai, 2027, 3, 10, 12, 0)), KindWinBack, want{})
	})
	t.Run("a later service counts as a visit", func(t *testing.T) {
		serviced := v
		serviced.LastServiceDate = date(2026, 12, 1)
		checkReminder(t, Due(serviced, o, shStore, cfg, at(shanghai, 2027, 3, 10, 12, 0)), KindWinBack, want{})
	})
	t.Run("no visit recorded: counted from delivery", func(t *testing.T) {
		delivered := Vehicle{ID: 51, DeliveryDate: date(2026, 8, 31), FirstServiceDone: true}
		r, ok := find(Due(delivered, Owner{ID: 6, RemindersUnanswered: 1}, shStore, cfg, at(shanghai, 2027, 2, 28, 12, 0)), KindWinBack)
		if !ok || r.Cycle != "winback:2026-08-31" || r.Subject != 6 {
			t.Errorf("got %+v, %v", r, ok)
		}
	})
}

func TestDueCampaigns(t *testing.T) {
	cfg := DefaultConfig()
	v := Vehicle{ID: 60, DeliveryDate: date(2026, 5, 1), FirstServiceDone: true, LastServiceDate: date(2027, 2, 1)}
	spring := func(send time.Time) want {
		return want{present: true, cycle: "spring_campaign:2027", dueAt: date(2027, 3, 31), sendAt: send,
			expires: at(shanghai, 2027, 4, 1, 0, 0)}
	}
	runSteps(t, KindSpringCampaign, v, Owner{}, shStore, cfg, []step{
		{"last day of February", at(shanghai, 2027, 2, 28, 23, 59), want{}},
		{"1 March", at(shanghai, 2027, 3, 1, 0, 0), spring(at(shanghai, 2027, 3, 1, 8, 30))},
		{"1 March in Shanghai, still February in UTC", time.Date(2027, 2, 28, 16, 30, 0, 0, time.UTC), spring(at(shanghai, 2027, 3, 1, 8, 30))},
		{"31 March", at(shanghai, 2027, 3, 31, 23, 59), spring(at(shanghai, 2027, 3, 31, 23, 59))},
		{"1 April", at(shanghai, 2027, 4, 1, 0, 0), want{}},
	})
	runSteps(t, KindAutumnCampaign, v, Owner{}, shStore, cfg, []step{
		{"31 August", at(shanghai, 2027, 8, 31, 12, 0), want{}},
		{"September", at(shanghai, 2027, 9, 15, 12, 0), want{present: true, cycle: "autumn_campaign:2027",
			dueAt: date(2027, 9, 30), sendAt: at(shanghai, 2027, 9, 15, 12, 0), expires: at(shanghai, 2027, 10, 1, 0, 0)}},
		{"October", at(shanghai, 2027, 10, 1, 0, 0), want{}},
	})

	t.Run("a car delivered during the campaign is skipped", func(t *testing.T) {
		nv := Vehicle{ID: 61, DeliveryDate: date(2027, 3, 5)}
		checkReminder(t, Due(nv, Owner{}, shStore, cfg, at(shanghai, 2027, 3, 10, 12, 0)), KindSpringCampaign, want{})
	})
	t.Run("store moves spring to April", func(t *testing.T) {
		c := DefaultConfig()
		c.SpringCampaignMonth = time.April
		checkReminder(t, Due(v, Owner{}, shStore, c, at(shanghai, 2027, 3, 10, 12, 0)), KindSpringCampaign, want{})
		checkReminder(t, Due(v, Owner{}, shStore, c, at(shanghai, 2027, 4, 10, 12, 0)), KindSpringCampaign,
			want{present: true, cycle: "spring_campaign:2027", dueAt: date(2027, 4, 30),
				sendAt: at(shanghai, 2027, 4, 10, 12, 0), expires: at(shanghai, 2027, 5, 1, 0, 0)})
	})
}

// TestCycleStableAcrossDays runs Due on consecutive days and checks that
// each kind keeps one Cycle, even while new odometer readings move the
// projected due dates.
func TestCycleStableAcrossDays(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name      string
		v         Vehicle
		o         Owner
		from, to  time.Time
		wantKinds []Kind
		moving    Kind // a kind whose DueAt must change over the run
	}{
		{
			name: "periodic, with a reading arriving mid-window",
			// 100 km/day until 2 March (due 22 March), then slower.
			v: Vehicle{ID: 1, FirstServiceDone: true, LastServiceDate: date(2027, 1, 31), LastServiceKm: 3000,
				Readings: []Reading{{date(2027, 3, 2), 6000}, {date(2027, 3, 10), 6400}}},
			from: date(2027, 3, 2), to: date(2027, 4, 10),
			wantKinds: []Kind{KindPeriodicService, KindServiceCall, KindSpringCampaign},
			moving:    KindPeriodicService,
		},
		{
			name: "first service, high mileage, readings arriving",
			v: Vehicle{ID: 2, DeliveryDate: date(2027, 1, 4),
				Readings: []Reading{{date(2027, 1, 18), 2100}, {date(2027, 1, 22), 2300}, {date(2027, 2, 10), 3500}}},
			from: date(2027, 1, 18), to: date(2027, 4, 10),
			wantKinds: []Kind{KindFirstService},
			moving:    KindFirstService,
		},
		{
			name: "owner-level: birthday and win-back",
			o:    Owner{ID: 3, Birthday: date(1990, 3, 1), Location: shanghai, LastVisit: date(2026, 8, 31), RemindersUnanswered: 2},
			from: date(2027, 2, 20), to: date(2027, 3, 20),
			wantKinds: []Kind{KindBirthday, KindWinBack},
			moving:    KindWinBack, // the offer is counted from the send day
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cycles := map[Kind]map[string]bool{}
			dues := map[Kind]map[time.Time]bool{}
			for d := tt.from; !d.After(tt.to); d = d.AddDate(0, 0, 1) {
				for _, hour := range []int{0, 7, 13, 23} {
					now := at(shanghai, d.Year(), d.Month(), d.Day(), hour, 0)
					for _, r := range Due(tt.v, tt.o, shStore, cfg, now) {
						if cycles[r.Kind] == nil {
							cycles[r.Kind], dues[r.Kind] = map[string]bool{}, map[time.Time]bool{}
						}
						cycles[r.Kind][r.Cycle] = true
						dues[r.Kind][r.DueAt] = true
					}
				}
			}
			for _, k := range tt.wantKinds {
				if len(cycles[k]) != 1 {
					t.Errorf("%s cycles = %v, want exactly one", k, cycles[k])
				}
			}
			if len(dues[tt.moving]) < 2 {
				t.Errorf("%s DueAt never moved (%v): the test does not exercise a shifting projection", tt.moving, dues[tt.moving])
			}
		})
	}
}

func TestDueOrderAndLabels(t *testing.T) {
	cfg := DefaultConfig()
	v := Vehicle{ID: 70, DeliveryDate: date(2026, 5, 1), FirstServiceDone: true, LastServiceDate: date(2026, 9, 24),
		LastServiceKm: 4000, Readings: []Reading{{date(2026, 12, 23), 4900}},
		InsuranceExpiry: date(2027, 4, 30), NextInspection: date(2027, 3, 31), WarrantyEnd: date(2027, 3, 31)}
	o := Owner{ID: 71, Birthday: date(1990, 3, 18), Location: shanghai}
	now := at(shanghai, 2027, 3, 18, 8, 0)
	rs := Due(v, o, shStore, cfg, now)

	var got []Kind
	for _, r := range rs {
		got = append(got, r.Kind)
	}
	// Every window opened on an earlier day, so those are sent now (08:00),
	// ties by kind name; the birthday waits for opening at 08:30.
	want := []Kind{KindInspection, KindInsuranceExpiry, KindPeriodicService,
		KindServiceCall, KindSpringCampaign, KindWarrantyExpiry, KindBirthday}
	if !slices.Equal(got, want) {
		t.Fatalf("kinds = %v, want %v", got, want)
	}
	for _, r := range rs {
		wantSubject := v.ID
		if r.Kind == KindBirthday {
			wantSubject = o.ID
		}
		if r.Subject != wantSubject {
			t.Errorf("%s Subject = %d, want %d", r.Kind, r.Subject, wantSubject)
		}
	}
}

func TestKindLabels(t *testing.T) {
	tests := []struct {
		kind     Kind
		category Category
		subject  SubjectType
	}{
		{KindFirstService, CategoryService, SubjectVehicle},
		{KindPeriodicService, CategoryService, SubjectVehicle},
		{KindServiceCall, CategoryService, SubjectVehicle},
		{KindWarrantyExpiry, CategoryService, SubjectVehicle},
		{KindInsuranceExpiry, CategorySafety, SubjectVehicle},
		{KindInspection, CategorySafety, SubjectVehicle},
		{KindBirthday, CategoryMarketing, SubjectOwner},
		{KindWinBack, CategoryMarketing, SubjectOwner},
		{KindSpringCampaign, CategoryMarketing, SubjectVehicle},
		{KindAutumnCampaign, CategoryMarketing, SubjectVehicle},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			if c := tt.kind.Category(); c != tt.category {
				t.Errorf("Category = %s, want %s", c, tt.category)
			}
			if s := tt.kind.SubjectType(); s != tt.subject {
				t.Errorf("SubjectType = %s, want %s", s, tt.subject)
			}
		})
	}
}
