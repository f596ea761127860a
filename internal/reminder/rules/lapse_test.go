package rules

import (
	"testing"
	"time"
)

func TestClassifyLapse(t *testing.T) {
	cfg := DefaultConfig()
	o := Owner{ID: 1, LastVisit: date(2027, 1, 1), Location: shanghai}
	inWarranty := Vehicle{ID: 2, WarrantyEnd: date(2030, 1, 1)}
	outByDate := Vehicle{ID: 3, WarrantyEnd: date(2027, 2, 1)}
	// Warranty to 2030 but limited to 20,000 km: 100 km/day passes it on
	// 30 January 2027.
	outByKm := Vehicle{ID: 4, WarrantyEnd: date(2030, 1, 1), WarrantyEndKm: 20000,
		Readings: []Reading{{date(2026, 12, 1), 14000}, {date(2027, 1, 1), 17100}}}
	noon := func(y int, m time.Month, d int) time.Time { return at(shanghai, y, m, d, 12, 0) }

	tests := []struct {
		name        string
		o           Owner
		v           Vehicle
		home, owner string
		now         time.Time
		want        Lapse
		wantOK      bool
	}{
		{name: "89 days: not yet", o: o, v: inWarranty, home: "Shanghai", owner: "Shanghai", now: noon(2027, 3, 31)},
		{name: "90 days: lapsing", o: o, v: inWarranty, home: "Shanghai", owner: "Shanghai", now: noon(2027, 4, 1),
			want: Lapse{Class: LapseLocalInWarranty, Local: true, InWarranty: true, LastVisit: date(2027, 1, 1), DaysSinceVisit: 90}, wantOK: true},
		{name: "360 days: still lapsing", o: o, v: inWarranty, home: "Shanghai", owner: "Shanghai", now: noon(2027, 12, 27),
			want: Lapse{Class: LapseLocalInWarranty, Local: true, InWarranty: true, LastVisit: date(2027, 1, 1), DaysSinceVisit: 360}, wantOK: true},
		{name: "361 days: lost", o: o, v: inWarranty, home: "Shanghai", owner: "Shanghai", now: noon(2027, 12, 28)},
		{name: "days counted in the owner's zone", o: o, v: inWarranty, home: "Shanghai", owner: "Shanghai",
			now:  time.Date(2027, 3, 31, 16, 30, 0, 0, time.UTC), // 1 April 00:30 in Shanghai
			want: Lapse{Class: LapseLocalInWarranty, Local: true, InWarranty: true, LastVisit: date(2027, 1, 1), DaysSinceVisit: 90}, wantOK: true},
		{name: "no owner zone: UTC, still 31 March", o: Owner{LastVisit: date(2027, 1, 1)}, v: inWarranty,
			now: time.Date(2027, 3, 31, 16, 30, 0, 0, time.UTC)},
		{name: "local out of warranty by date", o: o, v: outByDate, home: "Shanghai", owner: " shanghai ", now: noon(2027, 5, 1),
			want: Lapse{Class: LapseLocalOutOfWarranty, Local: true, LastVisit: date(2027, 1, 1), DaysSinceVisit: 120}, wantOK: true},
		{name: "local out of warranty by km", o: o, v: outByKm, home: "Shanghai", owner: "Shanghai", now: noon(2027, 5, 1),
			want: Lapse{Class: LapseLocalOutOfWarranty, Local: true, LastVisit: date(2027, 1, 1), DaysSinceVisit: 120}, wantOK: true},
		{name: "non-local in warranty", o: o, v: inWarranty, home: "Shanghai", owner: "Suzhou", now: noon(2027, 5, 1),
			want: Lapse{Class: LapseNonLocalInWarranty, InWarranty: true, LastVisit: date(2027, 1, 1), DaysSinceVisit: 120}, wantOK: true},
		{name: "non-local out of warranty", o: o, v: outByDate, home: "Shanghai", owner: "Suzhou", now: noon(2027, 5, 1),
			want: Lapse{Class: LapseNonLocalOutOfWarranty, LastVisit: date(2027, 1, 1), DaysSinceVisit: 120}, wantOK: true},
		{name: "unknown owner region counts as local", o: o, v: outByDate, home: "Shanghai", owner: "", now: noon(2027, 5, 1),
			want: Lapse{Class: LapseLocalOutOfWarranty, Local: true, LastVisit: date(2027, 1, 1), DaysSinceVisit: 120}, wantOK: true},
		{name: "a later service is the last visit", o: o, v: Vehicle{LastServiceDate: date(2027, 3, 1), WarrantyEnd: date(2030, 1, 1)},
			home: "Shanghai", owner: "Shanghai", now: noon(2027, 5, 1)},
		{name: "no visit on file: delivery counts", o: Owner{Location: shanghai}, v: Vehicle{DeliveryDate: date(2027, 1, 1)},
			home: "Shanghai", owner: "Suzhou", now: noon(2027, 4, 1),
			want: Lapse{Class: LapseNonLocalOutOfWarranty, LastVisit: date(2027, 1, 1), DaysSinceVisit: 90}, wantOK: true},
		{name: "nothing on file", o: Owner{}, v: Vehicle{}, now: noon(2027, 4, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ClassifyLapse(tt.o, tt.v, tt.home, tt.owner, tt.now, cfg)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ClassifyLapse = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestNeedsPersonalCall(t *testing.T) {
	three := DefaultConfig()
	three.EscalateAfterUnanswered = 3
	off := DefaultConfig()
	off.EscalateAfterUnanswered = 0
	tests := []struct {
		name       string
		unanswered int
		cfg        Config
		want       bool
	}{
		{"none unanswered", 0, DefaultConfig(), false},
		{"one unanswered", 1, DefaultConfig(), false},
		{"two consecutive unanswered", 2, DefaultConfig(), true},
		{"more", 5, DefaultConfig(), true},
		{"store escalates after 3: two is not enough", 2, three, false},
		{"store escalates after 3: three", 3, three, true},
		{"switched off", 9, off, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsPersonalCall(tt.unanswered, tt.cfg); got != tt.want {
				t.Errorf("NeedsPersonalCall(%d) = %v, want %v", tt.unanswered, got, tt.want)
			}
		})
	}
}
