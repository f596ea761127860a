package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"aftercare/ent/appointment"
	"aftercare/ent/caretask"
	"aftercare/ent/complaint"
	"aftercare/ent/inspectionitem"
	"aftercare/ent/pointentry"
	"aftercare/ent/reminder"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/staff"
	"aftercare/ent/surveytemplate"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/graph"
	"aftercare/internal/apitest"
	"aftercare/internal/points"
	"aftercare/internal/progress"
	"aftercare/internal/testenv"
	"aftercare/internal/validate"
	"aftercare/internal/widgetkeys"
)

// The viewers of the access matrix. Store 1 is Demo.Stores[0]; owner A is a
// customer of store 1, owner B of store 2.
const (
	anon = "anonymous"
	ownA = "owner A"
	ownB = "owner B"
	adv1 = "advisor store 1"
	adv2 = "advisor store 2"
	tech = "technician store 1"
	care = "care agent store 1"
	mgr1 = "manager store 1"
	gadm = "group admin"
	wdg1 = "widget store 1"
)

var allViewers = []string{anon, ownA, ownB, adv1, adv2, tech, care, mgr1, gadm, wdg1}

// fixture holds the ids the matrix's operations refer to.
type fixture struct {
	api                      *apitest.API
	ownerA, ownerB           int
	vehicleA, vehicleB       int
	store1, store2, group    int
	staffAdv1                int
	widgetKey, widgetKeyID   int
	seq                      int
	keyForRotation, keyToken string
	reminderA                int
	surveyTemplate           int
	surveyToken              string
}

func (f *fixture) next() int { f.seq++; return f.seq }

func id(n int) string { return strconv.Itoa(n) }

// matrixCase is one root field: an operation that exercises it, and the
// viewers who may use it. Everyone else must be refused or see nothing.
type matrixCase struct {
	doc     string
	vars    func(f *fixture, viewer string) map[string]any
	allowed []string
	// check says whether the response shows the field worked; the default
	// is "no errors and a non-null, non-empty result".
	check func(data map[string]any) bool
	// subscription fields run over a websocket; poke makes the first event.
	subscription bool
	poke         func(f *fixture)
	// upload sends the operation as a GraphQL multipart request.
	upload bool
}

var staffAll = []string{adv1, adv2, tech, care, mgr1, gadm}
var store1Staff = []string{adv1, tech, care, mgr1, gadm}

func connection(field string) func(map[string]any) bool {
	return func(d map[string]any) bool {
		c, _ := d[field].(map[string]any)
		n, _ := c["totalCount"].(float64)
		return n > 0
	}
}

