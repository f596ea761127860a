package notify

import (
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func utc(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, time.UTC)
}

func TestQuietHoursNextAllowed(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	shanghai := mustLoad(t, "Asia/Shanghai")
	def := QuietHours{} // zero value = 21:00-09:00

	// 2025 transitions: Berlin 30 Mar 01:00Z (+1 -> +2), 26 Oct 01:00Z (+2 -> +1);
	// New York 9 Mar 07:00Z (-5 -> -4), 2 Nov 06:00Z (-4 -> -5).
	cases := []struct {
		name string
		q    QuietHours
		loc  *time.Location
		now  time.Time
		want time.Time // zero = now (allowed)
	}{
		// Europe/Berlin, ordinary summer day.
		{"berlin afternoon", def, berlin, utc(2025, 7, 1, 12, 0, 0), time.Time{}},
		{"berlin 21:30", def, berlin, utc(2025, 7, 1, 19, 30, 0), utc(2025, 7, 2, 7, 0, 0)},
		{"berlin exactly 21:00 is quiet", def, berlin, utc(2025, 7, 1, 19, 0, 0), utc(2025, 7, 2, 7, 0, 0)},
		{"berlin 20:59:59 allowed", def, berlin, utc(2025, 7, 1, 18, 59, 59), time.Time{}},
		{"berlin exactly 09:00 allowed", def, berlin, utc(2025, 7, 2, 7, 0, 0), time.Time{}},
		{"berlin 08:59 quiet", def, berlin, utc(2025, 7, 2, 6, 59, 0), utc(2025, 7, 2, 7, 0, 0)},
		// Berlin spring forward (night is 11h long on the wall clock, 10h elapsed).
		{"berlin spring 23:00 CET", def, berlin, utc(2025, 3, 29, 22, 0, 0), utc(2025, 3, 30, 7, 0, 0)},
		{"berlin spring 03:30 CEST", def, berlin, utc(2025, 3, 30, 1, 30, 0), utc(2025, 3, 30, 7, 0, 0)},
		{"berlin spring 08:30 CEST", def, berlin, utc(2025, 3, 30, 6, 30, 0), utc(2025, 3, 30, 7, 0, 0)},
		{"berlin spring 09:00 CEST allowed", def, berlin, utc(2025, 3, 30, 7, 0, 0), time.Time{}},
		// Berlin fall back: 09:00 CET is 08:00Z (midnight+9h elapsed would be 07:00Z).
		{"berlin fall 22:00 CEST", def, berlin, utc(2025, 10, 25, 20, 0, 0), utc(2025, 10, 26, 8, 0, 0)},
		{"berlin fall 02:30 CEST (first)", def, berlin, utc(2025, 10, 26, 0, 30, 0), utc(2025, 10, 26, 8, 0, 0)},
		{"berlin fall 02:30 CET (second)", def, berlin, utc(2025, 10, 26, 1, 30, 0), utc(2025, 10, 26, 8, 0, 0)},
		{"berlin fall 08:30 CET still quiet", def, berlin, utc(2025, 10, 26, 7, 30, 0), utc(2025, 10, 26, 8, 0, 0)},
		{"berlin fall 09:00 CET allowed", def, berlin, utc(2025, 10, 26, 8, 0, 0), time.Time{}},

		// America/New_York.
		{"ny 20:59 EST before spring night", def, ny, utc(2025, 3, 9, 1, 59, 0), time.Time{}},
		{"ny 21:00 EST before spring night", def, ny, utc(2025, 3, 9, 2, 0, 0), utc(2025, 3, 9, 13, 0, 0)},
		{"ny spring midnight EST", def, ny, utc(2025, 3, 9, 5, 0, 0), utc(2025, 3, 9, 13, 0, 0)},
		{"ny spring 08:30 EDT", def, ny, utc(2025, 3, 9, 12, 30, 0), utc(2025, 3, 9, 13, 0, 0)},
		{"ny spring 09:00 EDT allowed", def, ny, utc(2025, 3, 9, 13, 0, 0), time.Time{}},
		{"ny fall 01:30 EDT (first)", def, ny, utc(2025, 11, 2, 5, 30, 0), utc(2025, 11, 2, 14, 0, 0)},
		{"ny fall 01:30 EST (second)", def, ny, utc(2025, 11, 2, 6, 30, 0), utc(2025, 11, 2, 14, 0, 0)},
		{"ny fall 08:30 EST", def, ny, utc(2025, 11, 2, 13, 30, 0), utc(2025, 11, 2, 14, 0, 0)},
		{"ny fall 09:00 EST allowed", def, ny, utc(2025, 11, 2, 14, 0, 0), time.Time{}},
		{"ny halloween evening", def, ny, utc(2025, 11, 1, 0, 30, 0), time.Time{}},

		// Asia/Shanghai (UTC+8, no DST): 21:00 = 13:00Z, 09:00 = 01:00Z.
		{"shanghai 21:00", def, shanghai, utc(2025, 3, 9, 13, 0, 0), utc(2025, 3, 10, 1, 0, 0)},
		{"shanghai 23:59", def, shanghai, utc(2025, 3, 9, 15, 59, 0), utc(2025, 3, 10, 1, 0, 0)},
		{"shanghai 08:59", def, shanghai, utc(2025, 3, 9, 0, 59, 0), utc(2025, 3, 9, 1, 0, 0)},
		{"shanghai 09:00", def, shanghai, utc(2025, 3, 9, 1, 0, 0), time.Time{}},
		{"shanghai 14:00", def, shanghai, utc(2025, 3, 9, 6, 0, 0), time.Time{}},
		{"shanghai new year's eve", def, shanghai, utc(2025, 12, 31, 15, 0, 0), utc(2026, 1, 1, 1, 0, 0)},

		// Custom windows.
		{"same-day window inside", QuietHours{13 * time.Hour, 14 * time.Hour}, shanghai, utc(2025, 3, 9, 5, 30, 0), utc(2025, 3, 9, 6, 0, 0)},
		{"same-day window after", QuietHours{13 * time.Hour, 14 * time.Hour}, shanghai, utc(2025, 3, 9, 6, 0, 0), time.Time{}},
		{"same-day window before", QuietHours{13 * time.Hour, 14 * time.Hour}, shanghai, utc(2025, 3, 9, 4, 59, 0), time.Time{}},
		{"offsets taken mod 24h", QuietHours{45 * time.Hour, 33 * time.Hour}, shanghai, utc(2025, 3, 9, 13, 0, 0), utc(2025, 3, 10, 1, 0, 0)},
		{"start == end: never quiet", QuietHours{5 * time.Hour, 5 * time.Hour}, shanghai, utc(2025, 3, 8, 21, 0, 0), time.Time{}},
		{"end in gap (berlin 02:30)", QuietHours{22 * time.Hour, 150 * time.Minute}, berlin, utc(2025, 3, 30, 0, 30, 0), utc(2025, 3, 30, 1, 0, 0)},
		{"end in gap (ny 02:30)", QuietHours{22 * time.Hour, 150 * time.Minute}, ny, utc(2025, 3, 9, 6, 30, 0), utc(2025, 3, 9, 7, 0, 0)},
		{"start in gap, after jump", QuietHours{150 * time.Minute, 6 * time.Hour}, berlin, utc(2025, 3, 30, 1, 10, 0), utc(2025, 3, 30, 4, 0, 0)},
		{"start in gap, before jump", QuietHours{150 * time.Minute, 6 * time.Hour}, berlin, utc(2025, 3, 30, 0, 59, 0), time.Time{}},
		{"ambiguous end, first pass", QuietHours{22 * time.Hour, 90 * time.Minute}, ny, utc(2025, 11, 2, 5, 10, 0), utc(2025, 11, 2, 5, 30, 0)},
		{"ambiguous end, second pass: already ended", QuietHours{22 * time.Hour, 90 * time.Minute}, ny, utc(2025, 11, 2, 6, 10, 0), time.Time{}},
		{"ambiguous start, first pass", QuietHours{150 * time.Minute, 5 * time.Hour}, berlin, utc(2025, 10, 26, 0, 40, 0), utc(2025, 10, 26, 4, 0, 0)},
		{"ambiguous start, second pass", QuietHours{150 * time.Minute, 5 * time.Hour}, berlin, utc(2025, 10, 26, 1, 40, 0), utc(2025, 10, 26, 4, 0, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.q.NextAllowed(c.now, c.loc)
			want := c.want
			if want.IsZero() {
				want = c.now
			}
			if !got.Equal(want) {
				t.Errorf("NextAllowed(%s) = %s, want %s", c.now.In(c.loc), got.In(c.loc), want.In(c.loc))
			}
			if !c.want.IsZero() && got.Location() != c.loc {
				t.Errorf("result location = %v, want %v", got.Location(), c.loc)
			}
		})
	}
}

