// Package schematype holds the Go types of the JSON columns in the ent schema.
// gqlgen binds them to GraphQL object and input types of the same name.
package schematype

// OpeningHours is one weekday's opening time in the store's own time zone.
// Weekday follows time.Weekday: 0 is Sunday. Times are "HH:MM".
type OpeningHours struct {
	Weekday int    `json:"weekday"`
	Opens   string `json:"opens"`
	Closes  string `json:"closes"`
}

// SurveyAspect is one branch of a survey's weighted tree:
// index <- aspects <- indicators. Weights are percentages of their level.
type SurveyAspect struct {
	Key        string            `json:"key"`
	Title      string            `json:"title"`
	Weight     float64           `json:"weight"`
	Indicators []SurveyIndicator `json:"indicators"`
}

// SurveyIndicator is one scored question inside an aspect.
type SurveyIndicator struct {
	Key    string  `json:"key"`
	Title  string  `json:"title"`
	Weight float64 `json:"weight"`
}

// SurveyAnswer is an owner's answer to one indicator (Score) or one
// free-text question (Text).
type SurveyAnswer struct {
	Key   string `json:"key"`
	Score *int   `json:"score,omitempty"`
	Text  string `json:"text,omitempty"`
}

// PoolCapacity is how many units of a capacity pool (service bays,
// advisors) a store has in each slot.
type PoolCapacity struct {
	Pool  string `json:"pool"`
	Units int    `json:"units"`
}

// CheckIn is the record of "three checks, three confirmations" taken when
// a car arrives.
type CheckIn struct {
	Exterior  []DamageNote  `json:"exterior"`
	Interior  InteriorCheck `json:"interior"`
	Functions []Check       `json:"functions"`
	// The three confirmations, given by the owner at the counter.
	FaultConfirmed        bool `json:"faultConfirmed"`
	WorkConfirmed         bool `json:"workConfirmed"`
	PromisedTimeConfirmed bool `json:"promisedTimeConfirmed"`
}

// DamageNote is an existing scratch or dent found at check-in.
type DamageNote struct {
	Position string   `json:"position"`
	Note     string   `json:"note"`
	PhotoIDs []string `json:"photoIDs,omitempty"`
}

// InteriorCheck records seat and floor covers and the owner's belongings.
type InteriorCheck struct {
	CoversFitted  bool   `json:"coversFitted"`
	PersonalItems string `json:"personalItems"`
	HandedOver    bool   `json:"handedOver"`
}

// Check is one function check (lights, wipers, audio, warning lamps).
type Check struct {
	Item string `json:"item"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

// GreetingDay is a holiday on which the store greets its customers (a
// marketing message, so only those who opted in), in the store's zone.
type GreetingDay struct {
	Date string `json:"date"` // YYYY-MM-DD
	Name string `json:"name"`
}

// CareCalendar is a store's own numbers for the care calendar; a nil field
// keeps the DOMAIN.md default (internal/reminder/rules.DefaultConfig).
type CareCalendar struct {
	FirstServiceFromMonths  *int `json:"firstServiceFromMonths,omitempty"`
	FirstServiceToMonths    *int `json:"firstServiceToMonths,omitempty"`
	PeriodicLeadWorkingDays *int `json:"periodicLeadWorkingDays,omitempty"`
	ServiceCallLeadDays     *int `json:"serviceCallLeadDays,omitempty"`
	WarrantyLeadMonths      *int `json:"warrantyLeadMonths,omitempty"`
	InsuranceLeadMonths     *int `json:"insuranceLeadMonths,omitempty"`
	InspectionLeadMonths    *int `json:"inspectionLeadMonths,omitempty"`
	BirthdayDeadlineMinutes *int `json:"birthdayDeadlineMinutes,omitempty"`
	LapseMinDays            *int `json:"lapseMinDays,omitempty"`
	LapseMaxDays            *int `json:"lapseMaxDays,omitempty"`
	WinBackAfterMonths      *int `json:"winBackAfterMonths,omitempty"`
	WinBackOfferDays        *int `json:"winBackOfferDays,omitempty"`
	EscalateAfterUnanswered *int `json:"escalateAfterUnanswered,omitempty"`
	SpringCampaignMonth     *int `json:"springCampaignMonth,omitempty"`
	AutumnCampaignMonth     *int `json:"autumnCampaignMonth,omitempty"`
}