// matrix lists every root field of the schema. TestAccessMatrixCoversSchema
// fails when a field is added without a row here.
var matrix = map[string]matrixCase{
	"me": {doc: `{ me { kind } }`, allowed: allViewers},
	"node": {doc: `query($id: ID!) { node(id: $id) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.vehicleA)} },
		allowed: append([]string{ownA}, store1Staff...)},
	"nodes": {doc: `query($id: ID!) { nodes(ids: [$id]) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.vehicleA)} },
		allowed: append([]string{ownA}, store1Staff...),
		check: func(d map[string]any) bool {
			n, _ := d["nodes"].([]any)
			return len(n) == 1 && n[0] != nil
		}},
	"appointments":    {doc: `{ appointments { totalCount } }`, allowed: append([]string{ownA, ownB}, staffAll...), check: connection("appointments")},
	"workOrders":      {doc: `{ workOrders { totalCount } }`, allowed: append([]string{ownA, ownB}, staffAll...), check: connection("workOrders")},
	"dealerGroups":    {doc: `{ dealerGroups { totalCount } }`, allowed: append([]string{ownA, ownB}, staffAll...), check: connection("dealerGroups")},
	"dealerships":     {doc: `{ dealerships { totalCount } }`, allowed: append([]string{ownA, ownB}, staffAll...), check: connection("dealerships")},
	"owners":          {doc: `{ owners { totalCount } }`, allowed: append([]string{ownA, ownB}, staffAll...), check: connection("owners")},
	"staff":           {doc: `{ staff { totalCount } }`, allowed: append([]string{ownA, ownB}, staffAll...), check: connection("staff")},
	"surveyTemplates": {doc: `{ surveyTemplates { totalCount } }`, allowed: append([]string{ownA, ownB}, staffAll...), check: connection("surveyTemplates")},
	"vehicles":        {doc: `{ vehicles { totalCount } }`, allowed: append([]string{ownA, ownB}, staffAll...), check: connection("vehicles")},
	// Owner A's contacts were read by store 1's advisor in the set-up.
	"auditEntries": {doc: `{ auditEntries { totalCount } }`, allowed: []string{ownA, mgr1, gadm}, check: connection("auditEntries")},

	"createDealerGroup": {doc: `mutation($code: String!) { createDealerGroup(input: {name: "New group", code: $code}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"code": fmt.Sprintf("NG%d", f.next())}
		},
		allowed: nil},
	"updateDealerGroup": {doc: `mutation($id: ID!) { updateDealerGroup(id: $id, input: {name: "Harbour Motor Group"}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.group)} },
		allowed: []string{gadm}},
	"createDealership": {doc: `mutation($g: ID!, $code: String!) { createDealership(input: {dealerGroupID: $g, name: "New store", code: $code}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"g": id(f.group), "code": fmt.Sprintf("NS%d", f.next())}
		},
		allowed: []string{gadm}},
	"updateDealership": {doc: `mutation($id: ID!) { updateDealership(id: $id, input: {address: "1 Harbour Road"}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.store1)} },
		allowed: []string{mgr1, gadm}},
	"setOpeningHours": {doc: `mutation($id: ID!) { setOpeningHours(dealershipID: $id, hours: [{weekday: 1, opens: "08:30", closes: "18:00"}]) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.store1)} },
		allowed: []string{mgr1, gadm}},
	"createStaff": {doc: `mutation($g: ID!, $s: ID!, $email: String!) { createStaff(input: {dealerGroupID: $g, dealershipID: $s, name: "New advisor", email: $email, role: advisor}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"g": id(f.group), "s": id(f.store1), "email": fmt.Sprintf("new%d@pudong.hmg.example", f.next())}
		},
		allowed: []string{mgr1, gadm}},
	"updateStaff": {doc: `mutation($id: ID!) { updateStaff(id: $id, input: {name: "advisor 1"}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.staffAdv1)} },
		allowed: []string{mgr1, gadm}},
	"grantStaffRole": {doc: `mutation($id: ID!, $s: ID!) { grantStaffRole(staffID: $id, role: advisor, dealershipID: $s) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.staffAdv1), "s": id(f.store1)}
		},
		allowed: []string{gadm}},
	"createOwner": {doc: `mutation($g: ID!, $s: ID!, $phone: String!) { createOwner(input: {dealerGroupID: $g, homeDealershipID: $s, name: "New owner", phone: $phone}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"g": id(f.group), "s": id(f.store1), "phone": fmt.Sprintf("+86137%08d", f.next())}
		},
		allowed: []string{adv1, care, mgr1, gadm}},
	"updateOwner": {doc: `mutation($id: ID!) { updateOwner(id: $id, input: {locale: "zh-CN"}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.ownerA)} },
		allowed: []string{ownA, adv1, care, mgr1, gadm}},
	"registerVehicle": {doc: registerVehicle,
		vars: func(f *fixture, _ string) map[string]any {
			in := vehicleInput(f.api, matrixVIN(f.next()))
			return map[string]any{"in": in}
		},
		allowed: []string{adv1, care, mgr1, gadm}},
	"updateVehicle": {doc: `mutation($id: ID!) { updateVehicle(id: $id, input: {colour: "white"}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.vehicleA)} },
		allowed: []string{ownA, adv1, care, mgr1, gadm}},
	"transferVehicle": {doc: `mutation($v: ID!, $o: ID!) { transferVehicle(vehicleID: $v, newOwnerID: $o) { id } }`,
		// Back and forth between A and a fellow store-1 customer, so that each
		// allowed viewer makes a real transfer (and A has it back at the end).
		vars: func(f *fixture, _ string) map[string]any {
			o := f.ownerA
			if *f.api.Client.Vehicle.GetX(apitest.SystemCtx(), f.vehicleA).OwnerID == f.ownerA {
				o = f.api.Demo.Owners[2].ID
			}
			return map[string]any{"v": id(f.vehicleA), "o": id(o)}
		},
		allowed: []string{adv1, care, mgr1, gadm}},
	"recordOdometerReading": {doc: recordReading,
		vars: func(f *fixture, _ string) map[string]any {
			km := f.api.Client.Vehicle.GetX(apitest.SystemCtx(), f.vehicleA).OdometerKm + 10
			return map[string]any{"in": map[string]any{"vehicleID": id(f.vehicleA), "km": km, "source": "advisor"}}
		},
		allowed: []string{ownA, adv1, tech, mgr1, gadm}},
	"createWidgetKey": {doc: `mutation($s: ID!) { createWidgetKey(dealershipID: $s, name: "Brand site", allowedOrigins: ["https://brand.example"]) { key } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"s": id(f.store1)} },
		allowed: []string{mgr1, gadm}},
	"setWidgetKeyOrigins": {doc: `mutation($id: ID!) { setWidgetKeyOrigins(id: $id, allowedOrigins: ["https://brand.example"]) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.widgetKeyID)} },
		allowed: []string{mgr1, gadm}},
	"rotateWidgetKey": {doc: `mutation($id: ID!) { rotateWidgetKey(id: $id) { key widgetKey { id } } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.freshKey())}
		},
		allowed: []string{mgr1, gadm}},
	"revokeWidgetKey": {doc: `mutation($id: ID!) { revokeWidgetKey(id: $id) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.freshKey())} },
		allowed: []string{mgr1, gadm}},
	"serviceTypes": {doc: `query($s: ID!) { serviceTypes(dealershipID: $s) { code } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"s": id(f.store1)} },
		allowed: append([]string{ownA, ownB, wdg1}, staffAll...),
		check: func(d map[string]any) bool {
			l, _ := d["serviceTypes"].([]any)
			return len(l) > 0
		}},
	"availableSlots": {doc: `query($s: ID!, $from: Time!, $to: Time!) { availableSlots(dealershipID: $s, serviceType: inspection, from: $from, to: $to) { slots { startsAt } } }`,
		vars: func(f *fixture, _ string) map[string]any {
			from := time.Now().Add(48 * time.Hour)
			return map[string]any{"s": id(f.store1), "from": from, "to": from.Add(72 * time.Hour)}
		},
		allowed: append([]string{ownA, ownB, wdg1}, staffAll...),
		check: func(d map[string]any) bool {
			a, _ := d["availableSlots"].(map[string]any)
			l, _ := a["slots"].([]any)
			return len(l) > 0
		}},
	"bookAppointment": {doc: `mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"in": map[string]any{"dealershipID": id(f.store1), "ownerID": id(f.ownerA),
				"vehicleID": id(f.vehicleA), "serviceType": "inspection", "startsAt": f.slot(),
				"idempotencyKey": fmt.Sprintf("matrix-booking-%d", f.next())}}
		},
		allowed: []string{ownA, adv1, care, mgr1, gadm}},
	"rescheduleAppointment": {doc: `mutation($id: ID!, $at: Time!) { rescheduleAppointment(id: $id, startsAt: $at) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.appointment(false)), "at": f.slot()}
		},
		allowed: []string{ownA, adv1, care, mgr1, gadm}},
	"cancelAppointment": {doc: `mutation($id: ID!) { cancelAppointment(id: $id, reason: "car sold") { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.appointment(false))} },
		allowed: []string{ownA, adv1, care, mgr1, gadm}},
	"confirmAppointment": {doc: `mutation($id: ID!) { confirmAppointment(id: $id) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.appointment(false))} },
		allowed: []string{adv1, care, mgr1, gadm}},
	"markNoShow": {doc: `mutation($id: ID!) { markNoShow(id: $id) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.appointment(true))} },
		allowed: []string{adv1, care, mgr1, gadm}},
	"requestBooking": {doc: `mutation($in: WidgetBookingInput!) { requestBooking(input: $in) { reference } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"in": map[string]any{"name": "Zhang San", "phone": "+8613700000001", "plate": "沪C11111",
				"serviceType": "inspection", "startsAt": f.slot(), "consentService": true,
				"idempotencyKey": fmt.Sprintf("matrix-widget-%d", f.next())}}
		},
		allowed: []string{wdg1}},
	"setServiceType": {doc: `mutation($s: ID!) { setServiceType(dealershipID: $s, input: {code: recall, name: "Recall", durationMinutes: 60, pools: ["bay", "advisor"]}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"s": id(f.store1)} },
		allowed: []string{mgr1, gadm}},
	"setBookingSettings": {doc: `mutation($s: ID!) { setBookingSettings(dealershipID: $s, input: {cancelCutoffHours: 2}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"s": id(f.store1)} },
		allowed: []string{mgr1, gadm}},
	"checkIn": {doc: `mutation($in: CheckInVehicleInput!) { checkIn(input: $in) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			km := f.api.Client.Vehicle.GetX(apitest.SystemCtx(), f.vehicleA).OdometerKm + 10
			return map[string]any{"in": map[string]any{"appointmentID": id(f.appointment(false)), "odometerKm": km,
				"faultDescription": "noise", "estimateCents": 1000, "checks": map[string]any{
					"exterior": []any{}, "interior": map[string]any{"coversFitted": true, "personalItems": "", "handedOver": true},
					"functions": []any{}, "faultConfirmed": true, "workConfirmed": true, "promisedTimeConfirmed": true}}}
		},
		allowed: []string{adv1, mgr1, gadm}},
	"confirmCheckIn": {doc: `mutation($id: ID!) { confirmCheckIn(workOrderID: $id, faultConfirmed: true, workConfirmed: true, promisedTimeConfirmed: true) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.workOrder(workorder.StatusCheckedIn))}
		},
		allowed: []string{adv1, mgr1, gadm}},
	"advanceWorkOrder": {doc: `mutation($id: ID!) { advanceWorkOrder(input: {workOrderID: $id, to: diagnosing}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.workOrder(workorder.StatusCheckedIn))}
		},
		allowed: []string{adv1, tech, mgr1, gadm}},
	"addInspectionFinding": {doc: `mutation($id: ID!) { addInspectionFinding(input: {workOrderID: $id, name: "Tyres", rating: fix_now, labourCents: 0, partsCents: 100}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.workOrder(workorder.StatusDiagnosing))}
		},
		allowed: []string{adv1, tech, mgr1, gadm}},
	"decideInspectionItem": {doc: `mutation($id: ID!) { decideInspectionItem(itemID: $id, approve: true, note: "by phone") { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.finding())} },
		allowed: []string{ownA, adv1, mgr1, gadm}},
	"deliverWorkOrder": {doc: `mutation($id: ID!) { deliverWorkOrder(input: {workOrderID: $id, odometerKm: 999999, labourCents: 0, partsCents: 0}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.workOrder(workorder.StatusReadyForPickup))}
		},
		allowed: []string{adv1, mgr1, gadm}},
	"cancelWorkOrder": {doc: `mutation($id: ID!) { cancelWorkOrder(workOrderID: $id, reason: "owner left") { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.workOrder(workorder.StatusDiagnosing))}
		},
		allowed: []string{adv1, mgr1, gadm}},
	"uploadPhoto": {doc: `mutation($id: ID!, $file: Upload!) { uploadPhoto(workOrderID: $id, kind: check_in, file: $file) { id url } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.workOrder(workorder.StatusCheckedIn))}
		},
		upload:  true,
		allowed: []string{adv1, tech, mgr1, gadm}},
	"workOrderProgress": {doc: `subscription($id: ID!) { workOrderProgress(workOrderID: $id) { seq } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.workOrder(workorder.StatusDiagnosing))}
		},
		subscription: true,
		allowed:      append([]string{ownA}, store1Staff...)},
	"storeBoard": {doc: `subscription($s: ID!) { storeBoard(dealershipID: $s) { id } }`,
		vars:         func(f *fixture, _ string) map[string]any { return map[string]any{"s": id(f.store1)} },
		subscription: true,
		poke: func(f *fixture) {
			f.api.App.Hub.Dispatch(progress.Event{WorkOrderID: f.workOrder(workorder.StatusDiagnosing), DealershipID: f.store1})
		},
		allowed: store1Staff},
	"registerDevice": {doc: `mutation($t: String!) { registerDevice(token: $t, platform: ios) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"t": fmt.Sprintf("matrix-device-token-%06d", f.next())}
		},
		allowed: []string{ownA, ownB}},
	"unregisterDevice": {doc: `mutation($t: String!) { unregisterDevice(token: $t) }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"t": "matrix-device-token-gone"} },
		allowed: []string{ownA, ownB},
		check:   func(d map[string]any) bool { return d["unregisterDevice"] == true }},
	"careTasks": {doc: `{ careTasks { totalCount } }`, allowed: []string{care, mgr1, gadm}, check: connection("careTasks")},
	"logContactAttempt": {doc: `mutation($id: ID!) { logContactAttempt(taskID: $id, outcome: reached) { status } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.careTask())} },
		allowed: []string{care, mgr1, gadm}},
	"reminders": {doc: `{ reminders { totalCount } }`, allowed: []string{ownA, ownB, adv1, adv2, care, mgr1, gadm}, check: connection("reminders")},
	"acknowledgeReminder": {doc: `mutation($id: ID!) { acknowledgeReminder(id: $id) { status } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.reminderA)} },
		allowed: []string{ownA}},
	"setCareCalendar": {doc: `mutation($id: ID!) { setCareCalendar(dealershipID: $id, calendar: {winBackOfferDays: 45}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.store1)} },
		allowed: []string{mgr1, gadm}},
	"redeemPoints": {doc: `mutation($wo: ID!, $o: ID!, $k: String!) { redeemPoints(input: {workOrderID: $wo, ownerID: $o, points: 1, idempotencyKey: $k}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"wo": id(f.pointsWorkOrder()), "o": id(f.ownerA), "k": fmt.Sprintf("matrix-redeem-%d", f.next())}
		},
		allowed: []string{adv1, mgr1, gadm}},
	"recordReferral": {doc: `mutation($o: ID!, $r: ID!) { recordReferral(ownerID: $o, referrerID: $r) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"o": id(f.newOwner()), "r": id(f.ownerA)}
		},
		allowed: []string{adv1, care, mgr1, gadm}},
	"setGreetingDays": {doc: `mutation($id: ID!) { setGreetingDays(dealershipID: $id, days: [{date: "2027-10-01", name: "National Day"}]) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.store1)} },
		allowed: []string{mgr1, gadm}},
	"surveyInvitations": {doc: `{ surveyInvitations { totalCount } }`, allowed: append([]string{ownA}, store1Staff...), check: connection("surveyInvitations")},
	"complaints":        {doc: `{ complaints { totalCount } }`, allowed: append([]string{ownA}, store1Staff...), check: connection("complaints")},
	// The one-time link is the credential: anyone holding it may open the
	// survey (widgets are limited to booking).
	"surveyByToken": {doc: `query($t: String!) { surveyByToken(token: $t) { invitationID } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"t": f.surveyToken} },
		allowed: []string{anon, ownA, ownB, adv1, adv2, tech, care, mgr1, gadm}},
	"surveyScores": {doc: `query($s: ID!) { surveyScores(dealershipID: $s, month: "2026-11") { responses } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"s": id(f.store1)} },
		allowed: store1Staff},
	"storeKpis": {doc: `query($s: ID!) { storeKpis(dealershipID: $s, month: "2026-11") { visits: appointmentRate { denominator } } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"s": id(f.store1)} },
		allowed: []string{mgr1, gadm}},
	"groupKpis": {doc: `{ groupKpis(month: "2026-11") { month } }`, allowed: []string{gadm}},
	"publishSurveyTemplate": {doc: `mutation($s: ID!, $n: String!) { publishSurveyTemplate(input: {dealershipID: $s, name: $n, kind: service, scaleMax: 10,
		aspects: [{key: "all", title: "All", weight: 100, indicators: [{key: "all_rating", title: "All", weight: 100}]}]}) { id } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"s": id(f.store1), "n": fmt.Sprintf("Matrix survey %d", f.next())}
		},
		allowed: []string{gadm}},
	"submitSurvey": {doc: `mutation($id: ID!) { submitSurvey(invitationID: $id, answers: [{key: "overall", score: 9}]) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"id": id(f.invitation())} },
		allowed: []string{ownA}},
	"fileComplaint": {doc: `mutation($s: ID!) { fileComplaint(input: {dealershipID: $s, category: other, description: "Rattle after service"}) { id } }`,
		vars: func(f *fixture, viewer string) map[string]any {
			if viewer == ownB {
				return map[string]any{"s": id(f.store2)} // owner B's home store
			}
			return map[string]any{"s": id(f.store1)}
		},
		allowed: []string{ownA, ownB}},
	"logComplaint": {doc: `mutation($o: ID!, $s: ID!) { logComplaint(input: {ownerID: $o, dealershipID: $s, source: phone, category: price, severity: low, description: "Invoice"}) { id } }`,
		vars:    func(f *fixture, _ string) map[string]any { return map[string]any{"o": id(f.ownerA), "s": id(f.store1)} },
		allowed: []string{adv1, care, mgr1, gadm}},
	"advanceComplaint": {doc: `mutation($id: ID!) { advanceComplaint(complaintID: $id, to: handled, note: "Replaced the clip") { status } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.complaint(complaint.StatusApproved))}
		},
		allowed: []string{adv1, tech, mgr1, gadm}},
	"reopenComplaint": {doc: `mutation($id: ID!) { reopenComplaint(complaintID: $id, note: "Rattles again") { status } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.complaint(complaint.StatusClosed))}
		},
		allowed: []string{ownA, care, gadm}},
	"rateComplaintResolution": {doc: `mutation($id: ID!) { rateComplaintResolution(complaintID: $id, rating: 4) { resolutionRating } }`,
		vars: func(f *fixture, _ string) map[string]any {
			return map[string]any{"id": id(f.complaint(complaint.StatusConfirmed))}
		},
		allowed: []string{ownA}},
	"exportMyData": {doc: `mutation { exportMyData }`, allowed: []string{ownA, ownB}},
	"eraseMyAccount": {doc: `mutation { eraseMyAccount(confirm: true) }`, allowed: []string{ownA, ownB},
		check: func(d map[string]any) bool { return d["eraseMyAccount"] == true }},
}

