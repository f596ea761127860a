package dealers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/ent/schema/schematype"
	"aftercare/internal/apperr"
)

// maxGreetingDays bounds a store's holiday list: a year's holidays with
// room to spare.
const maxGreetingDays = 60

// SetGreetingDays replaces the holidays on which the store greets its
// customers. Each date appears once and has a name, the greeting's title.
func SetGreetingDays(ctx context.Context, c *ent.Client, id int, days []*schematype.GreetingDay) (*ent.Dealership, error) {
	if len(days) > maxGreetingDays {
		return nil, apperr.Input("days", fmt.Sprintf("at most %d greeting days", maxGreetingDays))
	}
	seen := map[string]bool{}
	clean := make([]schematype.GreetingDay, 0, len(days))
	for i, g := range days {
		field := fmt.Sprintf("days[%d]", i)
		if _, err := time.Parse(time.DateOnly, g.Date); err != nil {
			return nil, apperr.Input(field+".date", "a date is YYYY-MM-DD")
		}
		if seen[g.Date] {
			return nil, apperr.Input(field+".date", "each date may appear once")
		}
		seen[g.Date] = true
		name := strings.TrimSpace(g.Name)
		if name == "" || len(name) > 100 {
			return nil, apperr.Input(field+".name", "a greeting needs a name of 1 to 100 characters")
		}
		clean = append(clean, schematype.GreetingDay{Date: g.Date, Name: name})
	}
	d, err := c.Dealership.UpdateOneID(id).SetGreetingDays(clean).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("dealership not found")
	}
	return d, err
}
