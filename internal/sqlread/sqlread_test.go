package sqlread_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"aftercare/ent/appointment"
	"aftercare/ent/staff"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/apitest"
	"aftercare/internal/config"
	"aftercare/internal/testenv"
)

// A compiled read must answer exactly as the resolvers do: the same data,
// for every viewer, including what privacy hides. Each document runs on two
// servers over the same database, one with compiled reads and one without;
// the answers must be equal, and the compiled server must have used one
// statement where it could.
func TestCompiledReadsAnswerAsTheResolvers(t *testing.T) {
	d, ok := testenv.Postgres(t)
	if !ok {
		return // compiled reads are PostgreSQL only
	}
	deeper := func(c *config.Config) { c.MaxDepth = 16 }
	compiled := apitest.Start(t, d, apitest.Options{Config: deeper})
	resolved := compiled.Peer(t, func(c *config.Config) { c.CompiledReads = false })
	arrange(t, compiled)

	ctx := apitest.SystemCtx()
	mine := compiled.Client.Owner.QueryVehicles(compiled.Demo.Owners[0]).FirstIDX(ctx)
	theirs := compiled.Client.Owner.QueryVehicles(compiled.Demo.Owners[1]).FirstIDX(ctx)
	wo := compiled.Client.WorkOrder.Query().Where(workorder.Number("SQLREAD-0")).OnlyIDX(ctx)
	store := fmt.Sprint(compiled.Demo.Stores[0].ID)
	now := time.Now().UTC().Add(-48 * time.Hour).Format(time.RFC3339)

	viewers := map[string]string{
		"owner":         compiled.OwnerToken(0),
		"other owner":   compiled.OwnerToken(1),
		"advisor":       compiled.StaffToken(staff.RoleAdvisor, 0),
		"other store":   compiled.StaffToken(staff.RoleAdvisor, 1),
		"technician":    compiled.StaffToken(staff.RoleTechnician, 0),
		"group admin":   compiled.StaffToken(staff.RoleGroupAdmin, 0),
		"not signed in": "",
	}
	docs := []struct {
		name string
		doc  string
		vars map[string]any
		// one: the compiled server answers an owner or staff member with
		// one statement after the sign-in.
		one bool
		// shows is text the owner's answer (or the advisor's, after a "|")
		// must hold, so that the comparison is not between two empty lists.
		shows string
	}{
		{"home", benchDoc(t, "home"), map[string]any{"now": now}, true, `"toStatus"|"owner":null`},
		{"home, a month later", benchDoc(t, "home"), map[string]any{"now": time.Now().UTC().AddDate(0, 1, 0).Format(time.RFC3339)}, true, `"outboxMessages"|"owner":null`},
		{"nested", benchDoc(t, "nested"), map[string]any{"store": store}, true, `"toStatus":|"toStatus":`},
		{"node: own vehicle", benchDoc(t, "node"), map[string]any{"id": fmt.Sprint(mine)}, false, `"vin":|"vin":`},
		{"node: someone else's", benchDoc(t, "node"), map[string]any{"id": fmt.Sprint(theirs)}, false, `"node":null|`},
		{"node: work order with events", `query($id: ID!) { node(id: $id) { __typename id ... on WorkOrder {
			number status promisedAt openedAt totalCents vehicleID
			events(first: 2, orderBy: {field: SEQ, direction: DESC}) { edges { node { id seq fromStatus toStatus message createdAt } } } } } }`,
			map[string]any{"id": fmt.Sprint(wo)}, false, `前轮|前轮`},
		{"root lists, aliases, fragments", `query($store: ID!, $since: Time!) {
			first: vehicles(first: 3, orderBy: {field: ODOMETER_KM, direction: DESC}) { edges { node { ...car } } }
			rest: vehicles(where: {odometerKmGTE: 1000, plateNotNil: true}) { __typename edges { __typename node { __typename id } } }
			appointments(first: 5, where: {dealershipID: $store, statusNotIn: [cancelled], startsAtGT: $since}, orderBy: {field: STARTS_AT}) {
				edges { node { id reference status serviceType startsAt endsAt transportPriceCents notes cancelledAt } } }
			workOrders(first: 0) { edges { node { id } } }
			owners(first: 4, where: {tierIn: [], nameNEQ: "nobody", homeDealershipID: $store}, orderBy: {field: NAME, direction: DESC}) {
				edges { node { id name tier outboxMessages(where: {kind: "service_due"}) { edges { node { id kind title body sendAfter } } } } } }
		}
		fragment car on Vehicle { id vin plate make model modelYear odometerKm ownerID sellingDealershipID createdAt }`,
			map[string]any{"store": store, "since": now}, true, `"sendAfter"|"reference":"BK0000001"`},
		{"me", `{ me { kind owner { id name tier prospect quietHoursStart erasedAt } } }`, nil, true, `"tier":|"owner":null`},
		{"falls back: page info", `{ owners(first: 2) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }`, nil, false, ""},
		{"falls back: contacts", `{ owners(first: 2) { edges { node { id phone email } } } }`, nil, false, ""},
		{"falls back: page too large", `{ owners(first: 500) { edges { node { id } } } }`, nil, false, ""},
	}
	for _, doc := range docs {
		for who, tok := range viewers {
			t.Run(doc.name+"/"+who, func(t *testing.T) {
				a := compiled.Do(tok, doc.doc, doc.vars)
				b := resolved.Do(tok, doc.doc, doc.vars)
				if !sameJSON(a.Data, b.Data) || !reflect.DeepEqual(codes(a), codes(b)) {
					t.Fatalf("compiled:\n%s %v\nresolvers:\n%s %v", a.Data, a.Errors, b.Data, b.Errors)
				}
				// The POST transport writes data as it is, so the compiled
				// answer must be as compact as gqlgen's.
				var compacted bytes.Buffer
				if json.Compact(&compacted, a.Data); !bytes.Equal(a.Data, compacted.Bytes()) {
					t.Fatalf("the answer is not compact: %.200s", a.Data)
				}
				owners, advisors, _ := strings.Cut(doc.shows, "|")
				if shows := map[string]string{"owner": owners, "advisor": advisors}[who]; !strings.Contains(string(a.Data), shows) {
					t.Fatalf("the answer lacks %s: %s %v", shows, a.Data, a.Errors)
				}
				n, m := compiled.Statements(a.RequestID), resolved.Statements(b.RequestID)
				if doc.one && tok != "" && len(a.Errors) == 0 && (n > 2 || n > max(m, 2)) {
					t.Fatalf("compiled read ran %d statements, the resolvers %d", n, m)
				}
			})
		}
	}
}