// lastFields run after the others: they end the owners' accounts.
var lastFields = []string{"eraseMyAccount"}

func matrixVIN(n int) string {
	b := []byte("WVWZZZ1JZXW00000" + "0")
	for i, k := 16, n; i >= 11; i, k = i-1, k/10 {
		b[i] = byte('0' + k%10)
	}
	d, _ := validate.VINCheckDigit(string(b))
	b[8] = d
	return string(b)
}

// slot returns a distinct bookable start at store 1: 30-minute steps of a
// working day (Monday to Saturday, 08:30-18:00 Shanghai time), from the
// third day on, so that no two matrix bookings compete for capacity.
func (f *fixture) slot() time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	n := f.next()
	day := time.Now().In(loc).AddDate(0, 0, 3+n/18)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 8, 30, 0, 0, loc).Add(time.Duration(n%18) * 30 * time.Minute)
}

// appointment creates a requested booking of owner A at store 1, in the
// future or (for no-shows) in the past.
func (f *fixture) appointment(past bool) int {
	start := f.slot()
	if past {
		start = time.Now().Add(-48 * time.Hour)
	}
	a := f.api.Client.Appointment.Create().SetReference(fmt.Sprintf("MX-%d", f.next())).SetDealershipID(f.store1).
		SetOwnerID(f.ownerA).SetVehicleID(f.vehicleA).SetServiceType(appointment.ServiceTypeInspection).
		SetStartsAt(start).SetEndsAt(start.Add(30 * time.Minute)).SetPools([]string{"bay", "advisor"}).
		SetSource(appointment.SourceApp).SaveX(apitest.SystemCtx())
	return a.ID
}

