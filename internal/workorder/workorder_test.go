package workorder_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftercare/ent/appointment"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/staff"
	"aftercare/ent/vehicle"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

func forEachStore(t *testing.T, fn func(t *testing.T, api *apitest.API)) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, apitest.Start(t, d, apitest.Options{}))
		})
	}
}

// visit is one owner's repair visit driven through the API.
type visit struct {
	t                          *testing.T
	api                        *apitest.API
	advisor, technician, owner string
	appointmentID, vehicleID   int
	odometer                   int
	workOrderID                string
}

func newVisit(t *testing.T, api *apitest.API) *visit {
	ctx := apitest.SystemCtx()
	o := api.Demo.Owners[0]
	v := api.Client.Vehicle.Query().Where(vehicle.OwnerID(o.ID)).FirstX(ctx)
	start := time.Now().Add(-10 * time.Minute)
	a := api.Client.Appointment.Create().SetReference(fmt.Sprintf("BK-V%09d", time.Now().UnixNano()%1e9)).SetDealershipID(api.Demo.Stores[0].ID).
		SetOwnerID(o.ID).SetVehicleID(v.ID).SetServiceType(appointment.ServiceTypeRepair).SetStartsAt(start).
		SetEndsAt(start.Add(2 * time.Hour)).SetSource(appointment.SourceApp).SetStatus(appointment.StatusConfirmed).SaveX(ctx)
	return &visit{t: t, api: api, advisor: api.StaffToken(staff.RoleAdvisor, 0), technician: api.StaffToken(staff.RoleTechnician, 0),
		owner: api.OwnerToken(0), appointmentID: a.ID, vehicleID: v.ID, odometer: v.OdometerKm}
}

func (v *visit) do(token, query string, vars map[string]any) *apitest.Response {
	v.t.Helper()
	return v.api.Do(token, query, vars)
}

func (v *visit) must(token, query string, vars map[string]any) map[string]any {
	v.t.Helper()
	var out map[string]any
	v.do(token, query, vars).Decode(v.t, &out)
	return out
}

const checkIn = `mutation($in: CheckInVehicleInput!) { checkIn(input: $in) { id number status odometerInKm } }`

func (v *visit) checkIn(confirmed bool) {
	v.t.Helper()
	out := v.must(v.advisor, checkIn, map[string]any{"in": map[string]any{
		"appointmentID": strconv.Itoa(v.appointmentID), "odometerKm": v.odometer + 120,
		"faultDescription": "Squeak from the front left wheel when braking, since last week.",
		"estimateCents":    48000, "promisedAt": time.Now().Add(4 * time.Hour),
		"checks": map[string]any{
			"exterior":       []any{map[string]any{"position": "rear bumper", "note": "10 cm scratch"}},
			"interior":       map[string]any{"coversFitted": true, "personalItems": "umbrella", "handedOver": false},
			"functions":      []any{map[string]any{"item": "lights", "ok": true}, map[string]any{"item": "wipers", "ok": false, "note": "streaks"}},
			"faultConfirmed": confirmed, "workConfirmed": confirmed, "promisedTimeConfirmed": confirmed,
		},
	}})
	v.workOrderID = out["checkIn"].(map[string]any)["id"].(string)
}

const advance = `mutation($id: ID!, $to: WorkOrderStatus!) { advanceWorkOrder(input: {workOrderID: $id, to: $to}) { status lastEventSeq } }`

func (v *visit) advance(token, to string) *apitest.Response {
	v.t.Helper()
	return v.do(token, advance, map[string]any{"id": v.workOrderID, "to": to})
}

func (v *visit) mustAdvance(token, to string) {
	v.t.Helper()
	if res := v.advance(token, to); res.Errors != nil {
		v.t.Fatalf("advance to %s: %+v", to, res.Errors)
	}
}

