package app_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"aftercare/ent/odometerreading"
	"aftercare/ent/staff"
	"aftercare/ent/vehicle"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

// forEachStore runs fn against a fresh API on SQLite and on PostgreSQL.
func forEachStore(t *testing.T, fn func(t *testing.T, api *apitest.API)) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, apitest.Start(t, d, apitest.Options{}))
		})
	}
}

const homeScreen = `query {
  me { kind owner { id name phone vehicles(first: 10) { totalCount edges { node {
    id vin odometerKm deliveryDate
    odometerReadings(first: 10, orderBy: {field: RECORDED_AT, direction: ASC}) { edges { node { km source } } }
  } } } } }
}`

func TestOwnerSeesOwnVehicles(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		var out struct {
			Me struct {
				Kind  string
				Owner struct {
					ID       string
					Phone    string
					Vehicles struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								Vin              string
								OdometerKm       int
								DeliveryDate     string
								OdometerReadings struct {
									Edges []struct{ Node struct{ Km int } }
								}
							}
						}
					}
				}
			}
		}
		api.Do(api.OwnerToken(0), homeScreen, nil).Decode(t, &out)
		o := out.Me.Owner
		if out.Me.Kind != "owner" || o.Phone != *api.Demo.Owners[0].Phone {
			t.Fatalf("me = %+v, want owner 0 with phone %s", out.Me, *api.Demo.Owners[0].Phone)
		}
		want, _ := api.Client.Vehicle.Query().Where(vehicle.OwnerID(api.Demo.Owners[0].ID)).Count(apitest.SystemCtx())
		if o.Vehicles.TotalCount != want || len(o.Vehicles.Edges) != want || want == 0 {
			t.Fatalf("owner sees %d vehicles (total %d), owns %d", len(o.Vehicles.Edges), o.Vehicles.TotalCount, want)
		}
		v := o.Vehicles.Edges[0].Node
		readings := v.OdometerReadings.Edges
		if len(readings) != 3 || readings[2].Node.Km != v.OdometerKm || len(v.DeliveryDate) != 10 {
			t.Fatalf("vehicle %+v: want 3 readings ending at the odometer, a YYYY-MM-DD delivery date", v)
		}
	})
}

const registerVehicle = `mutation($in: CreateVehicleInput!) { registerVehicle(input: $in) { id vin odometerKm owner { id } } }`

func vehicleInput(api *apitest.API, vin string) map[string]any {
	return map[string]any{
		"vin": vin, "make": "Volkswagen", "model": "Tiguan L", "modelYear": 2026, "fuelType": "petrol",
		"deliveryDate": "2026-10-01", "deliveryKm": 12, "odometerKm": 12,
		"ownerID": strconv.Itoa(api.Demo.Owners[0].ID), "sellingDealershipID": strconv.Itoa(api.Demo.Stores[0].ID),
	}
}

func TestRegisterVehicleValidatesVIN(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		advisor := api.StaffToken(staff.RoleAdvisor, 0)
		before, _ := api.Client.Vehicle.Query().Count(apitest.SystemCtx())
		cases := []struct{ name, vin string }{
			{"wrong check digit", "1M8GDM9A1KP042788"},
			{"letter O", "1M8GDM9AXKP04278O"},
			{"too short", "1M8GDM9AXKP0427"},
		}
		for _, c := range cases {
			res := api.Do(advisor, registerVehicle, map[string]any{"in": vehicleInput(api, c.vin)})
			if res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != "vin" {
				t.Errorf("%s: got %+v, want BAD_USER_INPUT on field vin", c.name, res.Errors)
			}
		}
		after, _ := api.Client.Vehicle.Query().Count(apitest.SystemCtx())
		if after != before {
			t.Fatalf("refused VINs created %d vehicles", after-before)
		}
		// A valid VIN, typed in lower case, is normalised and accepted once.
		var ok struct{ RegisterVehicle struct{ Vin string } }
		api.Do(advisor, registerVehicle, map[string]any{"in": vehicleInput(api, "1m8gdm9axkp042788")}).Decode(t, &ok)
		if ok.RegisterVehicle.Vin != "1M8GDM9AXKP042788" {
			t.Fatalf("vin = %q, want it upper-cased", ok.RegisterVehicle.Vin)
		}
		dup := api.Do(advisor, registerVehicle, map[string]any{"in": vehicleInput(api, "1M8GDM9AXKP042788")})
		if dup.Code() != "CONFLICT" {
			t.Fatalf("a second vehicle with the same VIN: %+v, want CONFLICT", dup.Errors)
		}
	})
}

const recordReading = `mutation($in: RecordOdometerReadingInput!) { recordOdometerReading(input: $in) { km correction } }`

