package kpi_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"aftercare/ent"
	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

// staffOf signs in a new staff member of role at store.
func staffOf(t *testing.T, api *apitest.API, role staff.Role, store *ent.Dealership) string {
	t.Helper()
	email := fmt.Sprintf("%s-%d@kpi.example", role, store.ID)
	c := api.Client.Staff.Create().SetDealerGroupID(store.DealerGroupID).SetName(string(role)).SetEmail(email).SetRole(role)
	if role != staff.RoleGroupAdmin {
		c.SetDealershipID(store.ID)
	}
	c.ExecX(apitest.SystemCtx())
	tok, err := api.App.StaffToken(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

const storeKpis = `query($id: ID!, $month: String!) { storeKpis(dealershipID: $id, month: $month) {
  month dealership { name }
  firstServiceReturn { numerator denominator rate numeratorList denominatorList }
  firstServiceElsewhere
  noShowRate { numerator denominator rate }
  lapseClasses { class rate { numerator denominator } }
  complaintLoop { opened closedWithin24h overdue }
  satisfaction { responses topBoxShare }
  returned: reminders(list: FIRST_SERVICE_RETURNED, first: 10) { totalCount edges { node { id } } }
  elsewhere: careTasks(list: FIRST_SERVICE_ELSEWHERE) { edges { node { id elsewhereShop elsewherePriceCents } } }
  noShows: appointments(list: NO_SHOWS) { edges { node { id } } }
  overdue: complaints(list: COMPLAINTS_OVERDUE) { totalCount }
  visits: workOrders(list: VISITS, first: 2) { totalCount pageInfo { hasNextPage } }
  csvPath(list: FIRST_SERVICE_ELSEWHERE)
} }`

type kpiAnswer struct {
	StoreKpis struct {
		Month              string
		Dealership         struct{ Name string }
		FirstServiceReturn struct {
			Numerator, Denominator         int
			Rate                           *float64
			NumeratorList, DenominatorList string
		}
		FirstServiceElsewhere int
		NoShowRate            struct {
			Numerator, Denominator int
			Rate                   *float64
		}
		LapseClasses []struct {
			Class string
			Rate  struct{ Numerator, Denominator int }
		}
		ComplaintLoop struct{ Opened, ClosedWithin24h, Overdue int }
		Satisfaction  struct {
			Responses   int
			TopBoxShare float64
		}
		Returned  connection
		Elsewhere struct {
			Edges []struct {
				Node struct {
					ID                  string
					ElsewhereShop       string
					ElsewherePriceCents int
				}
			}
		}
		NoShows connection
		Overdue connection
		Visits  connection
		CsvPath string
	}
}

type connection struct {
	TotalCount int
	PageInfo   struct{ HasNextPage bool }
	Edges      []struct{ Node struct{ ID string } }
}

func (c connection) ids() []int {
	var out []int
	for _, e := range c.Edges {
		n, _ := strconv.Atoi(e.Node.ID)
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// A store manager reads the month through the API: the figures, and the
// rows behind them through drill-down connections and CSV.
func TestStoreKpisThroughTheAPI(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{Owners: 2})
			m := build(t, api)
			manager := staffOf(t, api, staff.RoleServiceManager, m.store)
			vars := map[string]any{"id": m.store.ID, "month": month}
			res := api.Do(manager, storeKpis, vars)
			var a kpiAnswer
			res.Decode(t, &a)
			k := a.StoreKpis
			if k.Dealership.Name != "KPI Store" || k.FirstServiceReturn.Numerator != 2 || k.FirstServiceReturn.Denominator != 4 ||
				*k.FirstServiceReturn.Rate != 0.5 || k.FirstServiceReturn.NumeratorList != "FIRST_SERVICE_RETURNED" {
				t.Errorf("first service: %+v", k.FirstServiceReturn)
			}
			if got, want := k.Returned.ids(), []int{m.rows["fs1"], m.rows["fs2"]}; !slices.Equal(got, sorted(want)) || k.Returned.TotalCount != 2 {
				t.Errorf("FIRST_SERVICE_RETURNED lists %v, want %v", got, want)
			}
			if len(k.Elsewhere.Edges) != 1 || k.Elsewhere.Edges[0].Node.ElsewhereShop != "=Quick Lube" || k.Elsewhere.Edges[0].Node.ElsewherePriceCents != 38800 {
				t.Errorf("elsewhere: %+v", k.Elsewhere)
			}
			if got, want := k.NoShows.ids(), []int{m.rows["a2"]}; !slices.Equal(got, want) || k.NoShowRate.Denominator != 3 {
				t.Errorf("no-shows %v of %d, want %v of 3", got, k.NoShowRate.Denominator, want)
			}
			if k.ComplaintLoop.Opened != 3 || k.ComplaintLoop.ClosedWithin24h != 1 || k.Overdue.TotalCount != 2 {
				t.Errorf("complaints: %+v, overdue list %d", k.ComplaintLoop, k.Overdue.TotalCount)
			}
			if k.Satisfaction.Responses != 3 || len(k.LapseClasses) != 4 || k.LapseClasses[0].Rate.Numerator != 2 {
				t.Errorf("satisfaction %+v, lapse %+v", k.Satisfaction, k.LapseClasses)
			}
			if k.Visits.TotalCount != 5 || !k.Visits.PageInfo.HasNextPage {
				t.Errorf("visits: %+v", k.Visits)
			}

			rows := download(t, api, manager, k.CsvPath)
			if len(rows) != 2 || rows[0][0] != "id" || rows[1][0] != strconv.Itoa(m.rows["else1"]) {
				t.Fatalf("CSV: %v", rows)
			}
			base := download(t, api, manager, fmt.Sprintf("/exports/kpis.csv?dealershipID=%d&month=%s&list=LAPSE_BASE", m.store.ID, month))
			if len(base) != 5 || strings.Join(base[0], ",") != "id,tier,customer_since" {
				t.Errorf("LAPSE_BASE CSV: %v (4 customers, no contacts)", base)
			}
			shop := slices.Index(rows[0], "elsewhere_shop")
			if rows[1][shop] != "'=Quick Lube" || rows[1][shop+1] != "388.00" {
				t.Errorf("CSV shop and price: %v (a formula must be defused)", rows[1])
			}
		})
	}
}

