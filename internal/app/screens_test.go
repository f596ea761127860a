package app_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"aftercare/ent"
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

// BenchmarkHomeScreen is the home screen over HTTP, in-process, for CPU
// profiles (`go test -run '^$' -bench HomeScreen -cpuprofile cpu.out
// ./internal/app/`). It runs on PostgreSQL when one is reachable.
func BenchmarkHomeScreen(b *testing.B) {
	d := testenv.SQLite(b)
	if pg, ok := testenv.Postgres(b); ok {
		d = pg
	}
	api := apitest.Start(b, d, apitest.Options{})
	tok, q := api.OwnerToken(0), screen(b, "home")
	vars := map[string]any{"now": time.Now().UTC().Format(time.RFC3339)}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := api.Do(tok, q, vars); len(res.Errors) > 0 {
				b.Error(res.Errors)
				return
			}
		}
	})
}
