package reminder_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/caretask"
	"aftercare/ent/outboxmessage"
	entreminder "aftercare/ent/reminder"
	"aftercare/ent/remindercheck"
	"aftercare/ent/vehicle"
	"aftercare/internal/apitest"
	"aftercare/internal/reminder"
	"aftercare/internal/reminder/rules"
	"aftercare/internal/seed"
	"aftercare/internal/testenv"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// sweepNow is the fixed moment the sweeps run at: 10:00 on Wednesday
// 10 March 2027 in Shanghai, inside the fixture cars' first-service window
// (delivered 4 January: 4 March to 4 April) and the spring campaign.
var sweepNow = time.Date(2027, 3, 10, 10, 0, 0, 0, shanghai)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is n owners of store 0 with one car each, delivered on
// 4 January 2027, no birthday on file, and due for two reminders at
// sweepNow: the first service and the spring health check.
type fixture struct {
	api      *apitest.API
	owners   []int
	vehicles []int
}

func newFixture(t *testing.T, d testenv.Dialect, n int) *fixture {
	t.Helper()
	api := apitest.Start(t, d, apitest.Options{Owners: 4})
	ctx := apitest.SystemCtx()
	f := &fixture{api: api}
	store := api.Demo.Stores[0].ID
	for i := range n {
		o := api.Client.Owner.Create().SetDealerGroupID(api.Demo.Group.ID).SetHomeDealershipID(store).
			SetName(fmt.Sprintf("Fixture %d", i)).SetPhone(fmt.Sprintf("+86137%08d", i)).SetConsentMarketing(true).SaveX(ctx)
		v := api.Client.Vehicle.Create().SetVin(seed.VIN("LFV", 900000+i)).SetMake("VW").SetModel("Lavida").
			SetModelYear(2026).SetFuelType(vehicle.FuelTypePetrol).SetDeliveryDate(time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)).
			SetOwnerID(o.ID).SetSellingDealershipID(store).SaveX(ctx)
		f.owners = append(f.owners, o.ID)
		f.vehicles = append(f.vehicles, v.ID)
	}
	return f
}

func (f *fixture) sweeper(batch int) *reminder.Sweeper {
	return &reminder.Sweeper{Client: f.api.Client, Dialect: f.api.App.DB.Dialect, Logger: quiet, Batch: batch}
}

// fixtureReminders returns the fixture cars' reminders by key, failing on
// a reminder without exactly one push.
func (f *fixture) fixtureReminders(t *testing.T) map[string]int {
	t.Helper()
	ctx := apitest.SystemCtx()
	rs := f.api.Client.Reminder.Query().Where(entreminder.VehicleIDIn(f.vehicles...)).AllX(ctx)
	byKind := map[string]int{}
	for _, r := range rs {
		byKind[string(r.Kind)]++
		n := f.api.Client.OutboxMessage.Query().Where(outboxmessage.ReminderID(r.ID)).CountX(ctx)
		if n != 1 {
			t.Fatalf("reminder %s %s has %d pushes, want 1", r.Kind, r.Cycle, n)
		}
	}
	return byKind
}

func checkOnce(t *testing.T, f *fixture, got map[string]int) {
	t.Helper()
	n := len(f.vehicles)
	if got["first_service"] != n || got["spring_campaign"] != n || len(got) != 2 {
		t.Fatalf("reminders %v, want %d first_service and %d spring_campaign", got, n, n)
	}
}

// A sweep stopped halfway (the process died after some batches) and run
// again records every due reminder exactly once, with one push each.
func TestSweepInterruptedAndRerunRemindsOnce(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d, 25)
			crash := errors.New("killed")
			s := f.sweeper(7)
			s.AfterBatch = func(done int) error {
				if done >= 14 {
					return crash
				}
				return nil
			}
			if _, err := s.Run(context.Background(), time.Time{}, sweepNow); !errors.Is(err, crash) {
				t.Fatalf("first sweep: %v", err)
			}
			// The job's last success was never recorded: the rerun starts
			// from scratch, as after a restart.
			st, err := f.sweeper(7).Run(context.Background(), time.Time{}, sweepNow)
			if err != nil {
				t.Fatal(err)
			}
			checkOnce(t, f, f.fixtureReminders(t))
			// A third run finds nothing new to look at.
			st2, err := f.sweeper(7).Run(context.Background(), sweepNow, sweepNow.Add(10*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if st2.Vehicles != 0 {
				t.Fatalf("a sweep right after a complete one looked at %d vehicles (first: %d)", st2.Vehicles, st.Vehicles)
			}
			checkOnce(t, f, f.fixtureReminders(t))
		})
	}
}

