package rules

import (
	"testing"
	"time"
)

func TestFirstServiceDue(t *testing.T) {
	cfg := DefaultConfig()
	fast := DefaultConfig()
	fast.DefaultKmPerDay = 100
	jan4 := date(2027, 1, 4)
	tests := []struct {
		name   string
		v      Vehicle
		cfg    Config
		now    time.Time
		want   time.Time
		wantOK bool
	}{
		{
			name: "low mileage: 2 months come first",
			v:    Vehicle{DeliveryDate: jan4, DeliveryKm: 5, Readings: []Reading{{date(2027, 2, 1), 565}}}, // 20 km/day
			now:  date(2027, 2, 1), want: date(2027, 3, 4), wantOK: true,
		},
		{
			name: "high mileage: 3,000 km in under 3 weeks",
			v:    Vehicle{DeliveryDate: jan4, DeliveryKm: 5, Readings: []Reading{{date(2027, 1, 18), 2105}}}, // 150 km/day
			now:  date(2027, 1, 18), want: date(2027, 1, 24), wantOK: true,
		},
		{
			name: "km one day after the months: months win",
			v:    Vehicle{DeliveryDate: date(2027, 1, 1), Readings: []Reading{{date(2027, 1, 15), 700}}}, // 50/day: 3,000 on 2 Mar
			now:  date(2027, 1, 15), want: date(2027, 3, 1), wantOK: true,
		},
		{
			name: "km one day before the months: km wins",
			v:    Vehicle{DeliveryDate: date(2027, 1, 1), Readings: []Reading{{date(2027, 1, 15), 728}}}, // 52/day
			now:  date(2027, 1, 15), want: date(2027, 2, 28), wantOK: true,
		},
		{
			name: "new car, no readings: default rate, months win",
			v:    Vehicle{DeliveryDate: jan4},
			now:  date(2027, 1, 5), want: date(2027, 3, 4), wantOK: true,
		},
		{
			name: "new car, no readings, store default 100 km/day",
			v:    Vehicle{DeliveryDate: jan4},
			cfg:  fast,
			now:  date(2027, 1, 5), want: date(2027, 2, 3), wantOK: true,
		},
		{
			name: "delivered on 31 December: 2 months clamp to 28 February",
			v:    Vehicle{DeliveryDate: date(2026, 12, 31)},
			now:  date(2027, 1, 5), want: date(2027, 2, 28), wantOK: true,
		},
		{
			name: "model plan with months only ignores km",
			v: Vehicle{DeliveryDate: jan4, Readings: []Reading{{date(2027, 1, 18), 2100}},
				Plan: ServicePlan{FirstMonths: 3, IntervalMonths: 12}},
			now: date(2027, 1, 18), want: date(2027, 4, 4), wantOK: true,
		},
		{
			name: "done: nothing due",
			v:    Vehicle{DeliveryDate: jan4, FirstServiceDone: true},
			now:  date(2027, 1, 5),
		},
		{
			name: "no delivery date: nothing to compute",
			v:    Vehicle{},
			now:  date(2027, 1, 5),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			if c == (Config{}) {
				c = cfg
			}
			got, ok := FirstServiceDue(tt.v, c, tt.now)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("FirstServiceDue = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestPeriodicServiceDue(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name   string
		v      Vehicle
		now    time.Time
		want   time.Time
		wantOK bool
	}{
		{
			name: "low mileage: 6 months come first",
			v: Vehicle{DeliveryDate: date(2027, 1, 1), FirstServiceDone: true,
				LastServiceDate: date(2027, 3, 2), LastServiceKm: 1200,
				Readings: []Reading{{date(2027, 4, 1), 1800}}}, // 20 km/day: +5,000 in Nov
			now: date(2027, 4, 1), want: date(2027, 9, 2), wantOK: true,
		},
		{
			name: "high mileage: 5,000 km come first",
			v: Vehicle{DeliveryDate: date(2027, 1, 1), FirstServiceDone: true,
				LastServiceDate: date(2027, 1, 31), LastServiceKm: 3000,
				Readings: []Reading{{date(2027, 3, 2), 6000}}}, // 100 km/day
			now: date(2027, 3, 2), want: date(2027, 3, 22), wantOK: true,
		},
		{
			name: "km already passed: due date in the past",
			v: Vehicle{DeliveryDate: date(2027, 1, 1), FirstServiceDone: true,
				LastServiceDate: date(2027, 1, 31), LastServiceKm: 3000,
				Readings: []Reading{{date(2027, 4, 1), 9000}}}, // 100 km/day
			now: date(2027, 4, 1), want: date(2027, 3, 22), wantOK: true,
		},
		{
			// A slow first year then a burst: projecting back from the
			// burst at the yearly average would put 8,000 km on
			// 23 December 2026, before the service it counts from.
			name: "km due never before the service it counts from",
			v: Vehicle{DeliveryDate: date(2026, 7, 1), FirstServiceDone: true,
				LastServiceDate: date(2027, 4, 1), LastServiceKm: 3000,
				Readings: []Reading{{date(2027, 4, 11), 13000}}},
			now: date(2027, 4, 11), want: date(2027, 4, 1), wantOK: true,
		},
		{
			name: "31 August + 6 months clamps, parked car",
			v: Vehicle{FirstServiceDone: true, LastServiceDate: date(2026, 8, 31), LastServiceKm: 1000,
				Readings: []Reading{{date(2026, 9, 30), 1000}}},
			now: date(2026, 10, 1), want: date(2027, 2, 28), wantOK: true,
		},
		{
			name: "first service done elsewhere, no date: count from delivery",
			v:    Vehicle{DeliveryDate: date(2027, 1, 1), FirstServiceDone: true},
			now:  date(2027, 1, 2), want: date(2027, 5, 6), wantOK: true, // 5,000 km at the default 40/day
		},
		{
			name: "EV plan: 12 months only",
			v: Vehicle{FirstServiceDone: true, LastServiceDate: date(2027, 1, 31), LastServiceKm: 3000,
				Readings: []Reading{{date(2027, 3, 2), 6000}}, Plan: ServicePlan{FirstMonths: 3, IntervalMonths: 12}},
			now: date(2027, 3, 2), want: date(2028, 1, 31), wantOK: true,
		},
		{
			name: "first service not done: not periodic yet",
			v:    Vehicle{DeliveryDate: date(2027, 1, 1), LastServiceDate: date(2027, 1, 20)},
			now:  date(2027, 2, 1),
		},
		{
			name: "nothing to count from",
			v:    Vehicle{FirstServiceDone: true},
			now:  date(2027, 2, 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PeriodicServiceDue(tt.v, cfg, tt.now)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("PeriodicServiceDue = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestWarrantyEndsAndInWarranty(t *testing.T) {
	cfg := DefaultConfig()
	heavy := []Reading{{date(2027, 3, 2), 87000}, {date(2027, 4, 1), 90000}} // 100 km/day
	tests := []struct {
		name   string
		v      Vehicle
		now    time.Time
		want   time.Time
		wantOK bool
		inOn   map[time.Time]bool // day -> in warranty
	}{
		{
			name: "by date",
			v:    Vehicle{WarrantyEnd: date(2029, 3, 31)},
			now:  date(2027, 4, 1), want: date(2029, 3, 31), wantOK: true,
			inOn: map[time.Time]bool{date(2029, 3, 31): true, date(2029, 4, 1): false},
		},
		{
			name: "km reached first",
			v:    Vehicle{WarrantyEnd: date(2030, 1, 1), WarrantyEndKm: 100000, Readings: heavy},
			now:  date(2027, 4, 1), want: date(2027, 7, 10), wantOK: true,
			inOn: map[time.Time]bool{date(2027, 7, 10): true, date(2027, 7, 11): false},
		},
		{
			name: "km limit only",
			v:    Vehicle{WarrantyEndKm: 100000, Readings: heavy},
			now:  date(2027, 4, 1), want: date(2027, 7, 10), wantOK: true,
		},
		{
			name: "no warranty on file",
			v:    Vehicle{},
			now:  date(2027, 4, 1),
			inOn: map[time.Time]bool{date(2027, 4, 1): false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := WarrantyEnds(tt.v, cfg, tt.now)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("WarrantyEnds = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
			for day, want := range tt.inOn {
				// Noon in Shanghai on that day.
				now := at(shanghai, day.Year(), day.Month(), day.Day(), 12, 0)
				if in := InWarranty(tt.v, cfg, now, shanghai); in != want {
					t.Errorf("InWarranty on %s = %v, want %v", day.Format(civilLayout), in, want)
				}
			}
		})
	}
}
