package app_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftercare/ent/auditentry"
	"aftercare/ent/owner"
	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/auth"
	"aftercare/internal/config"
	"aftercare/internal/testenv"
)

const createKey = `mutation($s: ID!, $o: [String!]!) { createWidgetKey(dealershipID: $s, name: "Brand site", allowedOrigins: $o) {
  key widgetKey { id prefix allowedOrigins } } }`

func TestWidgetKeyLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		mgr := api.StaffToken(staff.RoleServiceManager, 0)
		var created struct {
			CreateWidgetKey struct {
				Key       string
				WidgetKey struct {
					ID             string
					Prefix         string
					AllowedOrigins []string
				}
			}
		}
		api.Do(mgr, createKey, map[string]any{"s": strconv.Itoa(api.Demo.Stores[0].ID),
			"o": []string{"https://WWW.Brand.example/", "https://www.brand.example"}}).Decode(t, &created)
		k := created.CreateWidgetKey
		if !strings.HasPrefix(k.Key, k.WidgetKey.Prefix) || len(k.WidgetKey.AllowedOrigins) != 1 || k.WidgetKey.AllowedOrigins[0] != "https://www.brand.example" {
			t.Fatalf("created key %+v: want the prefix shown and one normalised origin", k)
		}
		stored := api.Client.WidgetKey.GetX(apitest.SystemCtx(), mustAtoi(t, k.WidgetKey.ID))
		if strings.Contains(stored.KeyHash, k.Key) || stored.KeyHash == k.Key {
			t.Fatal("the key is stored in clear")
		}
		var me struct {
			Me struct {
				Kind       string
				Dealership struct{ Name string }
			}
		}
		api.DoWidget(k.Key, `{ me { kind dealership { name } } }`, nil).Decode(t, &me)
		if me.Me.Kind != "widget" || me.Me.Dealership.Name != api.Demo.Stores[0].Name {
			t.Fatalf("widget sees %+v", me)
		}
		if res := api.DoWidget(k.Key, `{ owners(first: 1) { totalCount } }`, nil); res.Code() != "FORBIDDEN" {
			t.Fatalf("widget listing owners: %s %+v, want FORBIDDEN", res.Data, res.Errors)
		}
		if res := api.DoWidget("wk_notakey", `{ me { kind } }`, nil); res.Status != 401 || res.Code() != "UNAUTHENTICATED" {
			t.Fatalf("unknown key: %d %+v", res.Status, res.Errors)
		}
		// Store 2's manager cannot touch store 1's key, nor create keys for store 1.
		other := api.StaffToken(staff.RoleServiceManager, 1)
		if res := api.Do(other, `mutation($id: ID!) { revokeWidgetKey(id: $id) { id } }`, map[string]any{"id": k.WidgetKey.ID}); res.Code() != "NOT_FOUND" {
			t.Fatalf("store-2 manager revoking store-1 key: %+v", res.Errors)
		}
		bad := api.Do(mgr, createKey, map[string]any{"s": strconv.Itoa(api.Demo.Stores[0].ID), "o": []string{"https://*.brand.example"}})
		if bad.Code() != "BAD_USER_INPUT" || bad.Errors[0].Extensions["field"] != "allowedOrigins" {
			t.Fatalf("wildcard origin: %+v, want BAD_USER_INPUT on allowedOrigins", bad.Errors)
		}
	})
}

