package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/apitest"
	"aftercare/internal/progress"
	"aftercare/internal/testenv"
)

// Guessed ids in subscriptions, over real websockets: every viewer
// subscribes to the live progress of work orders that are not theirs (the
// other owner's, another store's, the victim group's, their neighbours,
// the start of the id range, ids of other types) and to the boards of
// stores that are not theirs. Each must be refused with a coded error at
// once, and when those work orders and stores then change, nothing may
// arrive on the refused sockets. Two positive controls (owner A on their
// own repair, store 1's advisor on its board) show the changes do reach
// the viewers who may see them.
func TestGuessedIDsInSubscriptions(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{Owners: 6})
			f := newFixture(t, api)
			for _, v := range allViewers {
				f.do(v, `{ me { kind } }`, nil) // the first sign-in links the account
			}
			ctx := apitest.SystemCtx()
			woA := f.workOrder(workorder.StatusInRepair)
			woB := api.Client.WorkOrder.Create().SetNumber("WO-IDOR-B").SetDealershipID(f.store2).
				SetVehicleID(f.vehicleB).SetOwnerID(f.ownerB).SetStatus(workorder.StatusInRepair).SetOdometerInKm(10).SetLastEventSeq(1).
				SetCheckIn(schematype.CheckIn{FaultConfirmed: true, WorkConfirmed: true, PromisedTimeConfirmed: true}).SaveX(ctx).ID
			api.Client.WorkOrderEvent.Create().SetWorkOrderID(woB).SetSeq(1).SetToStatus(workorderevent.ToStatusInRepair).
				SetActorKind(workorderevent.ActorKindSystem).ExecX(ctx)
			victim := addVictimGroup(t, api)

			vwos, vstores := victim["work_orders"], victim["dealerships"]
			orderProbes := map[int]bool{woA: true, woB: true, woA &^ (1<<32 - 1): true, f.vehicleA: true, f.store1: true}
			for _, i := range []int{0, len(vwos) / 2, len(vwos) - 1} {
				orderProbes[vwos[i]-1], orderProbes[vwos[i]], orderProbes[vwos[i]+1] = true, true, true
			}
			storeProbes := map[int]bool{f.store1: true, f.store2: true, f.group: true, woA: true, f.store1 &^ (1<<32 - 1): true}
			for _, s := range vstores {
				storeProbes[s] = true
			}

			type probe struct {
				viewer, what string
				sub          *apitest.Subscription
			}
			var refused []probe
			codes := map[string]int{}
			try := func(viewer, what, doc string, vars map[string]any) {
				s, err := apitest.Subscribe(t, api.URL, apitest.TransportWS, f.token(viewer), doc, vars)
				if err != nil {
					t.Fatalf("%s: %s: %v", viewer, what, err)
				}
				data, errs, err := s.Next(5 * time.Second)
				code := ""
				if len(errs) > 0 {
					code, _ = errs[0].Extensions["code"].(string)
				}
				switch {
				case err != nil:
					t.Errorf("%s subscribing to %s: no answer (%v); want a coded refusal", viewer, what, err)
				case hasObject(data):
					t.Errorf("LEAK: %s subscribing to %s got %s", viewer, what, data)
				case code == "":
					t.Errorf("%s subscribing to %s: refusal without a code: %+v", viewer, what, errs)
				}
				codes[code]++
				refused = append(refused, probe{viewer, what, s})
			}
			const progressDoc = `subscription($id: ID!) { workOrderProgress(workOrderID: $id, after: 0) { seq toStatus message } }`
			const boardDoc = `subscription($s: ID!) { storeBoard(dealershipID: $s) { id number status lastEventSeq } }`
			for _, viewer := range allViewers {
				if viewer == wdg1 {
					continue // widgets have no websocket: they are anonymous there
				}
				for id := range orderProbes {
					if !canSeeOrder(f, viewer, api.Client, id) {
						try(viewer, fmt.Sprintf("workOrderProgress(%d)", id), progressDoc, map[string]any{"id": fmt.Sprint(id)})
					}
				}
				for id := range storeProbes {
					if !canWatchBoard(f, viewer, id) {
						try(viewer, fmt.Sprintf("storeBoard(%d)", id), boardDoc, map[string]any{"s": fmt.Sprint(id)})
					}
				}
			}

			// Positive controls, subscribed before the changes.
			own, err := apitest.Subscribe(t, api.URL, apitest.TransportWS, f.token(ownA), progressDoc, map[string]any{"id": fmt.Sprint(woA)})
			if err != nil {
				t.Fatal(err)
			}
			if data, errs, err := own.Next(5 * time.Second); err != nil || len(errs) > 0 || !strings.Contains(string(data), `"seq":1`) {
				t.Fatalf("owner A on their own repair: %s %+v %v", data, errs, err)
			}
			board, err := apitest.Subscribe(t, api.URL, apitest.TransportWS, f.token(adv1), boardDoc, map[string]any{"s": fmt.Sprint(f.store1)})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // let the board register

			// Every probed work order that exists gets a new event, and every
			// probed store a change.
			changed := 0
			for id := range orderProbes {
				wo, err := api.Client.WorkOrder.Get(ctx, id)
				if ent.IsNotFound(err) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				addEvent(t, api, wo)
				changed++
			}
			for _, s := range vstores {
				if wo, err := api.Client.WorkOrder.Query().Where(workorder.DealershipID(s)).First(ctx); err == nil {
					addEvent(t, api, wo)
					changed++
				}
			}
			if changed < 5 {
				t.Fatalf("only %d probed work orders changed", changed)
			}
			if data, errs, err := own.Next(5 * time.Second); err != nil || len(errs) > 0 || !strings.Contains(string(data), `"seq":2`) {
				t.Fatalf("owner A did not get their repair's new event: %s %+v %v", data, errs, err)
			}
			if data, errs, err := board.Next(5 * time.Second); err != nil || len(errs) > 0 || !hasObject(data) {
				t.Fatalf("store 1's advisor did not get the board change: %s %+v %v", data, errs, err)
			}
			time.Sleep(300 * time.Millisecond)
			for _, p := range refused {
				for {
					data, errs, err := p.sub.Next(50 * time.Millisecond)
					if err != nil {
						break // nothing more, or the subscription was completed
					}
					if hasObject(data) {
						t.Errorf("LEAK: after the change, %s's refused %s delivered %s", p.viewer, p.what, data)
					} else if len(errs) == 0 {
						t.Errorf("%s's refused %s sent an empty message", p.viewer, p.what)
					}
				}
			}
			t.Logf("%d refused subscriptions (%d work-order and %d store probes), %d changes made; refusals by code: %v",
				len(refused), len(orderProbes), len(storeProbes), changed, codes)
		})
	}
}

