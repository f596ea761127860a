package rules

import "time"

// Reading is one odometer value, taken at a visit or reported by the owner.
type Reading struct {
	At time.Time
	Km int
}

// ServicePlan is a model's maintenance schedule. A zero field switches that
// criterion off (an EV plan may have no km interval); a completely zero plan
// means DefaultPlan, so a vehicle whose model has no plan on file is still
// reminded.
type ServicePlan struct {
	FirstKm        int // first service after this many km from delivery
	FirstMonths    int // ... or this many months after delivery, whichever first
	IntervalKm     int // periodic service every this many km since the last one
	IntervalMonths int // ... or this many months, whichever first
}

// DefaultPlan is the DOMAIN.md schedule: first service at 3,000 km or
// 2 months, then every 5,000 km or 6 months.
func DefaultPlan() ServicePlan {
	return ServicePlan{FirstKm: 3000, FirstMonths: 2, IntervalKm: 5000, IntervalMonths: 6}
}

// Vehicle holds the facts about one car that the calendar needs.
type Vehicle struct {
	ID               int
	OwnerID          int
	DeliveryDate     time.Time // date
	DeliveryKm       int
	LastServiceDate  time.Time // date; zero if never serviced
	LastServiceKm    int
	FirstServiceDone bool
	Readings         []Reading // odometer history, any order
	WarrantyEnd      time.Time // date: last day covered; zero if none
	WarrantyEndKm    int       // cover ends at this odometer value; 0 if no km limit
	InsuranceExpiry  time.Time // date; zero if unknown
	NextInspection   time.Time // date; zero if unknown
	Plan             ServicePlan

	proj *projection // set by withProjection; nil: work it out when asked
}

// plan returns the vehicle's schedule, DefaultPlan when none is on file.
func (v Vehicle) plan() ServicePlan {
	if v.Plan == (ServicePlan{}) {
		return DefaultPlan()
	}
	return v.Plan
}

// Owner holds the facts about a car owner that the calendar needs.
type Owner struct {
	ID                  int
	Birthday            time.Time      // only month and day are used
	Location            *time.Location // the owner's zone; nil means the store's
	LastVisit           time.Time      // date of the last visit to the store; zero if none recorded
	RemindersUnanswered int            // consecutive reminders with no response
}