// workOrder creates owner A's work order at store 1 in a given status, with
// the check-in confirmed and one event.
func (f *fixture) workOrder(status workorder.Status) int {
	ctx := apitest.SystemCtx()
	wo := f.api.Client.WorkOrder.Create().SetNumber(fmt.Sprintf("WO-MX-%d", f.next())).SetDealershipID(f.store1).
		SetVehicleID(f.vehicleA).SetOwnerID(f.ownerA).SetStatus(status).SetOdometerInKm(10).SetLastEventSeq(1).
		SetCheckIn(schematype.CheckIn{FaultConfirmed: true, WorkConfirmed: true, PromisedTimeConfirmed: true}).SaveX(ctx)
	f.api.Client.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(1).SetToStatus(workorderevent.ToStatus(status)).
		SetActorKind(workorderevent.ActorKindSystem).ExecX(ctx)
	return wo.ID
}

// pointsWorkOrder is an open work order of owner A, who has points to
// redeem on it.
func (f *fixture) pointsWorkOrder() int {
	wo := f.workOrder(workorder.StatusInRepair)
	if _, _, err := (points.Ledger{}).Append(context.Background(), f.api.Client, points.Entry{OwnerID: f.ownerA, DealershipID: f.store1,
		Kind: pointentry.KindEarnVisit, Points: 10, Key: fmt.Sprintf("matrix-earn-%d", f.next())}); err != nil {
		panic(err)
	}
	return wo
}