func TestQuietHoursNilLocation(t *testing.T) {
	shanghai := mustLoad(t, "Asia/Shanghai")
	now := utc(2025, 3, 9, 13, 0, 0).In(shanghai)
	if got, want := DefaultQuietHours.NextAllowed(now, nil), utc(2025, 3, 10, 1, 0, 0); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestQuietHoursInvariants sweeps 2025 in several zones and checks that the
// answer is never in the past, is itself allowed, and that every instant
// between now and the answer is quiet with the same answer.
func TestQuietHoursInvariants(t *testing.T) {
	zones := []string{"Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Lord_Howe", "America/Santiago"}
	windows := []QuietHours{{}, {22 * time.Hour, 150 * time.Minute}, {150 * time.Minute, 5 * time.Hour}, {13 * time.Hour, 14 * time.Hour}}
	for _, z := range zones {
		loc := mustLoad(t, z)
		for _, q := range windows {
			for now := utc(2025, 1, 1, 0, 0, 0); now.Year() == 2025; now = now.Add(53 * time.Minute) {
				got := q.NextAllowed(now, loc)
				if got.Before(now) {
					t.Fatalf("%s %v: NextAllowed(%v) = %v is in the past", z, q, now.In(loc), got)
				}
				if again := q.NextAllowed(got, loc); !again.Equal(got) {
					t.Fatalf("%s %v: answer %v is itself quiet (next %v)", z, q, got, again)
				}
				if got.Equal(now) {
					continue
				}
				if got.Sub(now) > 24*time.Hour {
					t.Fatalf("%s %v: wait of %v from %v", z, q, got.Sub(now), now.In(loc))
				}
				mid := now.Add(got.Sub(now) / 2)
				if m := q.NextAllowed(mid, loc); !m.Equal(got) {
					t.Fatalf("%s %v: now %v -> %v but midpoint %v -> %v", z, q, now.In(loc), got, mid.In(loc), m)
				}
			}
		}
	}
}

func TestAllowed(t *testing.T) {
	cases := []struct {
		cat  Category
		c    Consent
		want bool
	}{
		{CategorySafety, Consent{}, true},
		{CategorySafety, Consent{ServiceOptOut: true}, true},
		{CategorySafety, Consent{Marketing: false, ServiceOptOut: true}, true},
		{CategoryService, Consent{}, true},
		{CategoryService, Consent{Marketing: true}, true},
		{CategoryService, Consent{ServiceOptOut: true}, false},
		{CategoryMarketing, Consent{}, false},
		{CategoryMarketing, Consent{ServiceOptOut: true}, false},
		{CategoryMarketing, Consent{Marketing: true}, true},
		{CategoryMarketing, Consent{Marketing: true, ServiceOptOut: true}, true},
		{"", Consent{Marketing: true}, false},
		{"newsletter", Consent{Marketing: true}, false},
	}
	for _, c := range cases {
		if got := Allowed(c.cat, c.c); got != c.want {
			t.Errorf("Allowed(%q, %+v) = %v, want %v", c.cat, c.c, got, c.want)
		}
	}
}

func TestUnderCap(t *testing.T) {
	now := utc(2025, 6, 15, 12, 0, 0)
	week := 7 * 24 * time.Hour
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	weekly3 := Cap{Max: 3, Per: week}
	cases := []struct {
		name string
		sent []time.Time
		cap  Cap
		want bool
	}{
		{"no history", nil, weekly3, true},
		{"two in window", []time.Time{ago(time.Hour), ago(48 * time.Hour)}, weekly3, true},
		{"three in window", []time.Time{ago(time.Hour), ago(48 * time.Hour), ago(6 * 24 * time.Hour)}, weekly3, false},
		{"unsorted, three in window", []time.Time{ago(6 * 24 * time.Hour), ago(time.Hour), ago(30 * 24 * time.Hour), ago(48 * time.Hour)}, weekly3, false},
		{"third exactly Per ago is outside", []time.Time{ago(time.Hour), ago(48 * time.Hour), ago(week)}, weekly3, true},
		{"third just inside", []time.Time{ago(time.Hour), ago(48 * time.Hour), ago(week - time.Second)}, weekly3, false},
		{"old ones do not count", []time.Time{ago(8 * 24 * time.Hour), ago(9 * 24 * time.Hour), ago(10 * 24 * time.Hour)}, weekly3, true},
		{"one per day, sent at now", []time.Time{now}, Cap{Max: 1, Per: 24 * time.Hour}, false},
		{"future timestamps count", []time.Time{now.Add(time.Minute)}, Cap{Max: 1, Per: 24 * time.Hour}, false},
		{"zero Max = no cap", []time.Time{now, now, now}, Cap{Max: 0, Per: week}, true},
		{"zero Per = no cap", []time.Time{now, now, now}, Cap{Max: 1}, true},
	}
	for _, c := range cases {
		if got := UnderCap(c.sent, now, c.cap); got != c.want {
			t.Errorf("%s: UnderCap = %v, want %v", c.name, got, c.want)
		}
	}

	full := []time.Time{ago(time.Hour), ago(2 * time.Hour), ago(3 * time.Hour)}
	for cat, want := range map[Category]bool{CategorySafety: true, CategoryService: false, CategoryMarketing: false} {
		if got := UnderCapFor(cat, full, now, weekly3); got != want {
			t.Errorf("UnderCapFor(%s) = %v, want %v", cat, got, want)
		}
	}
}
