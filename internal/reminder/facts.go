package reminder

import (
	"context"
	"sort"
	"time"

	"aftercare/ent"
	"aftercare/ent/dealership"
	"aftercare/ent/odometerreading"
	"aftercare/ent/owner"
	"aftercare/ent/reminder"
	"aftercare/ent/vehicle"
	"aftercare/internal/reminder/rules"
	"aftercare/internal/validate"
)

// readingHistory is how far back odometer readings are read: the rate is
// measured over the last year first, and older history only matters for a
// car with too few recent readings.
const readingHistory = 3 * 365 * 24 * time.Hour

// store is what the sweep knows of a store.
type store struct {
	id     int
	cal    rules.Store
	cfg    rules.Config // the calendar's numbers, with the store's overrides
	loc    *time.Location
	region string
	greet  []greeting
}

type greeting struct {
	date time.Time // civil day, UTC midnight
	name string
}

// loadStores reads every store once per run: there are few of them.
func loadStores(ctx context.Context, c *ent.Client, base rules.Config) (map[int]*store, error) {
	ds, err := c.Dealership.Query().Select(dealership.FieldID, dealership.FieldTimeZone, dealership.FieldRegion,
		dealership.FieldOpeningHours, dealership.FieldClosures, dealership.FieldGreetingDays, dealership.FieldCareCalendar).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int]*store, len(ds))
	for _, d := range ds {
		out[d.ID] = newStore(d, base)
	}
	return out, nil
}

func newStore(d *ent.Dealership, base rules.Config) *store {
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	s := &store{id: d.ID, loc: loc, region: d.Region, cfg: ConfigFor(base, &d.CareCalendar),
		cal: rules.Store{Location: loc, Opening: opening(d), Holidays: map[string]bool{}}}
	for _, day := range d.Closures {
		s.cal.Holidays[day] = true
	}
	for _, g := range d.GreetingDays {
		if day, err := time.Parse(time.DateOnly, g.Date); err == nil {
			s.greet = append(s.greet, greeting{date: day, name: g.Name})
		}
	}
	return s
}

// opening is the store's earliest opening time of the week (08:30 when it
// has no hours on file): reminders go out when the store can answer.
func opening(d *ent.Dealership) time.Duration {
	best := time.Duration(-1)
	for _, h := range d.OpeningHours {
		if t, err := validate.ParseClock(h.Opens); err == nil && (best < 0 || t < best) {
			best = t
		}
	}
	if best < 0 {
		return 8*time.Hour + 30*time.Minute
	}
	return best
}

// batch is everything the calendar needs about a batch of vehicles, read
// in a fixed number of statements whatever the batch size.
type batch struct {
	vehicles   []*ent.Vehicle
	owners     map[int]*ent.Owner
	readings   map[int][]rules.Reading
	lastVisit  map[int]time.Time  // per owner: the latest service of any of their vehicles
	unanswered map[int]unanswered // per owner
}

