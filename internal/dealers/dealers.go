// Package dealers keeps the rules of a store's own record: its opening
// hours, in the store's time zone.
package dealers

import (
	"context"
	"fmt"

	"aftercare/ent"
	"aftercare/ent/schema/schematype"
	"aftercare/internal/apperr"
	"aftercare/internal/validate"
)

// SetOpeningHours replaces a store's weekly hours. Each weekday appears at
// most once, and a store closes after it opens on the same day.
func SetOpeningHours(ctx context.Context, c *ent.Client, id int, hours []*schematype.OpeningHours) (*ent.Dealership, error) {
	seen := map[int]bool{}
	clean := make([]schematype.OpeningHours, 0, len(hours))
	for i, h := range hours {
		field := fmt.Sprintf("hours[%d]", i)
		if h.Weekday < 0 || h.Weekday > 6 {
			return nil, apperr.Input(field+".weekday", "weekday is 0 (Sunday) to 6 (Saturday)")
		}
		if seen[h.Weekday] {
			return nil, apperr.Input(field+".weekday", "each weekday may appear once")
		}
		seen[h.Weekday] = true
		opens, err := validate.ParseClock(h.Opens)
		if err != nil {
			return nil, apperr.Input(field+".opens", err.Error())
		}
		closes, err := validate.ParseClock(h.Closes)
		if err != nil {
			return nil, apperr.Input(field+".closes", err.Error())
		}
		if closes <= opens {
			return nil, apperr.Input(field+".closes", "a store closes after it opens")
		}
		clean = append(clean, *h)
	}
	d, err := c.Dealership.UpdateOneID(id).SetOpeningHours(clean).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("dealership not found")
	}
	return d, err
}