// newOwner is a new customer of store 1, whom nobody referred yet.
func (f *fixture) newOwner() int {
	return f.api.Client.Owner.Create().SetDealerGroupID(f.group).SetHomeDealershipID(f.store1).SetName("Referred").
		SetPhone(fmt.Sprintf("+86135%08d", f.next())).SaveX(apitest.SystemCtx()).ID
}

// finding is a pending "fix now" item on a work order awaiting approval.
func (f *fixture) finding() int {
	wo := f.workOrder(workorder.StatusAwaitingApproval)
	return f.api.Client.InspectionItem.Create().SetWorkOrderID(wo).SetName("Brake pads").
		SetRating(inspectionitem.RatingFixNow).SaveX(apitest.SystemCtx()).ID
}

// careTask puts owner A on store 1's call list.
func (f *fixture) careTask() int {
	return f.api.Client.CareTask.Create().SetOwnerID(f.ownerA).SetDealershipID(f.store1).SetChannel(caretask.ChannelPhone).
		SetReason("first service due").SetDueAt(time.Now()).SaveX(apitest.SystemCtx()).ID
}

// sentReminder records a birthday greeting sent to an owner.
func (f *fixture) sentReminder(owner, store int) int {
	now := time.Now()
	return f.api.Client.Reminder.Create().SetOwnerID(owner).SetDealershipID(store).SetKind(reminder.KindBirthday).
		SetCycle("birthday:matrix").SetDedupeKey(fmt.Sprintf("owner:%d:birthday:matrix", owner)).
		SetCategory(reminder.CategoryMarketing).SetSendAt(now).SetStatus(reminder.StatusSent).SetSentAt(now).
		SaveX(apitest.SystemCtx()).ID
}