func TestWidgetRequestsFromOtherOriginsAreRefused(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	var created struct{ CreateWidgetKey struct{ Key string } }
	api.Do(api.StaffToken(staff.RoleServiceManager, 0), createKey, map[string]any{
		"s": strconv.Itoa(api.Demo.Stores[0].ID), "o": []string{"https://www.brand.example"}}).Decode(t, &created)
	post := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, api.URL+"/widget/"+created.CreateWidgetKey.Key+"/graphql",
			strings.NewReader(`{"query":"{ me { kind } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := post("https://www.brand.example"); res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "https://www.brand.example" {
		t.Fatalf("allowed origin: %d, ACAO %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
	if res := post("https://evil.example"); res.StatusCode != 403 || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin: %d, ACAO %q; want 403 and no CORS grant", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestWidgetKeyRateLimit(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{Config: func(c *config.Config) {
		c.RatePerWidgetKey, c.BurstPerWidgetKey = 0.001, 3
	}})
	var created struct{ CreateWidgetKey struct{ Key string } }
	api.Do(api.StaffToken(staff.RoleServiceManager, 0), createKey, map[string]any{
		"s": strconv.Itoa(api.Demo.Stores[0].ID), "o": []string{"https://www.brand.example"}}).Decode(t, &created)
	codes := []string{}
	for i := 0; i < 5; i++ {
		res := api.DoWidget(created.CreateWidgetKey.Key, `{ me { kind } }`, nil)
		codes = append(codes, res.Code())
		if i >= 3 && (res.Status != 429 || res.Code() != "RATE_LIMITED") {
			t.Fatalf("request %d: %d %+v, want 429 RATE_LIMITED", i+1, res.Status, res.Errors)
		}
	}
	if codes[0] != "" || codes[2] != "" {
		t.Fatalf("the burst of 3 was not served: %v", codes)
	}
}

func TestContactReadsAndChangesAreAudited(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		a := api.Demo.Owners[0]
		q := `query($id: ID!) { node(id: $id) { ... on Owner { name phone email } } }`
		vars := map[string]any{"id": strconv.Itoa(a.ID)}
		api.Do(api.StaffToken(staff.RoleTechnician, 0), q, vars) // masked: not a read of personal data
		api.Do(api.OwnerToken(0), q, vars)                       // one's own data: not audited
		if n := api.Client.AuditEntry.Query().CountX(ctx); n != 0 {
			t.Fatalf("%d audit entries for masked or own reads", n)
		}
		adv := api.Staff(staff.RoleAdvisor, 0)
		api.Do(api.StaffToken(staff.RoleAdvisor, 0), q, vars)
		e := api.Client.AuditEntry.Query().OnlyX(ctx)
		if e.Action != auditentry.ActionReadContact || e.OwnerID != a.ID || *e.ActorStaffID != adv.ID || len(e.Fields) != 2 {
			t.Fatalf("read entry %+v", e)
		}
		api.Do(api.StaffToken(staff.RoleAdvisor, 0), `mutation($id: ID!) { updateOwner(id: $id, input: {email: "li@example.com"}) { id } }`, vars)
		upd := api.Client.AuditEntry.Query().Where(auditentry.ActionEQ(auditentry.ActionUpdate)).OnlyX(ctx)
		if upd.OwnerID != a.ID || !strings.Contains(strings.Join(upd.Fields, ","), "email") {
			t.Fatalf("update entry %+v", upd)
		}
		// The owner can see who read their data.
		var mine struct{ AuditEntries struct{ TotalCount int } }
		api.Do(api.OwnerToken(0), `{ auditEntries { totalCount } }`, nil).Decode(t, &mine)
		if mine.AuditEntries.TotalCount != 2 {
			t.Fatalf("owner sees %d entries about them, want 2", mine.AuditEntries.TotalCount)
		}
	})
}

func TestOwnerExportsAndErasesTheirData(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		tok := api.OwnerToken(0)
		var exp struct{ ExportMyData map[string]json.RawMessage }
		api.Do(tok, `mutation { exportMyData }`, nil).Decode(t, &exp)
		var vehicles []struct {
			OwnerID int `json:"owner_id"`
		}
		if err := json.Unmarshal(exp.ExportMyData["vehicles"], &vehicles); err != nil || len(vehicles) == 0 {
			t.Fatalf("export has no vehicles: %s (%v)", exp.ExportMyData["vehicles"], err)
		}
		for _, v := range vehicles {
			if v.OwnerID != api.Demo.Owners[0].ID {
				t.Fatalf("export holds another owner's vehicle: %+v", v)
			}
		}
		if !strings.Contains(string(exp.ExportMyData["owner"]), *api.Demo.Owners[0].Phone) {
			t.Fatal("export lacks the owner's own record")
		}

		if res := api.Do(tok, `mutation { eraseMyAccount(confirm: false) }`, nil); res.Code() != "BAD_USER_INPUT" {
			t.Fatalf("erase without confirmation: %+v", res.Errors)
		}
		var erased struct{ EraseMyAccount bool }
		api.Do(tok, `mutation { eraseMyAccount(confirm: true) }`, nil).Decode(t, &erased)
		o := api.Client.Owner.Query().Where(owner.ID(api.Demo.Owners[0].ID)).OnlyX(ctx)
		if o.Phone != nil || o.Email != "" || o.Birthday != nil || o.AuthUID != nil || o.ErasedAt == nil || strings.Contains(o.Name, "Owner") {
			t.Fatalf("after erasure the owner still holds personal data: %+v", o)
		}
		if n := api.Client.WorkOrder.Query().CountX(ctx); n == 0 {
			t.Fatal("erasure removed service history")
		}
		// The old token no longer reaches any owner record.
		var me struct {
			Me struct{ Owner *struct{ ID string } }
		}
		api.Do(tok, `{ me { owner { id } } }`, nil).Decode(t, &me)
		if me.Me.Owner != nil {
			t.Fatalf("the erased owner's token still reaches %+v", me.Me.Owner)
		}
	})
}

func TestProductionTurnsOffDeveloperSurfaces(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{Config: func(c *config.Config) {
		c.AppEnv, c.FirebaseProjectID = "production", "demo-aftercare"
	}})
	if api.App.Signer != nil {
		t.Fatal("the local token signer is on in production")
	}
	res, err := http.Get(api.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Fatalf("GraphiQL answered %d in production", res.StatusCode)
	}
	if r := api.Do("", `{ __schema { types { name } } }`, nil); r.Errors == nil || r.Code() == "INTERNAL" {
		t.Fatalf("introspection in production: %.100s %+v, want a refusal that is not INTERNAL", r.Data, r.Errors)
	}
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A new staff member's first sign-in has no role claim yet: the verified
// e-mail the group admin entered links the account. Deactivation then
// refuses the sign-in at once (the record rules, not the token's claims).
func TestStaffFirstSignInAndDeactivation(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	ctx := apitest.SystemCtx()
	s := api.Client.Staff.Create().SetDealerGroupID(api.Demo.Group.ID).SetDealershipID(api.Demo.Stores[0].ID).
		SetName("New Advisor").SetEmail("new.advisor@pudong.hmg.example").SetRole(staff.RoleAdvisor).SaveX(ctx)
	tok, err := api.App.Signer.Sign(auth.Identity{UID: "firebase-uid-new-advisor", Email: s.Email, Provider: auth.ProviderLocal}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Me struct{ Kind, Role string } }
	api.Do(tok, `{ me { kind role } }`, nil).Decode(t, &me)
	if me.Me.Kind != "staff" || me.Me.Role != "advisor" {
		t.Fatalf("first sign-in: %+v, want the advisor", me.Me)
	}
	if uid := api.Client.Staff.GetX(ctx, s.ID).AuthUID; uid == nil || *uid != "firebase-uid-new-advisor" {
		t.Fatalf("account not linked: %v", uid)
	}
	api.Client.Staff.UpdateOneID(s.ID).SetActive(false).ExecX(ctx)
	if res := api.Do(tok, `{ me { kind } }`, nil); res.Status != 401 || res.Code() != "UNAUTHENTICATED" {
		t.Fatalf("deactivated staff: %d %+v, want 401 UNAUTHENTICATED", res.Status, res.Errors)
	}
}
