package reminder

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/caretask"
	"aftercare/ent/owner"
	"aftercare/ent/vehicle"
	"aftercare/internal/auth"
	"aftercare/internal/reminder/rules"
)

// ClassifyLapses puts every lapsing owner (no visit for 90-360 days) on
// their home store's call list once a month, classified local / non-local
// x in / out of warranty. The agent records why they stopped coming when
// they reach them (logContactAttempt's answer). Candidates are found in
// SQL, by the date of each owner's latest visit; only they are read.
func (s *Sweeper) ClassifyLapses(ctx context.Context, now time.Time) (int, error) {
	s.defaults()
	ctx = auth.SystemContext(ctx)
	stores, err := loadStores(ctx, s.Client, s.Config)
	if err != nil {
		return 0, err
	}
	opened := 0
	for _, st := range stores {
		n, err := s.classifyStore(ctx, st, now)
		opened += n
		if err != nil {
			return opened, fmt.Errorf("store %d: %w", st.id, err)
		}
	}
	return opened, nil
}

func (s *Sweeper) classifyStore(ctx context.Context, st *store, now time.Time) (int, error) {
	y, m, day := now.In(st.loc).Date()
	today := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	ids, err := s.lapsingOwners(ctx, st.id, today.AddDate(0, 0, -st.cfg.LapseMaxDays), today.AddDate(0, 0, -st.cfg.LapseMinDays))
	if err != nil {
		return 0, err
	}
	month := today.Format("2006-01")
	opened := 0
	for start := 0; start < len(ids); start += s.Batch {
		n, err := s.classifyOwners(ctx, st, ids[start:min(start+s.Batch, len(ids))], month, now)
		opened += n
		if err != nil {
			return opened, err
		}
	}
	return opened, nil
}

// lapsingOwners are the store's owners whose latest visit with any of their
// cars (service, else delivery) falls between from and to.
func (s *Sweeper) lapsingOwners(ctx context.Context, storeID int, from, to time.Time) ([]int, error) {
	q := s.sql()
	last := "MAX(COALESCE(v.last_service_date, v.delivery_date))"
	return s.ids(ctx, q.f("SELECT v.owner_id FROM vehicles v JOIN owners o ON o.id = v.owner_id "+
		"WHERE o.home_dealership_id = %s AND o.erased_at IS NULL GROUP BY v.owner_id HAVING %s >= %s AND %s <= %s",
		q.p(1), last, q.ts(2), last, q.ts(3)), storeID, from, to)
}

func (s *Sweeper) classifyOwners(ctx context.Context, st *store, ownerIDs []int, month string, now time.Time) (int, error) {
	owners, err := s.Client.Owner.Query().Where(owner.IDIn(ownerIDs...)).All(ctx)
	if err != nil {
		return 0, err
	}
	vs, err := s.Client.Vehicle.Query().Where(vehicle.OwnerIDIn(ownerIDs...)).All(ctx)
	if err != nil {
		return 0, err
	}
	latest := latestVisited(vs)
	var tasks []*ent.CareTaskCreate
	for _, o := range owners {
		v := latest[o.ID]
		if v == nil || o.PhoneInvalid {
			continue
		}
		rv, ro := calendarFacts(v, o, &batch{}, st)
		l, ok := rules.ClassifyLapse(ro, rv, st.region, o.Region, now, st.cfg)
		if !ok {
			continue
		}
		tasks = append(tasks, s.Client.CareTask.Create().SetOwnerID(o.ID).SetDealershipID(st.id).
			SetChannel(caretask.ChannelPhone).SetKind(caretask.KindLapse).
			SetDedupeKey(fmt.Sprintf("lapse:%d:%s", o.ID, month)).SetLapseMonth(month).
			SetLapseClass(caretask.LapseClass(l.Class)).SetDaysSinceVisit(l.DaysSinceVisit).SetVehicleID(v.ID).
			SetReason(fmt.Sprintf("Lapsing owner (%s): no visit for %d days", l.Class, l.DaysSinceVisit)).SetDueAt(now))
	}
	if len(tasks) == 0 {
		return 0, nil
	}
	return len(tasks), s.Client.CareTask.CreateBulk(tasks...).OnConflictColumns(caretask.FieldDedupeKey).DoNothing().Exec(ctx)
}

// latestVisited is each owner's car with the latest visit (service, else
// delivery): the one the lapse is judged on.
func latestVisited(vs []*ent.Vehicle) map[int]*ent.Vehicle {
	visit := func(v *ent.Vehicle) time.Time {
		if v.LastServiceDate != nil {
			return *v.LastServiceDate
		}
		return v.DeliveryDate
	}
	out := map[int]*ent.Vehicle{}
	for _, v := range vs {
		if cur := out[*v.OwnerID]; cur == nil || visit(v).After(visit(cur)) {
			out[*v.OwnerID] = v
		}
	}
	return out
}