func TestOdometerNeverGoesBackwards(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		v := api.Client.Vehicle.Query().Where(vehicle.OwnerID(api.Demo.Owners[0].ID)).FirstX(ctx)
		owner := api.OwnerToken(0)
		in := func(km int, correction bool, note string) map[string]any {
			m := map[string]any{"vehicleID": strconv.Itoa(v.ID), "km": km, "source": "owner_app", "correction": correction}
			if note != "" {
				m["note"] = note
			}
			return map[string]any{"in": m}
		}
		readings := func() int {
			return api.Client.OdometerReading.Query().Where(odometerreading.VehicleID(v.ID)).CountX(ctx)
		}
		start := readings()

		res := api.Do(owner, recordReading, in(v.OdometerKm-100, false, ""))
		if res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != "km" {
			t.Fatalf("backwards reading: %+v, want BAD_USER_INPUT on km", res.Errors)
		}
		if res := api.Do(owner, recordReading, in(v.OdometerKm-100, true, "")); res.Code() != "BAD_USER_INPUT" {
			t.Fatalf("correction without a note: %+v, want BAD_USER_INPUT", res.Errors)
		}
		if got := readings(); got != start {
			t.Fatalf("refused readings were stored: %d -> %d", start, got)
		}
		var ok struct{ RecordOdometerReading struct{ Km int } }
		api.Do(owner, recordReading, in(v.OdometerKm+250, false, "")).Decode(t, &ok)
		api.Do(owner, recordReading, in(v.OdometerKm+200, true, "typo in the last reading")).Decode(t, &ok)
		now := api.Client.Vehicle.GetX(ctx, v.ID)
		if now.OdometerKm != v.OdometerKm+200 || readings() != start+2 {
			t.Fatalf("odometer %d with %d readings, want %d with %d", now.OdometerKm, readings(), v.OdometerKm+200, start+2)
		}
	})
}

// Two readings racing on one vehicle: whatever the order, the odometer
// ends at the highest, and a lower one that lost the race is refused.
func TestConcurrentReadingsKeepOdometerMonotonic(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		v := api.Client.Vehicle.Query().Where(vehicle.OwnerID(api.Demo.Owners[2].ID)).FirstX(ctx)
		owner := api.OwnerToken(2)
		var wg sync.WaitGroup
		for i := 1; i <= 8; i++ {
			wg.Add(1)
			go func(km int) {
				defer wg.Done()
				api.Do(owner, recordReading, map[string]any{"in": map[string]any{
					"vehicleID": strconv.Itoa(v.ID), "km": km, "source": "owner_app"}})
			}(v.OdometerKm + i*10)
		}
		wg.Wait()
		rs := api.Client.OdometerReading.Query().Where(odometerreading.VehicleID(v.ID)).
			Order(odometerreading.ByID()).AllX(ctx)
		for i := 1; i < len(rs); i++ {
			if rs[i].Km < rs[i-1].Km {
				t.Fatalf("stored readings go backwards: %d after %d", rs[i].Km, rs[i-1].Km)
			}
		}
		if got := api.Client.Vehicle.GetX(ctx, v.ID).OdometerKm; got != rs[len(rs)-1].Km {
			t.Fatalf("odometer %d is not the last accepted reading %d", got, rs[len(rs)-1].Km)
		}
	})
}

func TestUnknownAndForeignIDsLookNotFound(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		theirs := api.Client.Vehicle.Query().Where(vehicle.OwnerID(api.Demo.Owners[1].ID)).FirstX(ctx)
		q := `query($id: ID!) { node(id: $id) { id ... on Vehicle { vin } } }`
		for name, id := range map[string]string{
			"another owner's vehicle": strconv.Itoa(theirs.ID),
			"no such id":              "38654705664999",
			"id of no type":           "999999999999999",
		} {
			res := api.Do(api.OwnerToken(0), q, map[string]any{"id": id})
			if res.Code() != "NOT_FOUND" || string(res.Data) != `{"node":null}` {
				t.Errorf("%s: data %s errors %+v, want null with NOT_FOUND", name, res.Data, res.Errors)
			}
		}
		upd := `mutation($id: ID!) { updateVehicle(id: $id, input: {plate: "沪B12345"}) { id } }`
		if res := api.Do(api.OwnerToken(0), upd, map[string]any{"id": strconv.Itoa(theirs.ID)}); res.Code() != "NOT_FOUND" {
			t.Errorf("updating another owner's vehicle: %+v, want NOT_FOUND", res.Errors)
		}
		if api.Client.Vehicle.GetX(ctx, theirs.ID).Plate == "沪B12345" {
			t.Fatal("another owner's vehicle was changed")
		}
	})
}