func loadBatch(ctx context.Context, c *ent.Client, ids []int, now time.Time, answerWindow time.Duration) (*batch, error) {
	b := &batch{owners: map[int]*ent.Owner{}, readings: map[int][]rules.Reading{}, lastVisit: map[int]time.Time{}}
	var err error
	if b.vehicles, err = c.Vehicle.Query().Where(vehicle.IDIn(ids...), vehicle.OwnerIDNotNil()).All(ctx); err != nil {
		return nil, err
	}
	ownerIDs := make([]int, 0, len(b.vehicles))
	for _, v := range b.vehicles {
		ownerIDs = append(ownerIDs, *v.OwnerID)
	}
	owners, err := c.Owner.Query().Where(owner.IDIn(ownerIDs...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range owners {
		b.owners[o.ID] = o
	}
	if err := b.loadReadings(ctx, c, ids, now); err != nil {
		return nil, err
	}
	if err := b.loadLastVisits(ctx, c, ownerIDs); err != nil {
		return nil, err
	}
	b.unanswered, err = unansweredRuns(ctx, c, ownerIDs, now, answerWindow)
	return b, err
}

func (b *batch) loadReadings(ctx context.Context, c *ent.Client, ids []int, now time.Time) error {
	rs, err := c.OdometerReading.Query().Where(odometerreading.VehicleIDIn(ids...),
		odometerreading.RecordedAtGT(now.Add(-readingHistory))).
		Select(odometerreading.FieldVehicleID, odometerreading.FieldKm, odometerreading.FieldRecordedAt).All(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		b.readings[r.VehicleID] = append(b.readings[r.VehicleID], rules.Reading{At: r.RecordedAt, Km: r.Km})
	}
	return nil
}

// loadLastVisits: win-back is about the owner, so it counts from the latest
// visit with any of their cars, not only the one being looked at.
func (b *batch) loadLastVisits(ctx context.Context, c *ent.Client, ownerIDs []int) error {
	vs, err := c.Vehicle.Query().Where(vehicle.OwnerIDIn(ownerIDs...), vehicle.LastServiceDateNotNil()).
		Select(vehicle.FieldOwnerID, vehicle.FieldLastServiceDate).All(ctx)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if d := *v.LastServiceDate; d.After(b.lastVisit[*v.OwnerID]) {
			b.lastVisit[*v.OwnerID] = d
		}
	}
	return nil
}

// unanswered is an owner's run of unanswered reminders: their ids, newest
// first, back to the last reminder the owner answered.
type unanswered []int

// trigger is the reminder that made the run reach n: the key of the one
// call a run of silence gets, however long it grows.
func (u unanswered) trigger(n int) int { return u[len(u)-n] }

// unansweredRuns finds, per owner, the reminders sent in a row that the
// owner neither opened nor acted on within answerWindow.
func unansweredRuns(ctx context.Context, c *ent.Client, ownerIDs []int, now time.Time, answerWindow time.Duration) (map[int]unanswered, error) {
	rs, err := c.Reminder.Query().Where(reminder.OwnerIDIn(ownerIDs...), reminder.SentAtNotNil(),
		reminder.SentAtGT(now.AddDate(-1, 0, 0)), reminder.KindNEQ(reminder.KindServiceCall)).
		Select(reminder.FieldID, reminder.FieldOwnerID, reminder.FieldStatus, reminder.FieldSentAt).All(ctx)
	if err != nil {
		return nil, err
	}
	byOwner := map[int][]*ent.Reminder{}
	for _, r := range rs {
		byOwner[r.OwnerID] = append(byOwner[r.OwnerID], r)
	}
	out := make(map[int]unanswered, len(byOwner))
	for id, list := range byOwner {
		out[id] = unansweredRun(list, now, answerWindow)
	}
	return out, nil
}

// unansweredRun counts from the newest sent reminder back until one was
// answered. A reminder sent less than answerWindow ago is not yet
// unanswered, and does not break the run either.
func unansweredRun(rs []*ent.Reminder, now time.Time, answerWindow time.Duration) unanswered {
	sort.Slice(rs, func(i, j int) bool { return rs[i].SentAt.After(*rs[j].SentAt) })
	var u unanswered
	for _, r := range rs {
		switch {
		case r.Status == reminder.StatusOpened || r.Status == reminder.StatusConverted:
			return u
		case r.Status == reminder.StatusSent && !r.SentAt.After(now.Add(-answerWindow)):
			u = append(u, r.ID)
		}
	}
	return u
}

// calendarFacts maps the stored vehicle and owner to the calendar's view.
func calendarFacts(v *ent.Vehicle, o *ent.Owner, b *batch, st *store) (rules.Vehicle, rules.Owner) {
	rv := rules.Vehicle{
		ID: v.ID, OwnerID: o.ID, DeliveryDate: v.DeliveryDate, DeliveryKm: v.DeliveryKm,
		FirstServiceDone: v.LastServiceDate != nil, Readings: b.readings[v.ID],
		Plan: rules.ServicePlan{FirstKm: v.FirstServiceKm, FirstMonths: v.FirstServiceMonths,
			IntervalKm: v.ServiceIntervalKm, IntervalMonths: v.ServiceIntervalMonths},
	}
	if v.LastServiceDate != nil {
		rv.LastServiceDate = *v.LastServiceDate
	}
	if v.LastServiceKm != nil {
		rv.LastServiceKm = *v.LastServiceKm
	}
	if v.WarrantyEndDate != nil {
		rv.WarrantyEnd = *v.WarrantyEndDate
	}
	if v.WarrantyEndKm != nil {
		rv.WarrantyEndKm = *v.WarrantyEndKm
	}
	if v.InsuranceExpiry != nil {
		rv.InsuranceExpiry = *v.InsuranceExpiry
	}
	if v.NextInspectionDate != nil {
		rv.NextInspection = *v.NextInspectionDate
	}
	ro := rules.Owner{ID: o.ID, Location: ownerLocation(o, st), LastVisit: b.lastVisit[o.ID],
		RemindersUnanswered: len(b.unanswered[o.ID])}
	if o.Birthday != nil {
		ro.Birthday = *o.Birthday
	}
	return rv, ro
}

func ownerLocation(o *ent.Owner, st *store) *time.Location {
	if o.TimeZone != "" {
		if loc, err := time.LoadLocation(o.TimeZone); err == nil {
			return loc
		}
	}
	return st.loc
}

// storeOf is the store that reminds the owner: their home store, else the
// store that sold the car.
func storeOf(v *ent.Vehicle, o *ent.Owner, stores map[int]*store) *store {
	if o.HomeDealershipID != nil {
		return stores[*o.HomeDealershipID]
	}
	if v.SellingDealershipID != nil {
		return stores[*v.SellingDealershipID]
	}
	return nil
}
