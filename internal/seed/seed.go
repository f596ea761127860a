// Package seed fills a database with demo data (a dealer group with two
// stores, staff in every role, owners, vehicles with odometer histories,
// appointments and work orders in every state, survey templates) or with a
// large synthetic data set for benchmarks.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/odometerreading"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/servicetype"
	"aftercare/ent/staff"
	"aftercare/ent/surveytemplate"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/auth"
	"aftercare/internal/booking"
	"aftercare/internal/booking/slots"
)

// Demo is what the demo seed created, for printing sign-in hints.
type Demo struct {
	Group      *ent.DealerGroup
	Stores     []*ent.Dealership
	Staff      []*ent.Staff
	Owners     []*ent.Owner
	Vehicles   int
	WorkOrders int
}

// Options size the generated data.
type Options struct {
	Owners int // vehicles are 1.5x owners
	Now    time.Time
	Rand   *rand.Rand
}

// Run seeds a new group with two stores and opts.Owners owners. It is not
// idempotent: run it on an empty database.
func Run(ctx context.Context, c *ent.Client, opts Options) (*Demo, error) {
	ctx = auth.SystemContext(ctx)
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Rand == nil {
		opts.Rand = rand.New(rand.NewPCG(1, 2))
	}
	// Each run adds a new group, so codes, e-mails and VINs carry its number.
	groups, err := c.DealerGroup.Query().Count(ctx)
	if err != nil {
		return nil, err
	}
	g := &generator{c: c, now: opts.Now.UTC(), rnd: opts.Rand, run: groups}
	d := &Demo{}
	if d.Group, d.Stores, err = g.stores(ctx); err != nil {
		return nil, fmt.Errorf("seed stores: %w", err)
	}
	if d.Staff, err = g.staff(ctx, d.Group, d.Stores); err != nil {
		return nil, fmt.Errorf("seed staff: %w", err)
	}
	if err := g.surveys(ctx, d.Group); err != nil {
		return nil, fmt.Errorf("seed surveys: %w", err)
	}
	if d.Owners, d.Vehicles, err = g.customers(ctx, d.Group, d.Stores, opts.Owners); err != nil {
		return nil, fmt.Errorf("seed customers: %w", err)
	}
	if d.WorkOrders, err = g.visits(ctx, d.Stores, d.Staff); err != nil {
		return nil, fmt.Errorf("seed visits: %w", err)
	}
	return d, nil
}

type generator struct {
	c   *ent.Client
	now time.Time
	rnd *rand.Rand
	run int // how many groups existed before this run
}

// tag makes a code or e-mail domain unique to this run: "" for the first.
func (g *generator) tag() string {
	if g.run == 0 {
		return ""
	}
	return fmt.Sprint(g.run + 1)
}

func (g *generator) stores(ctx context.Context) (*ent.DealerGroup, []*ent.Dealership, error) {
	grp, err := g.c.DealerGroup.Create().SetName("Harbour Motor Group " + g.tag()).SetCode("HMG" + g.tag()).Save(ctx)
	if err != nil {
		return nil, nil, err
	}
	week := []schematype.OpeningHours{}
	for wd := 1; wd <= 6; wd++ {
		week = append(week, schematype.OpeningHours{Weekday: wd, Opens: "08:30", Closes: "18:00"})
	}
	var out []*ent.Dealership
	for _, s := range []struct {
		name, code, region, phone string
		lat, lng                  float64
	}{
		{"Harbour Motors Pudong", "SH-PD", "Shanghai", "+862150501234", 31.2215, 121.5440},
		{"Harbour Motors Hangzhou", "HZ-XH", "Hangzhou", "+8657188881234", 30.2741, 120.1551},
	} {
		d, err := g.c.Dealership.Create().SetDealerGroupID(grp.ID).SetName(s.name).SetCode(s.code + g.tag()).
			SetRegion(s.region).SetTimeZone("Asia/Shanghai").SetBrands([]string{"Volkswagen", "Audi"}).
			SetOpeningHours(week).SetPhone(s.phone).SetLatitude(s.lat).SetLongitude(s.lng).
			SetCapacity(booking.DefaultCapacity()).SetPeakHours([]string{"08:30-10:00", "17:00-18:00"}).Save(ctx)
		if err != nil {
			return nil, nil, err
		}
		if err := g.serviceTypes(ctx, d.ID); err != nil {
			return nil, nil, err
		}
		out = append(out, d)
	}
	return grp, out, nil
}