func TestRepairVisitFromCheckInToDelivery(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		v := newVisit(t, api)
		v.checkIn(false)
		if a := api.Client.Appointment.GetX(ctx, v.appointmentID); a.Status != appointment.StatusCheckedIn {
			t.Fatalf("appointment is %s after check-in", a.Status)
		}
		if res := v.advance(v.technician, "diagnosing"); res.Code() != "CONFLICT" {
			t.Fatalf("work started without the three confirmations: %+v", res.Errors)
		}
		v.must(v.advisor, `mutation($id: ID!) { confirmCheckIn(workOrderID: $id, faultConfirmed: true, workConfirmed: true, promisedTimeConfirmed: true) { id } }`,
			map[string]any{"id": v.workOrderID})
		v.mustAdvance(v.technician, "diagnosing")

		if res := v.advance(v.advisor, "awaiting_approval"); res.Code() != "CONFLICT" {
			t.Fatalf("asked for approval with nothing to approve: %+v", res.Errors)
		}
		finding := `mutation($in: InspectionFindingInput!) { addInspectionFinding(input: $in) { id decision } }`
		brakes := v.must(v.technician, finding, map[string]any{"in": map[string]any{"workOrderID": v.workOrderID,
			"name": "Front brake pads", "rating": "fix_now", "note": "2 mm left", "labourCents": 20000, "partsCents": 36000}})
		wipers := v.must(v.technician, finding, map[string]any{"in": map[string]any{"workOrderID": v.workOrderID,
			"name": "Wiper blades", "rating": "within_3_months", "labourCents": 0, "partsCents": 12000}})
		v.mustAdvance(v.advisor, "awaiting_approval")
		if res := v.advance(v.advisor, "in_repair"); res.Code() != "CONFLICT" {
			t.Fatalf("repair started before the owner decided: %+v", res.Errors)
		}
		decide := `mutation($id: ID!, $ok: Boolean!, $note: String) { decideInspectionItem(itemID: $id, approve: $ok, note: $note) { decision decidedBy } }`
		id := func(m map[string]any) string { return m["addInspectionFinding"].(map[string]any)["id"].(string) }
		got := v.must(v.owner, decide, map[string]any{"id": id(brakes), "ok": true})
		if d := got["decideInspectionItem"].(map[string]any); d["decision"] != "approved" || d["decidedBy"] != "owner" {
			t.Fatalf("owner's decision %+v", d)
		}
		if res := v.do(v.advisor, decide, map[string]any{"id": id(wipers), "ok": false}); res.Code() != "BAD_USER_INPUT" {
			t.Fatalf("an advisor recording a decision without a note: %+v", res.Errors)
		}
		v.must(v.advisor, decide, map[string]any{"id": id(wipers), "ok": false, "note": "declined by phone at 10:40"})

		if res := v.advance(v.technician, "ready_for_pickup"); res.Code() != "CONFLICT" {
			t.Fatalf("illegal jump in_repair is skipped: %+v", res.Errors)
		}
		v.mustAdvance(v.advisor, "in_repair")
		if res := v.advance(v.advisor, "quality_check"); res.Code() != "FORBIDDEN" {
			t.Fatalf("an advisor passing quality check: %+v, want FORBIDDEN (technicians and managers)", res.Errors)
		}
		v.mustAdvance(v.technician, "quality_check")
		v.mustAdvance(v.advisor, "ready_for_pickup")

		deliver := `mutation($in: DeliverWorkOrderInput!) { deliverWorkOrder(input: $in) { status totalCents odometerOutKm } }`
		in := func(km int) map[string]any {
			return map[string]any{"in": map[string]any{"workOrderID": v.workOrderID, "odometerKm": km, "labourCents": 20000, "partsCents": 36000}}
		}
		if res := v.do(v.advisor, deliver, in(v.odometer)); res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != "odometerKm" {
			t.Fatalf("delivery with the odometer below check-in: %+v", res.Errors)
		}
		out := v.must(v.advisor, deliver, in(v.odometer+125))["deliverWorkOrder"].(map[string]any)
		if out["status"] != "delivered" || out["totalCents"].(float64) != 56000 {
			t.Fatalf("delivered %+v", out)
		}
		veh := api.Client.Vehicle.GetX(ctx, v.vehicleID)
		if veh.LastServiceKm == nil || *veh.LastServiceKm != v.odometer+125 || veh.LastServiceDate == nil || veh.OdometerKm != v.odometer+125 {
			t.Fatalf("vehicle after delivery: last service %v km %v, odometer %d", veh.LastServiceDate, veh.LastServiceKm, veh.OdometerKm)
		}
		if a := api.Client.Appointment.GetX(ctx, v.appointmentID); a.Status != appointment.StatusCompleted {
			t.Fatalf("appointment is %s after delivery", a.Status)
		}
		pushes := api.Client.OutboxMessage.Query().Where(outboxmessage.OwnerID(api.Demo.Owners[0].ID),
			outboxmessage.KindHasPrefix("work_order_")).AllX(ctx)
		kinds := map[string]bool{}
		for _, p := range pushes {
			kinds[p.Kind] = true
		}
		if len(pushes) != 2 || !kinds["work_order_awaiting_approval"] || !kinds["work_order_ready_for_pickup"] {
			t.Fatalf("pushes to the owner: %v, want approval needed and ready", kinds)
		}
		// The owner sees the whole story, numbered without gaps.
		var story struct {
			Node struct {
				Events struct {
					Edges []struct {
						Node struct {
							Seq               int
							ToStatus, Message string
						}
					}
				}
			}
		}
		v.do(v.owner, `query($id: ID!) { node(id: $id) { ... on WorkOrder { events(first: 50, orderBy: {field: SEQ}) { edges { node { seq toStatus message } } } } } }`,
			map[string]any{"id": v.workOrderID}).Decode(t, &story)
		for i, e := range story.Node.Events.Edges {
			if e.Node.Seq != i+1 {
				t.Fatalf("event %d has number %d", i+1, e.Node.Seq)
			}
		}
		if n := len(story.Node.Events.Edges); n != 9 {
			t.Fatalf("%d events, want 9 (check-in, 6 moves, 2 decisions)", n)
		}
	})
}