// Two instances sweeping at the same moment (a lease that lapsed while the
// first one paused) still write each reminder once.
func TestTwoSweepsAtOnceRemindOnce(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d, 25)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = f.sweeper(5).Run(context.Background(), time.Time{}, sweepNow)
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			checkOnce(t, f, f.fixtureReminders(t))
		})
	}
}

// The sweep reads the agenda, not every vehicle: after a complete run only
// the vehicles that changed are looked at again, and a changed fact (a
// service recorded) moves the vehicle's next check.
func TestSweepLooksOnlyAtChangedVehicles(t *testing.T) {
	d := testenv.SQLite(t)
	f := newFixture(t, d, 3)
	ctx := apitest.SystemCtx()
	if _, err := f.sweeper(100).Run(context.Background(), time.Time{}, sweepNow); err != nil {
		t.Fatal(err)
	}
	later := sweepNow.Add(20 * time.Minute)
	// The first service is done on 12 March, at 2,400 km. (updated_at is
	// stamped by the real clock: the run picks up changes since then.)
	before := time.Now()
	f.api.Client.Vehicle.UpdateOneID(f.vehicles[0]).SetLastServiceDate(time.Date(2027, 3, 12, 0, 0, 0, 0, time.UTC)).
		SetLastServiceKm(2400).ExecX(ctx)
	st, err := f.sweeper(100).Run(context.Background(), before.Add(10*time.Minute), later) // within the margin
	if err != nil {
		t.Fatal(err)
	}
	if st.Vehicles != 1 {
		t.Fatalf("looked at %d vehicles, want only the changed one", st.Vehicles)
	}
	// Its periodic service is due on 12 September: reminding starts 15
	// working days before, on 20 August, so the agenda holds it until the
	// 30-day re-check.
	// (the autumn campaign, 1 September, comes later still).
	check := f.api.Client.ReminderCheck.Query().Where(remindercheck.VehicleID(f.vehicles[0])).OnlyX(ctx)
	if want := later.Add(rules.MaxCheckInterval); !check.NextAt.Equal(want) {
		t.Fatalf("next check %v, want the 30-day re-check %v", check.NextAt.In(shanghai), want.In(shanghai))
	}
	if n := f.api.Client.Reminder.Query().Where(entreminder.VehicleID(f.vehicles[0]), entreminder.KindEQ(entreminder.KindPeriodicService)).CountX(ctx); n != 0 {
		t.Fatalf("%d periodic reminders the day after the first service", n)
	}
}

// After two reminders in a row that the owner left unanswered, a care
// agent gets one call task, and only one however often the sweep runs.
func TestTwoUnansweredRemindersOpenOneCall(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d, 2)
			ctx := apitest.SystemCtx()
			s := f.sweeper(50)
			if _, err := s.Run(context.Background(), time.Time{}, sweepNow); err != nil {
				t.Fatal(err)
			}
			// Both reminders are pushed; owner 0 opens one, owner 1 neither.
			sent := sweepNow.Add(time.Hour)
			ids := f.api.Client.Reminder.Query().Where(entreminder.VehicleIDIn(f.vehicles...)).IDsX(ctx)
			if err := reminder.FollowSent(ctx, f.api.Client, ids, sent); err != nil {
				t.Fatal(err)
			}
			r0 := f.api.Client.Reminder.Query().Where(entreminder.OwnerID(f.owners[0])).FirstX(ctx)
			f.api.Client.Reminder.UpdateOne(r0).SetStatus(entreminder.StatusOpened).ExecX(ctx)
			calls := func() []*ent.CareTask {
				return f.api.Client.CareTask.Query().Where(caretask.KindEQ(caretask.KindUnansweredReminders)).AllX(ctx)
			}
			if _, err := s.Run(context.Background(), sweepNow, sent.Add(6*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if n := len(calls()); n != 0 {
				t.Fatalf("%d calls before the answer window closed", n)
			}
			for i := range 2 {
				if _, err := s.Run(context.Background(), sent.Add(time.Duration(6+i)*24*time.Hour), sent.Add(time.Duration(8+i)*24*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			got := calls()
			if len(got) != 1 || got[0].OwnerID != f.owners[1] || got[0].Status != caretask.StatusOpen {
				t.Fatalf("call tasks %+v, want one open task for owner 1", got)
			}
		})
	}
}