// serviceTypes gives a store the industry's default services.
func (g *generator) serviceTypes(ctx context.Context, store int) error {
	for _, st := range slots.DefaultServiceTypes() {
		if err := g.c.ServiceType.Create().SetDealershipID(store).SetCode(servicetype.Code(st.Code)).
			SetName(serviceNames[st.Code]).SetDurationMinutes(int(st.Duration.Minutes())).SetPools(st.Pools).
			Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// staffRoles are created in each store; the group admin once.
var staffRoles = []staff.Role{staff.RoleAdvisor, staff.RoleTechnician, staff.RoleCareAgent,
	staff.RoleCareManager, staff.RoleServiceManager, staff.RoleGeneralManager}

func (g *generator) staff(ctx context.Context, grp *ent.DealerGroup, stores []*ent.Dealership) ([]*ent.Staff, error) {
	var out []*ent.Staff
	admin, err := g.c.Staff.Create().SetDealerGroupID(grp.ID).SetName("Grace Admin").
		SetEmail("admin@hmg" + g.tag() + ".example").SetRole(staff.RoleGroupAdmin).Save(ctx)
	if err != nil {
		return nil, err
	}
	out = append(out, admin)
	for i, st := range stores {
		for _, role := range staffRoles {
			s, err := g.c.Staff.Create().SetDealerGroupID(grp.ID).SetDealershipID(st.ID).
				SetName(fmt.Sprintf("%s %d", role, i+1)).
				SetEmail(fmt.Sprintf("%s@%s.hmg%s.example", role, map[int]string{0: "pudong", 1: "hangzhou"}[i], g.tag())).
				SetRole(role).Save(ctx)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func (g *generator) surveys(ctx context.Context, grp *ent.DealerGroup) error {
	for _, t := range []struct {
		name    string
		kind    string
		aspects []schematype.SurveyAspect
	}{
		{"Service satisfaction", "service", ServiceSurveyAspects()},
		{"Sales satisfaction", "sales", SalesSurveyAspects()},
	} {
		if err := g.c.SurveyTemplate.Create().SetDealerGroupID(grp.ID).SetName(t.name).
			SetKind(surveytemplate.Kind(t.kind)).SetVersion(1).SetScaleMax(10).SetAspects(t.aspects).
			SetFreeTextQuestions([]string{"What could we do better?"}).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

const batch = 1000

// customers creates owners and 1.5 vehicles each, with odometer histories
// that grow at each vehicle's own pace, in bulk inserts of 1,000 rows.
func (g *generator) customers(ctx context.Context, grp *ent.DealerGroup, stores []*ent.Dealership, n int) ([]*ent.Owner, int, error) {
	var owners []*ent.Owner
	vehicles := 0
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		obs := make([]*ent.OwnerCreate, 0, end-start)
		for i := start; i < end; i++ {
			st := stores[i%len(stores)]
			obs = append(obs, g.c.Owner.Create().SetDealerGroupID(grp.ID).SetHomeDealershipID(st.ID).
				SetName(fmt.Sprintf("Owner %d", i+1)).SetPhone(makePhone(i+1)).
				SetRegion(st.Region).SetTier(tierFor(i)).SetPreferredChannels([]string{"push", "wechat", "sms"}).
				SetBirthday(time.Date(1960+i%40, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)))
		}
		created, err := g.c.Owner.CreateBulk(obs...).Save(ctx)
		if err != nil {
			return nil, 0, err
		}
		owners = append(owners, created...)
		nv, err := g.vehiclesFor(ctx, created, stores, start)
		if err != nil {
			return nil, 0, err
		}
		vehicles += nv
	}
	return owners, vehicles, nil
}

func (g *generator) vehiclesFor(ctx context.Context, owners []*ent.Owner, stores []*ent.Dealership, offset int) (int, error) {
	var vbs []*ent.VehicleCreate
	for i, o := range owners {
		count := 1 + (offset+i)%2 // alternate 1 and 2 vehicles: 1.5 per owner
		for k := 0; k < count; k++ {
			n := g.run*10_000_000 + 2*(offset+i) + k
			delivered := g.now.AddDate(0, 0, -30-g.rnd.IntN(5*365)).Truncate(24 * time.Hour)
			kmPerDay := 10 + g.rnd.IntN(80)
			odo := int(g.now.Sub(delivered).Hours()/24) * kmPerDay
			vbs = append(vbs, g.c.Vehicle.Create().SetVin(makeVIN("LSV", n)).
				SetPlate(fmt.Sprintf("沪A%05d", n%100000)).SetMake("Volkswagen").
				SetModel([]string{"Lavida", "Tiguan L", "Passat", "ID.4 Crozz"}[n%4]).
				SetModelYear(delivered.Year()).SetFuelType(fuelFor(n)).SetDeliveryDate(delivered).
				SetDeliveryKm(5).SetOdometerKm(odo).SetOwnerID(o.ID).
				SetSellingDealershipID(*o.HomeDealershipID).
				SetWarrantyEndDate(delivered.AddDate(3, 0, 0)).SetWarrantyEndKm(100000).
				SetInsuranceExpiry(delivered.AddDate(1+int(g.now.Sub(delivered).Hours()/24/365), 0, 0)).
				SetNextInspectionDate(delivered.AddDate(6, 0, 0)))
		}
	}
	created, err := g.c.Vehicle.CreateBulk(vbs...).Save(ctx)
	if err != nil {
		return 0, err
	}
	return len(created), g.readingsFor(ctx, created)
}

// readingsFor writes three readings per vehicle: delivery, a mid-life visit
// and the current odometer.
func (g *generator) readingsFor(ctx context.Context, vs []*ent.Vehicle) error {
	var rbs []*ent.OdometerReadingCreate
	for _, v := range vs {
		mid := v.DeliveryDate.Add(g.now.Sub(v.DeliveryDate) / 2)
		for _, r := range []struct {
			at     time.Time
			km     int
			source odometerreading.Source
		}{
			{v.DeliveryDate, v.DeliveryKm, odometerreading.SourceServiceVisit},
			{mid, (v.DeliveryKm + v.OdometerKm) / 2, odometerreading.SourceServiceVisit},
			{g.now.Add(-time.Hour), v.OdometerKm, odometerreading.SourceOwnerApp},
		} {
			rbs = append(rbs, g.c.OdometerReading.Create().SetVehicleID(v.ID).SetKm(r.km).
				SetSource(r.source).SetRecordedAt(r.at))
		}
	}
	for start := 0; start < len(rbs); start += batch {
		if err := g.c.OdometerReading.CreateBulk(rbs[start:min(start+batch, len(rbs))]...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// visits gives the first vehicles appointments and work orders in every
// state, so each screen of the apps has something to show.
func (g *generator) visits(ctx context.Context, stores []*ent.Dealership, team []*ent.Staff) (int, error) {
	ids := make([]int, len(stores))
	for i, s := range stores {
		ids[i] = s.ID
	}
	// Only this run's stores: a second run (a second group) used to give
	// its visits to the first group's vehicles.
	vs, err := g.c.Vehicle.Query().Where(vehicle.SellingDealershipIDIn(ids...)).Order(ent.Asc(vehicle.FieldID)).
		Limit(len(workOrderStatuses())*len(stores) + 20).All(ctx)
	if err != nil {
		return 0, err
	}
	statuses := workOrderStatuses()
	made := 0
	for i, v := range vs {
		store := *v.SellingDealershipID
		advisor := advisorOf(team, store)
		start := visitSlot(g.now, i)
		// The first vehicles of each store get a work order in every state.
		withOrder := i < 2*len(statuses)
		apptStatus := appointment.StatusConfirmed
		if withOrder {
			apptStatus = appointment.StatusCheckedIn
		}
		appt, err := g.c.Appointment.Create().SetReference(fmt.Sprintf("BK%d%06d", g.run, i+1)).
			SetDealershipID(store).SetOwnerID(*v.OwnerID).SetVehicleID(v.ID).SetAdvisorID(advisor).
			SetServiceType(appointment.ServiceTypePeriodicService).SetStartsAt(start).
			SetEndsAt(start.Add(90 * time.Minute)).SetPools([]string{slots.PoolBay, slots.PoolAdvisor}).SetStatus(apptStatus).SetSource(appointment.SourceApp).Save(ctx)
		if err != nil {
			return 0, err
		}
		if !withOrder {
			continue
		}
		if err := g.workOrder(ctx, appt, v, statuses[i%len(statuses)]); err != nil {
			return 0, err
		}
		made++
	}
	return made, nil
}

func (g *generator) workOrder(ctx context.Context, appt *ent.Appointment, v *ent.Vehicle, status workorder.Status) error {
	wo, err := g.c.WorkOrder.Create().SetNumber(fmt.Sprintf("WO-%06d", appt.ID%1000000)).
		SetDealershipID(appt.DealershipID).SetVehicleID(v.ID).SetOwnerID(appt.OwnerID).
		SetAppointmentID(appt.ID).SetAdvisorID(*appt.AdvisorID).SetStatus(status).
		SetFaultDescription("Periodic service; owner reports a squeak from the front brakes.").
		SetOdometerInKm(v.OdometerKm).SetPromisedAt(appt.StartsAt.Add(4 * time.Hour)).
		SetOpenedAt(appt.StartsAt).SetLastEventSeq(1).Save(ctx)
	if err != nil {
		return err
	}
	return g.c.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(1).
		SetToStatus(workorderevent.ToStatus(status)).SetActorKind("staff").SetActorStaffID(*appt.AdvisorID).
		SetMessage("Your car is with us.").SetCreatedAt(appt.StartsAt).Exec(ctx)
}

func advisorOf(team []*ent.Staff, store int) int {
	for _, s := range team {
		if s.Role == staff.RoleAdvisor && s.DealershipID != nil && *s.DealershipID == store {
			return s.ID
		}
	}
	return team[0].ID
}

// visitSlot spreads demo visits over opening hours (09:00-16:30 Shanghai
// time, Monday to Saturday): the ones with work orders today, the rest on
// the following working days.
func visitSlot(now time.Time, i int) time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	day := now.In(loc)
	for n := i / 16; n > 0 || day.Weekday() == time.Sunday; {
		day = day.AddDate(0, 0, 1)
		if day.Weekday() != time.Sunday {
			n--
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc).Add(time.Duration(i%16) * 30 * time.Minute)
}