func TestOtherOwnersAndStoresCannotTouchTheVisit(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		v := newVisit(t, api)
		v.checkIn(true)
		for name, tok := range map[string]string{
			"owner B":         api.OwnerToken(1),
			"store-2 advisor": api.StaffToken(staff.RoleAdvisor, 1),
		} {
			if res := v.advance(tok, "diagnosing"); res.Code() != "NOT_FOUND" && res.Code() != "FORBIDDEN" {
				t.Errorf("%s advancing: %+v", name, res.Errors)
			}
		}
		if res := v.advance(api.OwnerToken(0), "diagnosing"); res.Code() != "FORBIDDEN" {
			t.Errorf("the owner moving their own work order: %+v, want FORBIDDEN", res.Errors)
		}
	})
}

func TestPhotosAreStoredAndServedBySignedLinks(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		v := newVisit(t, api)
		v.checkIn(true)
		upload := `mutation($id: ID!, $file: Upload!) { uploadPhoto(workOrderID: $id, kind: check_in, file: $file) { id contentType sizeBytes url } }`
		res := api.Upload(v.technician, upload, map[string]any{"id": v.workOrderID}, "file", "scratch.png", apitest.PNG)
		var out struct {
			UploadPhoto struct {
				ContentType string
				SizeBytes   int
				URL         string
			}
		}
		res.Decode(t, &out)
		p := out.UploadPhoto
		if p.ContentType != "image/png" || p.SizeBytes != len(apitest.PNG) {
			t.Fatalf("photo %+v", p)
		}
		got, err := http.Get(api.URL + p.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if got.StatusCode != 200 || !bytes.Equal(body, apitest.PNG) {
			t.Fatalf("GET signed link: %d, %d bytes", got.StatusCode, len(body))
		}
		tampered, _ := http.Get(api.URL + strings.Replace(p.URL, "sig=", "sig=0", 1))
		tampered.Body.Close()
		if tampered.StatusCode != 403 {
			t.Fatalf("tampered link: %d", tampered.StatusCode)
		}
		notImage := api.Upload(v.technician, upload, map[string]any{"id": v.workOrderID}, "file", "x.png", []byte("#!/bin/sh\necho hi\n"))
		if notImage.Code() != "BAD_USER_INPUT" {
			t.Fatalf("a script as a photo: %+v", notImage.Errors)
		}
		// The owner sees the photo on their work order; another owner does not.
		q := `query($id: ID!) { node(id: $id) { ... on WorkOrder { photos { url } } } }`
		var mine struct {
			Node struct{ Photos []struct{ URL string } }
		}
		api.Do(v.owner, q, map[string]any{"id": v.workOrderID}).Decode(t, &mine)
		if len(mine.Node.Photos) != 1 {
			t.Fatalf("owner sees %d photos", len(mine.Node.Photos))
		}
		if r := api.Do(api.OwnerToken(1), q, map[string]any{"id": v.workOrderID}); r.Code() != "NOT_FOUND" {
			t.Fatalf("another owner: %s %+v", r.Data, r.Errors)
		}
	})
}

func TestWalkInCheckIn(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		veh := api.Client.Vehicle.Query().Where(vehicle.OwnerID(api.Demo.Owners[2].ID)).FirstX(ctx)
		in := func(km int) map[string]any {
			return map[string]any{"in": map[string]any{"vehicleID": strconv.Itoa(veh.ID), "odometerKm": km,
				"faultDescription": "warning lamp on", "estimateCents": 0, "checks": map[string]any{
					"exterior": []any{}, "interior": map[string]any{"coversFitted": true, "personalItems": "", "handedOver": true},
					"functions": []any{}, "faultConfirmed": true, "workConfirmed": true, "promisedTimeConfirmed": true}}}
		}
		advisor := api.StaffToken(staff.RoleAdvisor, 0)
		if res := api.Do(advisor, checkIn, in(veh.OdometerKm-50)); res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != "odometerKm" {
			t.Fatalf("walk-in with the odometer going backwards: %+v", res.Errors)
		}
		if n := api.Client.WorkOrder.Query().CountX(ctx); n != 18 {
			t.Fatalf("a refused check-in left a work order (%d, want the 18 seeded)", n)
		}
		var out struct{ CheckIn struct{ Status string } }
		api.Do(advisor, checkIn, in(veh.OdometerKm+5)).Decode(t, &out)
		if out.CheckIn.Status != "checked_in" {
			t.Fatalf("walk-in %+v", out)
		}
		if res := api.Do(api.StaffToken(staff.RoleTechnician, 0), checkIn, in(veh.OdometerKm+6)); res.Code() != "FORBIDDEN" {
			t.Fatalf("a technician checking a car in: %+v", res.Errors)
		}
	})
}