func sorted(s []int) []int { slices.Sort(s); return s }

// download reads a CSV export.
func download(t *testing.T, api *apitest.API, token, path string) [][]string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, api.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Only the store's managers and the group's admins read its KPIs, by the
// API or by CSV; bad input is refused with a code.
func TestStoreKpisAccessAndInput(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{Owners: 2})
	m := build(t, api)
	q := `query($id: ID!, $month: String!) { storeKpis(dealershipID: $id, month: $month) { month } }`
	ok := map[string]any{"id": m.store.ID, "month": month}
	cases := []struct {
		name, token string
		vars        map[string]any
		code        string
	}{
		{"care manager", staffOf(t, api, staff.RoleCareManager, m.store), ok, ""},
		{"group admin", staffOf(t, api, staff.RoleGroupAdmin, m.store), ok, ""},
		{"advisor", staffOf(t, api, staff.RoleAdvisor, m.store), ok, "FORBIDDEN"},
		{"another store's manager", staffOf(t, api, staff.RoleServiceManager, m.other), ok, "FORBIDDEN"},
		{"owner", api.OwnerToken(0), ok, "FORBIDDEN"},
		{"anonymous", "", ok, "UNAUTHENTICATED"},
		{"bad month", staffOf(t, api, staff.RoleGeneralManager, m.store), map[string]any{"id": m.store.ID, "month": "2026-3"}, "BAD_USER_INPUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := api.Do(tc.token, q, tc.vars)
			if res.Code() != tc.code {
				t.Errorf("code %q, want %q (%+v)", res.Code(), tc.code, res.Errors)
			}
			path := fmt.Sprintf("/exports/kpis.csv?dealershipID=%v&month=%v&list=VISITS", tc.vars["id"], tc.vars["month"])
			req, _ := http.NewRequest(http.MethodGet, api.URL+path, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if (r.StatusCode == http.StatusOK) != (tc.code == "") {
				t.Errorf("CSV answered %d", r.StatusCode)
			}
		})
	}
	manager := staffOf(t, api, staff.RoleServiceManager, m.store)
	wrong := api.Do(manager, `query($id: ID!) { storeKpis(dealershipID: $id, month: "2026-03") { reminders(list: VISITS) { totalCount } } }`,
		map[string]any{"id": m.store.ID})
	if wrong.Code() != "BAD_USER_INPUT" {
		t.Errorf("work orders asked of the reminder list: %q", wrong.Code())
	}
}

// A group admin reads every store of the group; the statements per store
// do not depend on how many rows the month has.
func TestGroupKpis(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{Owners: 2})
	m := build(t, api)
	admin := staffOf(t, api, staff.RoleGroupAdmin, m.store)
	res := api.Do(admin, `{ groupKpis(month: "2026-03") { dealership { name } visits: appointmentRate { denominator } } }`, nil)
	var a struct {
		GroupKpis []struct {
			Dealership struct{ Name string }
			Visits     struct{ Denominator int }
		}
	}
	res.Decode(t, &a)
	found := false
	for _, s := range a.GroupKpis {
		if s.Dealership.Name == "KPI Store" {
			found = s.Visits.Denominator == 5
		}
	}
	if len(a.GroupKpis) != len(api.Demo.Stores)+2 || !found {
		t.Errorf("groupKpis: %+v", a.GroupKpis)
	}
	manager := staffOf(t, api, staff.RoleServiceManager, m.store)
	if code := api.Do(manager, `{ groupKpis(month: "2026-03") { month } }`, nil).Code(); code != "FORBIDDEN" {
		t.Errorf("a store manager read the group: %q", code)
	}
}

// The month's figures cost the same statements whether the month is full
// or empty: one count per list, never one per row.
func TestStoreKpisStatementsDoNotGrowWithRows(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{Owners: 2})
	m := build(t, api)
	manager := staffOf(t, api, staff.RoleServiceManager, m.store)
	q := `query($id: ID!, $month: String!) { storeKpis(dealershipID: $id, month: $month) {
  firstServiceReturn { rate } lapseClasses { rate { rate } } complaintLoop { opened } dealership { name } } }`
	count := func(month string) int {
		res := api.Do(manager, q, map[string]any{"id": m.store.ID, "month": month})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		return api.Statements(res.RequestID)
	}
	full, empty := count(month), count("2025-06")
	if full != empty || full > 30 {
		t.Errorf("statements: %d for the built month, %d for an empty one (want equal, at most 30)", full, empty)
	}
	t.Logf("storeKpis: %d statements", full)
}
