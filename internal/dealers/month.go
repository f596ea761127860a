package dealers

import (
	"time"

	"aftercare/internal/apperr"
)

// MonthRange is a store's calendar month ("2026-11") as the instant it
// starts and the instant the next one starts, in the store's time zone
// (UTC when the zone is unknown). Monthly reports (survey scores, KPIs)
// share it so they agree on where a month begins.
func MonthRange(month, zone string) (from, to time.Time, err error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	start, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil {
		return time.Time{}, time.Time{}, apperr.Input("month", "a month is written YYYY-MM")
	}
	return start, start.AddDate(0, 1, 0), nil
}