// addEvent records a new progress event on wo, as a committed move would,
// and publishes it on the instance's hub.
func addEvent(t *testing.T, api *apitest.API, wo *ent.WorkOrder) {
	t.Helper()
	ctx := apitest.SystemCtx()
	seq := wo.LastEventSeq + 1
	api.Client.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(seq).SetToStatus(workorderevent.ToStatus(wo.Status)).
		SetActorKind(workorderevent.ActorKindSystem).SetMessage("IDOR probe: a change nobody else may see").ExecX(ctx)
	api.Client.WorkOrder.UpdateOneID(wo.ID).SetLastEventSeq(seq).ExecX(ctx)
	api.App.Hub.Dispatch(progress.Event{WorkOrderID: wo.ID, DealershipID: wo.DealershipID, Seq: seq})
}

// canSeeOrder: the owner of the work order, staff of its store and the
// admin of its group (the demo group's) may follow it.
func canSeeOrder(f *fixture, viewer string, c *ent.Client, id int) bool {
	wo, err := c.WorkOrder.Get(apitest.SystemCtx(), id)
	if err != nil {
		return false
	}
	switch viewer {
	case ownA:
		return wo.OwnerID == f.ownerA
	case ownB:
		return wo.OwnerID == f.ownerB
	case adv1, tech, care, mgr1:
		return wo.DealershipID == f.store1
	case adv2:
		return wo.DealershipID == f.store2
	case gadm:
		return wo.DealershipID == f.store1 || wo.DealershipID == f.store2
	}
	return false
}

// canWatchBoard: staff of the store and the admin of its group.
func canWatchBoard(f *fixture, viewer string, id int) bool {
	switch viewer {
	case adv1, tech, care, mgr1:
		return id == f.store1
	case adv2:
		return id == f.store2
	case gadm:
		return id == f.store1 || id == f.store2
	}
	return false
}

// hasObject reports whether a subscription's data carries an object.
func hasObject(data json.RawMessage) bool {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	for _, v := range m {
		if v != nil {
			return true
		}
	}
	return false
}
