package app_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/owner"
	"aftercare/ent/staff"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/apitest"
	"aftercare/internal/config"
	"aftercare/internal/testenv"
)

// screen reads one of the benchmark's documents, so the harness
// (bench/compare) and these tests use the same queries.
func screen(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../bench/compare/queries/aftercare/" + name + ".graphql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The owner app's home screen and the nested list cost the same number of
// statements whatever the list sizes: eager loading per level, no N+1.
func TestScreensStatementsDoNotGrowWithLists(t *testing.T) {
	// The nested list is 13 levels deep; the harness raises the limit too.
	deeper := apitest.Options{Config: func(c *config.Config) { c.MaxDepth = 16 }}
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			screensStayFlat(t, apitest.Start(t, d, deeper))
		})
	}
}

func screensStayFlat(t *testing.T, api *apitest.API) {
	{
		owner := api.Demo.Owners[0]
		home := func() (int, int) {
			res := api.Do(api.OwnerToken(0), screen(t, "home"), map[string]any{"now": time.Now().UTC().Format(time.RFC3339)})
			var out struct {
				Me struct {
					Owner struct{ OutboxMessages struct{ Edges []any } }
				}
			}
			res.Decode(t, &out)
			return api.Statements(res.RequestID), len(out.Me.Owner.OutboxMessages.Edges)
		}
		home() // signs in; on PostgreSQL later requests find the sign-in cached
		grow(t, api, owner, 1)
		small, n1 := home()
		grow(t, api, owner, 4)
		large, n2 := home()
		if n2 <= n1 {
			t.Fatalf("the lists did not grow: %d then %d messages", n1, n2)
		}
		if small != large {
			t.Fatalf("home screen: %d statements with short lists, %d with long ones", small, large)
		}
		t.Logf("home screen: %d statements", large)

		advisor := api.StaffToken(staff.RoleAdvisor, 0)
		res := api.Do(advisor, screen(t, "nested"), map[string]any{"store": fmt.Sprint(api.Demo.Stores[0].ID)})
		var nested struct{ Owners struct{ Edges []any } }
		res.Decode(t, &nested)
		if len(nested.Owners.Edges) == 0 || api.Statements(res.RequestID) > 8 {
			t.Fatalf("nested list: %d owners in %d statements; want some owners in at most 8",
				len(nested.Owners.Edges), api.Statements(res.RequestID))
		}
	}
}

// grow gives the owner's first vehicle n more open work orders with two
// events each, and n more pending messages.
func grow(t *testing.T, api *apitest.API, o *ent.Owner, n int) {
	t.Helper()
	ctx := apitest.SystemCtx()
	v := api.Client.Owner.QueryVehicles(o).FirstX(ctx)
	for i := range n {
		now := time.Now().UTC()
		wo := api.Client.WorkOrder.Create().SetNumber(fmt.Sprintf("GROW-%d-%d", now.UnixNano(), i)).
			SetDealershipID(*v.SellingDealershipID).SetVehicleID(v.ID).SetOwnerID(o.ID).
			SetStatus(workorder.StatusInRepair).SetOdometerInKm(v.OdometerKm).SetOpenedAt(now).
			SetLastEventSeq(2).SaveX(ctx)
		for seq := 1; seq <= 2; seq++ {
			api.Client.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(seq).
				SetToStatus(workorderevent.ToStatusInRepair).SetActorKind(workorderevent.ActorKindSystem).
				SetCreatedAt(now).ExecX(ctx)
		}
		api.Client.OutboxMessage.Create().SetOwnerID(o.ID).SetKind("service_due").
			SetDedupeKey(fmt.Sprintf("grow-%d-%d", now.UnixNano(), i)).SetTitle("Service due").SetBody("Book now.").
			SetSendAfter(now.Add(24 * time.Hour)).ExecX(ctx)
	}
}

// The benchmarks below run the harness's documents (bench/compare) over
// HTTP, in-process, for CPU and allocation profiles, e.g.
//
//	go test -run '^$' -bench 'HomeScreen|NestedList|NodeByID' -benchmem -cpuprofile cpu.out ./internal/app/
//
// They run on PostgreSQL when one is reachable (BENCH_SQLITE=1: SQLite),
// without the statement counter, whose debug driver would skew the profile.
func benchScreen(b *testing.B, token func(*apitest.API) string, doc string, vars func(*apitest.API) map[string]any) {
	d := testenv.SQLite(b)
	if pg, ok := testenv.Postgres(b); ok && os.Getenv("BENCH_SQLITE") == "" {
		d = pg
	}
	api := apitest.Start(b, d, apitest.Options{Uncounted: true, Config: func(c *config.Config) { c.MaxDepth = 16 }})
	tok, q, v := token(api), screen(b, doc), vars(api)
	if res := api.Do(tok, q, v); len(res.Errors) > 0 || len(res.Data) < 20 {
		b.Fatalf("%s: %s %+v", doc, res.Data, res.Errors)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := api.Do(tok, q, v); len(res.Errors) > 0 {
				b.Error(res.Errors)
				return
			}
		}
	})
}

// BenchmarkHomeScreen is the owner app's home screen.
func BenchmarkHomeScreen(b *testing.B) {
	benchScreen(b, func(api *apitest.API) string { return api.OwnerToken(0) }, "home",
		func(*apitest.API) map[string]any { return map[string]any{"now": time.Now().UTC().Format(time.RFC3339)} })
}

// BenchmarkNestedList is the advisor's nested list (owners, vehicles, work
// orders, events), with every vehicle of the store's owners given three
// work orders of three events, as in the harness's data.
func BenchmarkNestedList(b *testing.B) {
	benchScreen(b, func(api *apitest.API) string { return api.StaffToken(staff.RoleAdvisor, 0) }, "nested",
		func(api *apitest.API) map[string]any {
			ctx, store := apitest.SystemCtx(), api.Demo.Stores[0].ID
			for _, o := range api.Client.Owner.Query().Where(owner.HomeDealershipID(store)).Order(owner.ByID()).Limit(20).AllX(ctx) {
				for _, v := range api.Client.Owner.QueryVehicles(o).AllX(ctx) {
					for i := range 3 {
						wo := api.Client.WorkOrder.Create().SetNumber(fmt.Sprintf("BENCH-%d-%d", v.ID, i)).
							SetDealershipID(store).SetVehicleID(v.ID).SetOwnerID(o.ID).
							SetStatus(workorder.StatusDelivered).SetOdometerInKm(v.OdometerKm).
							SetOpenedAt(time.Now().UTC()).SetLastEventSeq(3).SaveX(ctx)
						for seq := 1; seq <= 3; seq++ {
							api.Client.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(seq).
								SetToStatus(workorderevent.ToStatusInRepair).SetActorKind(workorderevent.ActorKindSystem).
								SetCreatedAt(time.Now().UTC()).ExecX(ctx)
						}
					}
				}
			}
			return map[string]any{"store": fmt.Sprint(store)}
		})
}

// BenchmarkNodeByID is node(id:) of the owner's vehicle.
func BenchmarkNodeByID(b *testing.B) {
	benchScreen(b, func(api *apitest.API) string { return api.OwnerToken(0) }, "node",
		func(api *apitest.API) map[string]any {
			v := api.Client.Owner.QueryVehicles(api.Demo.Owners[0]).FirstX(apitest.SystemCtx())
			return map[string]any{"id": fmt.Sprint(v.ID)}
		})
}
