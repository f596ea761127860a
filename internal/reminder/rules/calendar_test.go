package rules

import (
	"testing"
	"time"
)

func TestAddMonths(t *testing.T) {
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"31 Jan + 1 in a common year clamps to 28 Feb", date(2027, 1, 31), 1, date(2027, 2, 28)},
		{"31 Jan + 1 in a leap year clamps to 29 Feb", date(2028, 1, 31), 1, date(2028, 2, 29)},
		{"31 Mar - 1 clamps to 28 Feb", date(2027, 3, 31), -1, date(2027, 2, 28)},
		{"30 Apr - 2 clamps to 28 Feb", date(2027, 4, 30), -2, date(2027, 2, 28)},
		{"31 Aug + 6 clamps to 28 Feb", date(2026, 8, 31), 6, date(2027, 2, 28)},
		{"30 Nov + 3 crosses the year", date(2026, 11, 30), 3, date(2027, 2, 28)},
		{"29 Feb + 12 clamps to 28 Feb", date(2028, 2, 29), 12, date(2029, 2, 28)},
		{"mid-month is plain", date(2027, 1, 4), 2, date(2027, 3, 4)},
		{"31 Mar + 1 clamps to 30 Apr", date(2027, 3, 31), 1, date(2027, 4, 30)},
		{"zero months", date(2027, 1, 31), 0, date(2027, 1, 31)},
		{"back across the year", date(2027, 1, 15), -2, date(2026, 11, 15)},
		{"keeps clock and zone", at(shanghai, 2027, 1, 31, 9, 15), 1, at(shanghai, 2027, 2, 28, 9, 15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AddMonths(tt.from, tt.n)
			if !got.Equal(tt.want) || got.Location() != tt.want.Location() {
				t.Errorf("AddMonths(%v, %d) = %v, want %v", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	plain := Store{}
	// Golden Week 2027: 1-7 October off, two Saturdays worked in exchange.
	golden := Store{
		Holidays: map[string]bool{
			"2027-10-01": true, "2027-10-02": true, "2027-10-03": true, "2027-10-04": true,
			"2027-10-05": true, "2027-10-06": true, "2027-10-07": true,
		},
		Workdays: map[string]bool{"2027-09-25": true, "2027-10-09": true},
	}
	fridayOff := Store{Weekend: []time.Weekday{time.Friday}}
	everyDay := Store{Weekend: []time.Weekday{}}
	never := Store{Weekend: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	holidayInLead := Store{Holidays: map[string]bool{"2027-03-08": true, "2027-03-09": true}}

	tests := []struct {
		name  string
		from  time.Time
		n     int
		store Store
		want  time.Time
	}{
		{"Friday + 1 skips the weekend", date(2027, 3, 12), 1, plain, date(2027, 3, 15)},
		{"Monday - 1 skips the weekend", date(2027, 3, 15), -1, plain, date(2027, 3, 12)},
		{"Saturday + 1 is Monday", date(2027, 3, 13), 1, plain, date(2027, 3, 15)},
		{"Saturday - 1 is Friday", date(2027, 3, 13), -1, plain, date(2027, 3, 12)},
		{"zero keeps even a Sunday", date(2027, 3, 14), 0, plain, date(2027, 3, 14)},
		{"Wednesday + 2", date(2027, 3, 10), 2, plain, date(2027, 3, 12)},
		{"15 back is three weeks without holidays", date(2027, 3, 31), -15, plain, date(2027, 3, 10)},
		{"15 back skips two holidays", date(2027, 3, 24), -15, holidayInLead, date(2027, 3, 1)},
		{"15 back without those holidays", date(2027, 3, 24), -15, plain, date(2027, 3, 3)},
		{"into Golden Week lands after it", date(2027, 9, 30), 1, golden, date(2027, 10, 8)},
		{"out of Golden Week backwards", date(2027, 10, 8), -1, golden, date(2027, 9, 30)},
		{"make-up Saturday after the holiday counts", date(2027, 10, 8), 1, golden, date(2027, 10, 9)},
		{"make-up Saturday before the holiday counts", date(2027, 9, 24), 1, golden, date(2027, 9, 25)},
		{"ordinary Sunday still off around Golden Week", date(2027, 10, 9), 1, golden, date(2027, 10, 11)},
		{"Friday weekend: Thursday + 1 is Saturday", date(2027, 3, 11), 1, fridayOff, date(2027, 3, 13)},
		{"Friday weekend: Saturday - 1 is Thursday", date(2027, 3, 13), -1, fridayOff, date(2027, 3, 11)},
		{"open every day: Saturday + 1 is Sunday", date(2027, 3, 13), 1, everyDay, date(2027, 3, 14)},
		{"no working day at all returns the input", date(2027, 3, 13), 5, never, date(2027, 3, 13)},
		{"keeps clock and zone", at(shanghai, 2027, 3, 12, 15, 4), 1, plain, at(shanghai, 2027, 3, 15, 15, 4)},
		{"across the new year", date(2027, 12, 31), 1, Store{Holidays: map[string]bool{"2028-01-03": true}}, date(2028, 1, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AddWorkingDays(tt.from, tt.n, tt.store)
			if !got.Equal(tt.want) || got.Location() != tt.want.Location() {
				t.Errorf("AddWorkingDays(%v, %d) = %v (%s), want %v (%s)",
					tt.from, tt.n, got, got.Weekday(), tt.want, tt.want.Weekday())
			}
		})
	}
}

func TestIsWorkingDayReadsTheDateItsOwnWay(t *testing.T) {
	s := Store{Location: losAngeles, Holidays: map[string]bool{"2027-03-10": true}}
	tests := []struct {
		name string
		d    time.Time
		want bool
	}{
		// UTC midnight of the 10th is the 9th in Los Angeles; the date
		// must still be read as the 10th.
		{"holiday given as UTC midnight", date(2027, 3, 10), false},
		{"day before the holiday", date(2027, 3, 9), true},
		{"holiday given in Shanghai time", at(shanghai, 2027, 3, 10, 23, 0), false},
		{"Saturday", date(2027, 3, 13), false},
		{"Monday", date(2027, 3, 15), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.IsWorkingDay(tt.d); got != tt.want {
				t.Errorf("IsWorkingDay(%v) = %v, want %v", tt.d, got, tt.want)
			}
		})
	}
}
