package slots

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSuggestOrdering(t *testing.T) {
	slot := func(start time.Time, peak, available bool) Slot {
		return Slot{Start: start, End: start.Add(30 * time.Minute), Available: available, Peak: peak,
			Remaining: map[string]int{PoolBay: 1}}
	}
	named := map[time.Time]string{}
	add := func(name string, s Slot) Slot { named[s.Start] = name; return s }
	var (
		a = add("A", slot(sh(9, 14, 8, 30), false, true)) // Monday
		b = add("B", slot(sh(9, 14, 9, 0), true, true))   // Monday, peak
		c = add("C", slot(sh(9, 14, 14, 0), false, true)) // Monday
		d = add("D", slot(sh(9, 15, 8, 30), false, true)) // Tuesday
		e = add("E", slot(sh(9, 15, 14, 0), false, true)) // Tuesday
		f = add("F", slot(sh(9, 15, 14, 30), false, false))
		g = add("G", slot(sh(9, 14, 13, 0), false, true)) // Monday
	)
	input := []Slot{e, b, f, a, g, d, c}
	names := func(ss []Slot) string {
		var out []string
		for _, s := range ss {
			out = append(out, named[s.Start])
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name  string
		prefs Preferences
		n     int
		want  string
	}{
		{"no preferences: off-peak, earliest", Preferences{}, 3, "A G C"},
		{"all available, peak last, never the full one", Preferences{}, 10, "A G C D E B"},
		{"usual hour", Preferences{UsualHours: []int{14}}, 3, "C E A"},
		{"usual weekday", Preferences{UsualWeekdays: []time.Weekday{time.Tuesday}}, 3, "D E A"},
		{"hour and weekday beat hour beats weekday", Preferences{UsualHours: []int{14},
			UsualWeekdays: []time.Weekday{time.Tuesday}}, 6, "E C D A G B"},
		{"busy hours go last but before peak", Preferences{BusyHours: []int{8}}, 6, "G C E A D B"},
		{"peak beats the owner's usual hour", Preferences{UsualHours: []int{9}}, 6, "A G C D E B"},
		{"busy beats usual", Preferences{UsualHours: []int{14}, BusyHours: []int{14}}, 6, "A G D C E B"},
		{"n = 0", Preferences{}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(input)
			if got := names(Suggest(input, tt.prefs, tt.n)); got != tt.want {
				t.Errorf("Suggest = %q, want %q", got, tt.want)
			}
			if !slices.EqualFunc(input, before, func(x, y Slot) bool { return x.Start.Equal(y.Start) }) {
				t.Error("Suggest reordered its input")
			}
			reversed := slices.Clone(input)
			slices.Reverse(reversed)
			if got := names(Suggest(reversed, tt.prefs, tt.n)); got != tt.want {
				t.Errorf("Suggest(reversed) = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSuggestFromGenerate(t *testing.T) {
	store := shStore()     // peaks 09:00-10:30 and 16:30-18:00
	bookings := []Booking{ // both advisors at 08:30
		book(sh(9, 14, 8, 30), 30*time.Minute, PoolBay, PoolAdvisor),
		book(sh(9, 14, 8, 30), 30*time.Minute, PoolAdvisor),
	}
	peaks := func(slots []Slot) []string {
		var out []string
		for _, s := range slots {
			mark := ""
			if s.Peak {
				mark = "P"
			}
			out = append(out, s.Start.Format("15:04")+mark)
		}
		return out
	}
	insp := mustGenerate(t, store, service(Inspection), mon, tue, bookings, sundayPM)
	// Touching a peak is not overlapping it: 08:30-09:00 and 10:30-11:00 are off-peak.
	equal(t, "inspection peaks", peaks(insp), []string{"08:30", "09:00P", "09:30P", "10:00P", "10:30", "11:00", "11:30",
		"13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30P", "17:00P", "17:30P"})
	periodic := mustGenerate(t, store, service(PeriodicService), mon, tue, bookings, sundayPM)
	equal(t, "periodic peaks", peaks(periodic), []string{"08:30P", "09:00P", "09:30P", "10:00P", "10:30",
		"13:00", "13:30", "14:00", "14:30", "15:00", "15:30P", "16:00P", "16:30P"})

	// 08:30 is off-peak but full.
	equal(t, "no preferences", stamps(Suggest(insp, Preferences{}, 3)),
		[]string{"09-14 10:30 +0800", "09-14 11:00 +0800", "09-14 11:30 +0800"})
	equal(t, "usually at 15:00", stamps(Suggest(insp, Preferences{UsualHours: []int{15}}, 4)),
		[]string{"09-14 15:00 +0800", "09-14 15:30 +0800", "09-14 10:30 +0800", "09-14 11:00 +0800"})
	equal(t, "busy mornings", stamps(Suggest(periodic, Preferences{BusyHours: []int{10, 11, 12, 13}}, 3)),
		[]string{"09-14 14:00 +0800", "09-14 14:30 +0800", "09-14 15:00 +0800"})
}
