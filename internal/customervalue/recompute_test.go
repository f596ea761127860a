package customervalue_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"aftercare/ent/owner"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/staff"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/apitest"
	"aftercare/internal/customervalue"
	"aftercare/internal/seed"
	"aftercare/internal/testenv"
)

// Owners are tiered by their delivered work in the last 12 months and by
// how long they have been customers; a rerun changes nothing.
func TestRecomputeTiers(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{Owners: 2})
			ctx := apitest.SystemCtx()
			now := time.Now()
			store := api.Demo.Stores[0].ID
			n := 0
			customer := func(joined time.Time, spends ...[2]int64) int { // [months ago, CNY]
				n++
				o := api.Client.Owner.Create().SetDealerGroupID(api.Demo.Group.ID).SetHomeDealershipID(store).
					SetName(fmt.Sprintf("Tier %d", n)).SetPhone(fmt.Sprintf("+86136%08d", n)).SetCreatedAt(joined).SaveX(ctx)
				v := api.Client.Vehicle.Create().SetVin(seed.VIN("LSV", 800000+n)).SetMake("VW").SetModel("Passat").SetModelYear(2024).
					SetFuelType(vehicle.FuelTypePetrol).SetDeliveryDate(joined).SetOwnerID(o.ID).SaveX(ctx)
				for i, s := range spends {
					at := now.AddDate(0, -int(s[0]), 0)
					api.Client.WorkOrder.Create().SetNumber(fmt.Sprintf("T-%d-%d", n, i)).SetDealershipID(store).SetVehicleID(v.ID).
						SetOwnerID(o.ID).SetOdometerInKm(1000).SetStatus(workorder.StatusDelivered).SetOpenedAt(at).
						SetDeliveredAt(at).SetTotalCents(s[1] * 100).ExecX(ctx)
				}
				return o.ID
			}
			basic := customer(now.AddDate(-1, 0, 0), [2]int64{2, 8000}, [2]int64{13, 30000}) // the big visit is over a year old
			key := customer(now.AddDate(-1, 0, 0), [2]int64{2, 12000}, [2]int64{8, 9000})    // CNY 21,000 this year
			loyal := customer(now.AddDate(-4, 0, 0))                                         // 4 years a customer
			vip := customer(now.AddDate(0, -6, 0), [2]int64{1, 52000})
			r := customervalue.Recomputer{Batch: 3}
			if _, err := r.All(context.Background(), api.Client, now); err != nil {
				t.Fatal(err)
			}
			want := map[int]owner.Tier{basic: owner.TierBasic, key: owner.TierKey, loyal: owner.TierKey, vip: owner.TierVip}
			for id, tier := range want {
				if got := api.Client.Owner.GetX(ctx, id).Tier; got != tier {
					t.Errorf("owner %d is %s, want %s", id, got, tier)
				}
			}
			if changed, err := r.All(context.Background(), api.Client, now); err != nil || changed != 0 {
				t.Fatalf("a rerun changed %d tiers (%v)", changed, err)
			}
		})
	}
}

// Handing back a car with CNY 21,000 of work makes a new owner a key
// customer at once, in the delivery's transaction.
func TestDeliveryUpdatesTheTier(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{Owners: 2})
	ctx := apitest.SystemCtx()
	o := api.Demo.Owners[0]
	api.Client.Owner.UpdateOne(o).SetTier(owner.TierBasic).ExecX(ctx)
	v := api.Client.Owner.QueryVehicles(o).FirstX(ctx)
	store := 0
	if *o.HomeDealershipID != api.Demo.Stores[0].ID {
		store = 1
	}
	wo := api.Client.WorkOrder.Create().SetNumber("WO-TIER-1").SetDealershipID(*o.HomeDealershipID).SetVehicleID(v.ID).
		SetOwnerID(o.ID).SetStatus(workorder.StatusReadyForPickup).SetOdometerInKm(v.OdometerKm).SetLastEventSeq(1).
		SetCheckIn(schematype.CheckIn{FaultConfirmed: true, WorkConfirmed: true, PromisedTimeConfirmed: true}).SaveX(ctx)
	api.Client.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(1).SetToStatus(workorderevent.ToStatusReadyForPickup).
		SetActorKind(workorderevent.ActorKindSystem).ExecX(ctx)
	res := api.Do(api.StaffToken(staff.RoleAdvisor, store),
		`mutation($id: ID!, $km: Int!) { deliverWorkOrder(input: {workOrderID: $id, odometerKm: $km, labourCents: 1500000, partsCents: 600000}) { totalCents } }`,
		map[string]any{"id": strconv.Itoa(wo.ID), "km": wo.OdometerInKm + 5})
	if res.Errors != nil {
		t.Fatal(res.Errors)
	}
	if got := api.Client.Owner.GetX(ctx, o.ID).Tier; got != owner.TierKey {
		t.Fatalf("after CNY 21,000 of work the owner is %s", got)
	}
}