// invitation invites owner A at store 1 to a one-question survey.
func (f *fixture) invitation() int {
	return f.api.Client.SurveyInvitation.Create().SetTemplateID(f.surveyTemplate).SetOwnerID(f.ownerA).
		SetDealershipID(f.store1).SetInvitedAt(time.Now()).SetExpiresAt(time.Now().Add(time.Hour)).
		SaveX(apitest.SystemCtx()).ID
}

// complaint is owner A's complaint at store 1 in a given status.
func (f *fixture) complaint(status complaint.Status) int {
	return f.api.Client.Complaint.Create().SetDealershipID(f.store1).SetOwnerID(f.ownerA).
		SetSource(complaint.SourcePhone).SetCategory(complaint.CategoryOther).SetSeverity(complaint.SeverityLow).
		SetDescription("Rattle").SetStatus(status).SetDueAt(time.Now().Add(time.Hour)).SaveX(apitest.SystemCtx()).ID
}

// freshKey creates a store-1 key as the system, for rotate and revoke.
func (f *fixture) freshKey() int {
	_, wk, err := widgetkeys.Create(apitest.SystemCtx(), f.api.Client, f.store1, "spare", []string{"https://spare.example"}, 0)
	if err != nil {
		panic(err)
	}
	return wk.ID
}

