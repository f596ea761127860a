package rules

import (
	"testing"
	"time"
)

func TestProjectKmPerDay(t *testing.T) {
	cfg := DefaultConfig()
	now := date(2027, 6, 1)
	jan1 := date(2027, 1, 1)
	r := func(d time.Time, km int) Reading { return Reading{At: d, Km: km} }

	tests := []struct {
		name       string
		readings   []Reading
		delivery   time.Time
		deliveryKm int
		cfg        Config
		want       float64
	}{
		{
			name:     "steady 50 km a day",
			readings: []Reading{r(date(2027, 2, 1), 1560), r(date(2027, 3, 1), 2960), r(date(2027, 4, 1), 4510)},
			delivery: jan1, deliveryKm: 10,
			want: 50, // (4510-10) / 90 days
		},
		{
			name:     "irregular spacing: end-to-end average",
			readings: []Reading{r(date(2027, 5, 1), 7200), r(date(2027, 1, 11), 700), r(date(2027, 2, 20), 1200)}, // any order
			delivery: jan1,
			want:     60, // 7200 / 120 days, whatever the bursts in between
		},
		{
			name:     "a later reading going backwards is ignored",
			readings: []Reading{r(date(2027, 3, 2), 3000), r(date(2027, 4, 1), 2900)},
			delivery: jan1,
			want:     50, // 3000 / 60 days; the 2900 would give 32.2
		},
		{
			name:     "backward correction followed by more readings",
			readings: []Reading{r(date(2027, 3, 2), 3000), r(date(2027, 4, 1), 2900), r(date(2027, 5, 1), 6000)},
			delivery: jan1,
			want:     50, // 6000 / 120
		},
		{
			// The 19000 goes backwards after the 20000: the 20000 is kept
			// and starts the 12-month window (rate 10000/320), not the
			// 19000 (11000/290).
			name:     "the kept reading, not the correction, starts the window",
			readings: []Reading{r(date(2026, 6, 15), 20000), r(date(2026, 7, 15), 19000), r(date(2027, 5, 1), 30000)},
			delivery: date(2025, 6, 1),
			want:     31.25,
		},
		{
			name:     "a typo far too high drops out",
			readings: []Reading{r(date(2027, 1, 31), 30000), r(date(2027, 4, 1), 4500), r(date(2027, 5, 1), 6000)},
			delivery: jan1,
			want:     50,
		},
		{
			name:     "a typo far too low drops out",
			readings: []Reading{r(date(2027, 1, 31), 1500), r(date(2027, 3, 2), 150), r(date(2027, 4, 1), 4500)},
			delivery: jan1,
			want:     50,
		},
		{
			name:     "delivery only: default",
			delivery: jan1,
			want:     40,
		},
		{
			name: "no history at all: default",
			want: 40,
		},
		{
			name:     "13 days of history is too little: default",
			readings: []Reading{r(date(2027, 1, 14), 1300)},
			delivery: jan1,
			want:     40,
		},
		{
			name:     "14 days of history is enough",
			readings: []Reading{r(date(2027, 1, 15), 1400)},
			delivery: jan1,
			want:     100,
		},
		{
			name:     "default is configurable",
			delivery: jan1,
			cfg:      func() Config { c := DefaultConfig(); c.DefaultKmPerDay = 25; return c }(),
			want:     25,
		},
		{
			name:     "last 12 months win over older history",
			readings: []Reading{r(date(2026, 6, 1), 36500), r(date(2027, 5, 1), 43180)},
			delivery: date(2025, 6, 1),
			want:     20, // was 100 a day in the first year
		},
		{
			name:     "one reading in the last 12 months falls back to all history",
			readings: []Reading{r(date(2027, 5, 1), 20070)},
			delivery: date(2025, 7, 1),
			want:     30, // 20070 / 669 days
		},
		{
			name:     "readings after now are ignored",
			readings: []Reading{r(date(2027, 4, 1), 4500), r(date(2027, 12, 1), 99999)},
			delivery: jan1,
			want:     50,
		},
		{
			name:     "a parked car drives 0, not the default",
			readings: []Reading{r(date(2027, 4, 1), 0)},
			delivery: jan1,
			want:     0,
		},
		{
			name:     "a wrong delivery reading never makes the rate negative",
			readings: []Reading{r(date(2027, 1, 31), 100), r(date(2027, 3, 2), 200), r(date(2027, 4, 1), 300)},
			delivery: jan1, deliveryKm: 5000,
			want: 200.0 / 60,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			if c == (Config{}) {
				c = cfg
			}
			got := ProjectKmPerDay(tt.readings, tt.delivery, tt.deliveryKm, now, c)
			if got != tt.want {
				t.Errorf("ProjectKmPerDay = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDateAtKm(t *testing.T) {
	mon := Reading{At: date(2027, 1, 4), Km: 0}
	tests := []struct {
		name   string
		target int
		last   Reading
		rate   float64
		want   time.Time
	}{
		{"exact division", 3000, mon, 150, date(2027, 1, 24)},
		{"one km more takes a day more", 3001, mon, 150, date(2027, 1, 25)},
		{"one km is reached by the end of the first day", 1, mon, 150, date(2027, 1, 5)},
		{"target equal to the reading is that day", 0, mon, 150, date(2027, 1, 4)},
		{"floating-point rate does not add a day", 3000, mon, 3000.0 / 21, date(2027, 1, 25)},
		// 382 / (191/15.0) is 30.000000000000004 in float64.
		{"floating-point noise does not add a day", 382, mon, 191.0 / 15, date(2027, 2, 3)},
		{"target already passed is projected backwards", 5000, Reading{At: date(2027, 3, 31), Km: 6000}, 60, date(2027, 3, 15)},
		{"parked car never reaches a target ahead", 3000, mon, 0, time.Time{}},
		{"parked car has reached a target behind", 0, Reading{At: date(2027, 1, 4), Km: 10}, 0, date(2027, 1, 4)},
		{"negative rate treated as parked", 3000, mon, -5, time.Time{}},
		{"a crawl beyond any horizon is never", 3000, mon, 1e-9, time.Time{}},
		{"no reading, no projection", 3000, Reading{}, 50, time.Time{}},
		// 23:30 on the 4th in Los Angeles is already the 5th in UTC; the
		// reading's own day counts.
		{"the reading's own calendar day", 100, Reading{At: at(losAngeles, 2027, 1, 4, 23, 30), Km: 0}, 50, date(2027, 1, 6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DateAtKm(tt.target, tt.last, tt.rate); !got.Equal(tt.want) {
				t.Errorf("DateAtKm = %v, want %v", got, tt.want)
			}
		})
	}
}