func TestCreateOwnerNormalisesPhoneAndRefusesDuplicates(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		advisor := api.StaffToken(staff.RoleAdvisor, 0)
		m := `mutation($in: CreateOwnerInput!) { createOwner(input: $in) { phone consentMarketing } }`
		in := func(phone string) map[string]any {
			return map[string]any{"in": map[string]any{"name": "Li Wei", "phone": phone,
				"dealerGroupID": strconv.Itoa(api.Demo.Group.ID), "homeDealershipID": strconv.Itoa(api.Demo.Stores[0].ID)}}
		}
		var out struct{ CreateOwner struct{ Phone string } }
		api.Do(advisor, m, in("138 0013 8000")).Decode(t, &out)
		if out.CreateOwner.Phone != "+8613800138000" {
			t.Fatalf("phone stored as %q", out.CreateOwner.Phone)
		}
		if res := api.Do(advisor, m, in("+86 138-0013-8000")); res.Code() != "CONFLICT" || res.Errors[0].Extensions["field"] != "phone" {
			t.Fatalf("duplicate phone: %+v, want CONFLICT on phone", res.Errors)
		}
		if res := api.Do(advisor, m, in("12345")); res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != "phone" {
			t.Fatalf("bad phone: %+v, want BAD_USER_INPUT on phone", res.Errors)
		}
		// A store-1 advisor cannot create a customer of store 2.
		other := in("+8613800138001")
		other["in"].(map[string]any)["homeDealershipID"] = strconv.Itoa(api.Demo.Stores[1].ID)
		if res := api.Do(advisor, m, other); res.Code() != "FORBIDDEN" {
			t.Fatalf("advisor creating another store's customer: %+v, want FORBIDDEN", res.Errors)
		}
	})
}

// Nested lists are loaded with one query per level, not one per parent:
// 20 owners -> vehicles -> readings costs the same few statements as 5.
func TestNestedListsAreNotNPlusOne(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		admin := api.StaffToken(staff.RoleGroupAdmin, 0)
		q := `query($n: Int!) { owners(first: $n) { totalCount edges { node { name
			vehicles(first: 5) { totalCount edges { node { vin odometerReadings(first: 5) { edges { node { km } } } } } } } } } }`
		api.Do(admin, `{ me { kind } }`, nil) // signs in; on PostgreSQL later requests find the sign-in cached
		counts := map[int]int{}
		for _, n := range []int{5, 20} {
			res := api.Do(admin, q, map[string]any{"n": n})
			var out struct{ Owners struct{ Edges []any } }
			res.Decode(t, &out)
			if len(out.Owners.Edges) != n {
				t.Fatalf("got %d owners, want %d", len(out.Owners.Edges), n)
			}
			counts[n] = api.Statements(res.RequestID)
		}
		if counts[20] != counts[5] || counts[20] > 10 {
			t.Fatalf("statements: 5 owners -> %d, 20 owners -> %d; want equal and at most 10", counts[5], counts[20])
		}
		t.Logf("statements per request: %d", counts[20])
	})
}

func TestErrorsCarryCodesAndNoInternals(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		cases := []struct{ name, query, code string }{
			{"syntax", `{ owners(first: 1) { `, "GRAPHQL_PARSE_FAILED"},
			{"unknown field", `{ owners(first: 1) { shoeSize } }`, "GRAPHQL_VALIDATION_FAILED"},
			{"bad date", `mutation { updateOwner(id: "1", input: {birthday: "31/12/1990"}) { id } }`, "BAD_USER_INPUT"},
			{"malformed id", `{ node(id: "abc") { id } }`, "BAD_USER_INPUT"},
			{"page too large", `{ owners(first: 5000) { totalCount } }`, "BAD_USER_INPUT"},
			{"too deep", `{ owners(first:1) { edges { node { vehicles { edges { node { owner { vehicles { edges { node { owner { vehicles { edges { node { vin } } } } } } } } } } } } } } }`, "BAD_USER_INPUT"},
		}
		for _, c := range cases {
			res := api.Do(api.StaffToken(staff.RoleAdvisor, 0), c.query, nil)
			if res.Code() != c.code {
				t.Errorf("%s: %+v, want code %s", c.name, res.Errors, c.code)
			}
		}
		if res := api.Do("not-a-token", `{ me { kind } }`, nil); res.Status != 401 || res.Code() != "UNAUTHENTICATED" {
			t.Errorf("bad token: status %d %+v, want 401 UNAUTHENTICATED", res.Status, res.Errors)
		}
	})
}

func TestTechnicianSeesMaskedContacts(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		q := `query($id: ID!) { node(id: $id) { ... on Owner { phone } } }`
		id := map[string]any{"id": strconv.Itoa(api.Demo.Owners[0].ID)}
		var seen struct{ Node struct{ Phone string } }
		api.Do(api.StaffToken(staff.RoleTechnician, 0), q, id).Decode(t, &seen)
		full := *api.Demo.Owners[0].Phone
		if seen.Node.Phone == full || seen.Node.Phone != full[:len(full)-8]+"****"+full[len(full)-4:] {
			t.Fatalf("technician sees %q", seen.Node.Phone)
		}
		api.Do(api.StaffToken(staff.RoleAdvisor, 0), q, id).Decode(t, &seen)
		if seen.Node.Phone != full {
			t.Fatalf("advisor sees %q, want the full number", seen.Node.Phone)
		}
		// Store 2 does not serve this owner: for its advisor the owner does not exist.
		res := api.Do(api.StaffToken(staff.RoleAdvisor, 1), q, id)
		if res.Code() != "NOT_FOUND" {
			t.Fatalf("store-2 advisor: %s %+v, want NOT_FOUND", res.Data, res.Errors)
		}
	})
}

var _ = fmt.Sprint