func TestAccessMatrixCoversSchema(t *testing.T) {
	schema := graph.NewExecutableSchema(&graph.Resolver{}).Schema()
	var missing []string
	for _, def := range []string{"Query", "Mutation", "Subscription"} {
		typ := schema.Types[def]
		if typ == nil {
			continue
		}
		for _, f := range typ.Fields {
			if _, ok := matrix[f.Name]; !ok && f.Name[0] != '_' {
				missing = append(missing, def+"."+f.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("root fields without a row in the access matrix: %v", missing)
	}
}

func TestAccessMatrix(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, apitest.Start(t, d, apitest.Options{}))
			fields := make([]string, 0, len(matrix))
			for name := range matrix {
				if !slices.Contains(lastFields, name) {
					fields = append(fields, name)
				}
			}
			sort.Strings(fields)
			for _, name := range append(fields, lastFields...) {
				c := matrix[name]
				for _, viewer := range allViewers {
					var vars map[string]any
					if c.vars != nil {
						vars = c.vars(f, viewer)
					}
					res := f.run(t, c, viewer, vars)
					worked := res.Errors == nil && works(name, c, res)
					want := slices.Contains(c.allowed, viewer)
					if worked != want {
						t.Errorf("%s as %s: worked=%v, want %v (data %s, errors %+v)", name, viewer, worked, want, res.Data, res.Errors)
					}
					if code := res.Code(); code == "INTERNAL" {
						t.Errorf("%s as %s: INTERNAL error %+v", name, viewer, res.Errors)
					}
				}
			}
		})
	}
}

func works(field string, c matrixCase, res *apitest.Response) bool {
	var data map[string]any
	if json.Unmarshal(res.Data, &data) != nil || data == nil {
		return false
	}
	if c.check != nil {
		return c.check(data)
	}
	return data[field] != nil
}