// arrange gives the first owner's first vehicle work orders with events
// (one message with characters JSON escapes, times with and without a
// fraction of a second), a future appointment and pending messages.
func arrange(t *testing.T, api *apitest.API) {
	t.Helper()
	ctx := apitest.SystemCtx()
	o := api.Demo.Owners[0]
	v := api.Client.Owner.QueryVehicles(o).FirstX(ctx)
	at := time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC)
	for i, status := range []workorder.Status{workorder.StatusInRepair, workorder.StatusDelivered} {
		wo := api.Client.WorkOrder.Create().SetNumber(fmt.Sprintf("SQLREAD-%d", i)).
			SetDealershipID(*v.SellingDealershipID).SetVehicleID(v.ID).SetOwnerID(o.ID).
			SetStatus(status).SetOdometerInKm(v.OdometerKm).SetOpenedAt(at.Add(time.Duration(i) * time.Hour)).
			SetPromisedAt(at.Add(90 * time.Minute)).SetLastEventSeq(3).SaveX(ctx)
		for seq := 1; seq <= 3; seq++ {
			api.Client.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(seq).
				SetFromStatus(workorderevent.FromStatusCheckedIn).SetToStatus(workorderevent.ToStatusInRepair).
				SetActorKind(workorderevent.ActorKindSystem).SetMessage("Brakes \"worn\"\n<50%> & 前轮 ✓ \\ \t").
				SetCreatedAt(at.Add(time.Duration(seq)*1500*time.Millisecond + time.Microsecond)).ExecX(ctx)
		}
	}
	api.Client.Appointment.Create().SetReference("SQLREAD1").SetDealershipID(*v.SellingDealershipID).
		SetOwnerID(o.ID).SetVehicleID(v.ID).SetServiceType(appointment.ServiceTypeInspection).
		SetStartsAt(time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)).
		SetEndsAt(time.Now().UTC().Add(73 * time.Hour).Truncate(time.Minute)).
		SetSource(appointment.SourceApp).SetNotes("side door").ExecX(ctx)
	for i := range 3 {
		api.Client.OutboxMessage.Create().SetOwnerID(o.ID).SetKind("service_due").
			SetDedupeKey(fmt.Sprintf("sqlread-%d", i)).SetTitle("Service due").SetBody("Book now.").
			SetSendAfter(time.Now().UTC().Add(time.Duration(i+1) * time.Hour)).ExecX(ctx)
	}
}

func benchDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../bench/compare/queries/aftercare/" + name + ".graphql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameJSON compares the token streams: the same keys in the same order and
// the same values, whatever the escaping (PostgreSQL and gqlgen escape
// strings differently).
func sameJSON(a, b []byte) bool {
	x, errA := tokens(a)
	y, errB := tokens(b)
	return errA == nil && errB == nil && reflect.DeepEqual(x, y)
}

func tokens(data []byte) ([]json.Token, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var out []json.Token
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
	}
}

func codes(r *apitest.Response) []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, fmt.Sprint(c, e.Path))
	}
	return out
}
