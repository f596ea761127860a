package rules

import (
	"testing"
	"time"
)

func TestNextCheck(t *testing.T) {
	cfg := DefaultConfig()
	delivered := Vehicle{ID: 7, DeliveryDate: date(2027, 1, 4)}
	serviced := Vehicle{ID: 8, DeliveryDate: date(2025, 1, 6), FirstServiceDone: true,
		LastServiceDate: date(2027, 1, 4), LastServiceKm: 20000,
		Readings: []Reading{{date(2026, 1, 4), 10000}}} // 10,000 km a year: km due in ~6 months too
	cases := []struct {
		name  string
		v     Vehicle
		o     Owner
		now   time.Time
		want  time.Time
		check Kind // the kind whose window must be open at want
	}{
		{"the spring campaign opens on 1 March", delivered, Owner{},
			at(shanghai, 2027, 2, 20, 9, 0), at(shanghai, 2027, 3, 1, 0, 0), KindSpringCampaign},
		{"then the first service window, 2 months after delivery", delivered, Owner{},
			at(shanghai, 2027, 3, 1, 9, 0), at(shanghai, 2027, 3, 4, 0, 0), KindFirstService},
		{"nothing within 30 days: look again in 30 days", delivered, Owner{},
			at(shanghai, 2027, 1, 4, 9, 0), at(shanghai, 2027, 1, 4, 9, 0).Add(MaxCheckInterval), ""},
		{"birthday lookahead opens the day before", delivered, Owner{ID: 3, Birthday: date(1990, 1, 20)},
			at(shanghai, 2027, 1, 10, 9, 0), at(shanghai, 2027, 1, 19, 8, 30), KindBirthday},
		{"past this year's birthday: next year's", delivered, Owner{ID: 3, Birthday: date(1990, 1, 5)},
			at(shanghai, 2027, 12, 20, 9, 0), at(shanghai, 2028, 1, 4, 8, 30), KindBirthday},
		{"the periodic reminder opens 15 working days ahead", serviced, Owner{},
			at(shanghai, 2027, 6, 1, 9, 0), at(shanghai, 2027, 6, 14, 0, 0), KindPeriodicService},
		{"an open window does not hold the next check at now", delivered, Owner{},
			at(shanghai, 2027, 3, 10, 9, 0), at(shanghai, 2027, 3, 10, 9, 0).Add(MaxCheckInterval), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := NextCheck(c.v, c.o, shStore, cfg, c.now)
			if !got.Equal(c.want) {
				t.Fatalf("NextCheck = %v, want %v", got.In(shanghai), c.want.In(shanghai))
			}
			if !got.After(c.now) {
				t.Fatalf("NextCheck %v is not after now", got)
			}
			if c.check != "" {
				if _, ok := find(Due(c.v, c.o, shStore, cfg, got), c.check); !ok {
					t.Fatalf("%s is not due at the next check", c.check)
				}
				if _, ok := find(Due(c.v, c.o, shStore, cfg, got.Add(-time.Second)), c.check); ok && c.check != KindPeriodicService {
					t.Fatalf("%s was already due before the next check", c.check)
				}
			}
		})
	}
}

// TestNextCheckMissesNothing walks a vehicle through two years, checking
// only at each NextCheck, and compares what it finds with checking every
// hour: a scheduler that trusts NextCheck misses no reminder.
func TestNextCheckMissesNothing(t *testing.T) {
	cfg := DefaultConfig()
	v := Vehicle{ID: 9, DeliveryDate: date(2026, 2, 2), WarrantyEnd: date(2027, 8, 31),
		InsuranceExpiry: date(2027, 2, 28), NextInspection: date(2027, 10, 15)}
	o := Owner{ID: 4, Birthday: date(1985, 7, 9)}
	start, end := at(shanghai, 2026, 2, 2, 0, 0), at(shanghai, 2028, 2, 2, 0, 0)
	hourly := map[string]bool{}
	for now := start; now.Before(end); now = now.Add(time.Hour) {
		for _, r := range Due(v, o, shStore, cfg, now) {
			hourly[r.Cycle] = true
		}
	}
	scheduled := map[string]bool{}
	checks := 0
	for now := start; now.Before(end); now = NextCheck(v, o, shStore, cfg, now) {
		checks++
		for _, r := range Due(v, o, shStore, cfg, now) {
			scheduled[r.Cycle] = true
		}
	}
	for c := range hourly {
		if !scheduled[c] {
			t.Errorf("reminder %s was missed by checking only at NextCheck", c)
		}
	}
	if len(hourly) < 6 {
		t.Fatalf("the scenario found only %d reminders: %v", len(hourly), hourly)
	}
	t.Logf("%d reminders found with %d checks instead of %d", len(hourly), checks, int(end.Sub(start).Hours()))
}

// BenchmarkDueAndNext is the sweep's work per vehicle in Go.
func BenchmarkDueAndNext(b *testing.B) {
	cfg := DefaultConfig()
	v := Vehicle{ID: 8, DeliveryDate: date(2025, 1, 6), FirstServiceDone: true, LastServiceDate: date(2027, 1, 4),
		LastServiceKm: 20000, WarrantyEnd: date(2028, 1, 5), WarrantyEndKm: 100000, InsuranceExpiry: date(2027, 6, 1),
		Readings: []Reading{{date(2025, 6, 1), 5000}, {date(2026, 1, 4), 10000}, {date(2026, 7, 4), 15000}, {date(2027, 1, 4), 20000}}}
	o := Owner{ID: 3, Birthday: date(1990, 5, 20)}
	now := at(shanghai, 2027, 3, 10, 9, 0)
	for b.Loop() {
		Due(v, o, shStore, cfg, now)
		NextCheck(v, o, shStore, cfg, now)
	}
}
