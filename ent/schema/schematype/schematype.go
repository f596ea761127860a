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
