package rules

import "time"

// Config carries every number of the care calendar. DefaultConfig returns
// the industry defaults from DOMAIN.md; a store overrides single fields.
// Fields are used as given (no zero-value defaulting), so always start from
// DefaultConfig.
type Config struct {
	// Odometer projection.
	DefaultKmPerDay  float64 // used when a vehicle's history is too short to tell
	RateWindowMonths int     // the vehicle's rate is measured over this recent period first
	MinRateSpanDays  int     // a history shorter than this says nothing about the rate

	// First service: reminders go out between these months after delivery
	// (earlier if the projected mileage makes the service due earlier).
	FirstServiceFromMonths int
	FirstServiceToMonths   int

	// Periodic service.
	PeriodicLeadWorkingDays int // reminding starts this many working days before due
	ServiceCallLeadDays     int // the personal call comes this many calendar days before due

	// Other reminders: lead time before the date.
	WarrantyLeadMonths   int
	InsuranceLeadMonths  int
	InspectionLeadMonths int

	// BirthdayDeadline: the greeting goes out no later than this long after
	// the store's opening time, on the birthday, in the owner's zone.
	BirthdayDeadline time.Duration

	// Lapse: an owner with no visit for LapseMinDays..LapseMaxDays (inclusive).
	LapseMinDays int
	LapseMaxDays int

	// Win-back: after this many months with no visit and at least
	// WinBackMinUnanswered unanswered reminders, an offer valid
	// WinBackOfferDays is sent.
	WinBackAfterMonths   int
	WinBackMinUnanswered int
	WinBackOfferDays     int

	// EscalateAfterUnanswered consecutive unanswered reminders trigger a
	// one-to-one call by a care specialist. 0 or less switches it off.
	EscalateAfterUnanswered int

	// Seasonal health-check campaigns; 0 switches one off.
	SpringCampaignMonth time.Month
	AutumnCampaignMonth time.Month
}

// DefaultConfig returns the numbers from DOMAIN.md. Where DOMAIN.md gives
// none, the choice is noted on the field.
func DefaultConfig() Config {
	return Config{
		DefaultKmPerDay:  40, // about 15,000 km a year, a typical private car
		RateWindowMonths: 12,
		MinRateSpanDays:  14,

		FirstServiceFromMonths: 2,
		FirstServiceToMonths:   3,

		PeriodicLeadWorkingDays: 15,
		ServiceCallLeadDays:     7,

		WarrantyLeadMonths:   1,
		InsuranceLeadMonths:  2,
		InspectionLeadMonths: 1, // DOMAIN.md gives no lead; one month leaves time to book

		BirthdayDeadline: 2 * time.Hour,

		LapseMinDays: 90,
		LapseMaxDays: 360,

		WinBackAfterMonths:   6,
		WinBackMinUnanswered: 1, // "no answer to reminders": at least one went unanswered
		WinBackOfferDays:     30,

		EscalateAfterUnanswered: 2,

		SpringCampaignMonth: time.March,
		AutumnCampaignMonth: time.September,
	}
}
