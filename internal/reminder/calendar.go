package reminder

import (
	"context"
	"strconv"
	"time"

	"entgo.io/ent/dialect/sql"

	"aftercare/ent"
	"aftercare/ent/owner"
	"aftercare/ent/remindercheck"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/vehicle"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/reminder/rules"
)

// calendarField is one of a store's care-calendar numbers: where it lives
// in the stored overrides and in rules.Config, and its sensible range.
type calendarField struct {
	name     string
	stored   func(*schematype.CareCalendar) *int
	apply    func(*rules.Config, int)
	min, max int
}

var calendarFields = []calendarField{
	{"firstServiceFromMonths", func(c *schematype.CareCalendar) *int { return c.FirstServiceFromMonths },
		func(r *rules.Config, v int) { r.FirstServiceFromMonths = v }, 1, 12},
	{"firstServiceToMonths", func(c *schematype.CareCalendar) *int { return c.FirstServiceToMonths },
		func(r *rules.Config, v int) { r.FirstServiceToMonths = v }, 1, 24},
	{"periodicLeadWorkingDays", func(c *schematype.CareCalendar) *int { return c.PeriodicLeadWorkingDays },
		func(r *rules.Config, v int) { r.PeriodicLeadWorkingDays = v }, 0, 60},
	{"serviceCallLeadDays", func(c *schematype.CareCalendar) *int { return c.ServiceCallLeadDays },
		func(r *rules.Config, v int) { r.ServiceCallLeadDays = v }, 0, 60},
	{"warrantyLeadMonths", func(c *schematype.CareCalendar) *int { return c.WarrantyLeadMonths },
		func(r *rules.Config, v int) { r.WarrantyLeadMonths = v }, 0, 12},
	{"insuranceLeadMonths", func(c *schematype.CareCalendar) *int { return c.InsuranceLeadMonths },
		func(r *rules.Config, v int) { r.InsuranceLeadMonths = v }, 0, 12},
	{"inspectionLeadMonths", func(c *schematype.CareCalendar) *int { return c.InspectionLeadMonths },
		func(r *rules.Config, v int) { r.InspectionLeadMonths = v }, 0, 12},
	{"birthdayDeadlineMinutes", func(c *schematype.CareCalendar) *int { return c.BirthdayDeadlineMinutes },
		func(r *rules.Config, v int) { r.BirthdayDeadline = time.Duration(v) * time.Minute }, 0, 12 * 60},
	{"lapseMinDays", func(c *schematype.CareCalendar) *int { return c.LapseMinDays },
		func(r *rules.Config, v int) { r.LapseMinDays = v }, 30, 720},
	{"lapseMaxDays", func(c *schematype.CareCalendar) *int { return c.LapseMaxDays },
		func(r *rules.Config, v int) { r.LapseMaxDays = v }, 30, 1095},
	{"winBackAfterMonths", func(c *schematype.CareCalendar) *int { return c.WinBackAfterMonths },
		func(r *rules.Config, v int) { r.WinBackAfterMonths = v }, 1, 36},
	{"winBackOfferDays", func(c *schematype.CareCalendar) *int { return c.WinBackOfferDays },
		func(r *rules.Config, v int) { r.WinBackOfferDays = v }, 1, 365},
	{"escalateAfterUnanswered", func(c *schematype.CareCalendar) *int { return c.EscalateAfterUnanswered },
		func(r *rules.Config, v int) { r.EscalateAfterUnanswered = v }, 0, 10},
	{"springCampaignMonth", func(c *schematype.CareCalendar) *int { return c.SpringCampaignMonth },
		func(r *rules.Config, v int) { r.SpringCampaignMonth = time.Month(v) }, 0, 12},
	{"autumnCampaignMonth", func(c *schematype.CareCalendar) *int { return c.AutumnCampaignMonth },
		func(r *rules.Config, v int) { r.AutumnCampaignMonth = time.Month(v) }, 0, 12},
}

// ConfigFor is the calendar of a store: the defaults with its overrides.
func ConfigFor(base rules.Config, cal *schematype.CareCalendar) rules.Config {
	if cal == nil {
		return base
	}
	for _, f := range calendarFields {
		if v := f.stored(cal); v != nil {
			f.apply(&base, *v)
		}
	}
	return base
}

// SetCalendar replaces a store's care-calendar overrides after checking
// each number's range and that the windows still make sense.
func SetCalendar(ctx context.Context, c *ent.Client, storeID int, cal *schematype.CareCalendar) (*ent.Dealership, error) {
	for _, f := range calendarFields {
		if v := f.stored(cal); v != nil && (*v < f.min || *v > f.max) {
			return nil, apperr.Input("calendar."+f.name, "must be between "+strconv.Itoa(f.min)+" and "+strconv.Itoa(f.max))
		}
	}
	eff := ConfigFor(rules.DefaultConfig(), cal)
	if eff.FirstServiceToMonths < eff.FirstServiceFromMonths {
		return nil, apperr.Input("calendar.firstServiceToMonths", "the first-service window ends after it starts")
	}
	if eff.LapseMaxDays < eff.LapseMinDays {
		return nil, apperr.Input("calendar.lapseMaxDays", "the lapse range ends after it starts")
	}
	d, err := c.Dealership.UpdateOneID(storeID).SetCareCalendar(*cal).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("dealership not found")
	}
	if err != nil {
		return nil, err
	}
	return d, replan(ctx, c, storeID)
}

// replan puts the vehicles of the store's owners on the sweep's agenda
// now: their windows follow the store's new numbers.
func replan(ctx context.Context, c *ent.Client, storeID int) error {
	return c.ReminderCheck.Update().Where(func(s *sql.Selector) {
		v, o := sql.Table(vehicle.Table), sql.Table(owner.Table)
		s.Where(sql.In(s.C(remindercheck.FieldVehicleID), sql.Select(v.C(vehicle.FieldID)).From(v).
			Join(o).On(v.C(vehicle.FieldOwnerID), o.C(owner.FieldID)).
			Where(sql.EQ(o.C(owner.FieldHomeDealershipID), storeID))))
	}).SetNextAt(time.Now()).Exec(auth.SystemContext(ctx))
}