func newFixture(t *testing.T, api *apitest.API) *fixture {
	ctx := apitest.SystemCtx()
	f := &fixture{api: api, ownerA: api.Demo.Owners[0].ID, ownerB: api.Demo.Owners[1].ID,
		store1: api.Demo.Stores[0].ID, store2: api.Demo.Stores[1].ID, group: api.Demo.Group.ID,
		staffAdv1: api.Staff(staff.RoleAdvisor, 0).ID}
	f.vehicleA = api.Client.Vehicle.Query().Where(vehicle.OwnerID(f.ownerA)).FirstIDX(ctx)
	f.vehicleB = api.Client.Vehicle.Query().Where(vehicle.OwnerID(f.ownerB)).FirstIDX(ctx)
	key, wk, err := widgetkeys.Create(ctx, api.Client, f.store1, "matrix", []string{"https://shop.example"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.keyToken, f.widgetKeyID = key, wk.ID
	f.careTask()
	f.reminderA = f.sentReminder(f.ownerA, f.store1)
	f.sentReminder(f.ownerB, f.store2)
	f.surveyTemplate = api.Client.SurveyTemplate.Create().SetDealerGroupID(f.group).SetName("Matrix").
		SetKind(surveytemplate.KindService).SetVersion(1).SetActive(false).SetAspects([]schematype.SurveyAspect{{Key: "a", Title: "A", Weight: 100,
		Indicators: []schematype.SurveyIndicator{{Key: "overall", Title: "Overall", Weight: 100}}}}).SaveX(ctx).ID
	f.complaint(complaint.StatusLogged)
	var inv struct {
		Node struct{ Token string }
	}
	api.Do(f.token(ownA), `query($id: ID!) { node(id: $id) { ... on SurveyInvitation { token } } }`,
		map[string]any{"id": id(f.invitation())}).Decode(t, &inv)
	f.surveyToken = inv.Node.Token
	// Store 1's advisor reads owner A's phone, which the audit log records.
	api.Do(f.token(adv1), `query($id: ID!) { node(id: $id) { ... on Owner { phone } } }`, map[string]any{"id": id(f.ownerA)})
	return f
}

func (f *fixture) token(viewer string) string {
	switch viewer {
	case ownA:
		return f.api.OwnerToken(0)
	case ownB:
		return f.api.OwnerToken(1)
	case adv1:
		return f.api.StaffToken(staff.RoleAdvisor, 0)
	case adv2:
		return f.api.StaffToken(staff.RoleAdvisor, 1)
	case tech:
		return f.api.StaffToken(staff.RoleTechnician, 0)
	case care:
		return f.api.StaffToken(staff.RoleCareAgent, 0)
	case mgr1:
		return f.api.StaffToken(staff.RoleServiceManager, 0)
	case gadm:
		return f.api.StaffToken(staff.RoleGroupAdmin, 0)
	}
	return ""
}

func (f *fixture) run(t *testing.T, c matrixCase, viewer string, vars map[string]any) *apitest.Response {
	switch {
	case c.subscription:
		return f.subscribe(t, c, viewer, vars)
	case c.upload:
		return f.api.Upload(f.token(viewer), c.doc, vars, "file", "photo.png", apitest.PNG)
	}
	return f.do(viewer, c.doc, vars)
}

// subscribe runs a subscription over a real websocket and returns its first
// message (or errors) as a response. Widgets have no websocket endpoint:
// they try as anonymous.
func (f *fixture) subscribe(t *testing.T, c matrixCase, viewer string, vars map[string]any) *apitest.Response {
	s, err := apitest.Subscribe(t, f.api.URL, apitest.TransportWS, f.token(viewer), c.doc, vars)
	if err != nil {
		return &apitest.Response{Errors: []apitest.Error{{Message: err.Error()}}}
	}
	defer s.Close()
	if c.poke != nil {
		time.Sleep(50 * time.Millisecond) // let the subscription register
		c.poke(f)
	}
	data, errs, err := s.Next(3 * time.Second)
	if err != nil && errs == nil {
		errs = []apitest.Error{{Message: err.Error()}}
	}
	return &apitest.Response{Data: data, Errors: errs}
}

func (f *fixture) do(viewer, doc string, vars map[string]any) *apitest.Response {
	if viewer == wdg1 {
		return f.api.DoWidget(f.keyToken, doc, vars)
	}
	return f.api.Do(f.token(viewer), doc, vars)
}
