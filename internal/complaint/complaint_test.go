package complaint_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/complaint"
	"aftercare/ent/complaintstep"
	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	complaints "aftercare/internal/complaint"
	"aftercare/internal/testenv"
)

const advance = `mutation($id: ID!, $to: ComplaintStatus!, $note: String!) { advanceComplaint(complaintID: $id, to: $to, note: $note) { status dueAt escalationLevel } }`

// The whole loop through the API: each step by its role, with its note
// and deadline; wrong roles, wrong moves and empty notes are refused and
// change nothing; the owner follows, rates and reopens.
func TestTheComplaintLoop(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{})
			ctx := apitest.SystemCtx()
			store1 := strconv.Itoa(api.Demo.Stores[0].ID)
			var filed struct {
				FileComplaint struct{ ID, Status, Source string }
			}
			api.Do(api.OwnerToken(0), `mutation($s: ID!) { fileComplaint(input: {dealershipID: $s, category: waiting_time, description: "Waited two hours past the promised time"}) { id status source } }`,
				map[string]any{"s": store1}).Decode(t, &filed)
			if filed.FileComplaint.Status != "logged" || filed.FileComplaint.Source != "app" {
				t.Fatalf("filed %+v", filed)
			}
			id := filed.FileComplaint.ID
			tok := func(r staff.Role) string { return api.StaffToken(r, 0) }
			refused := []struct {
				who, to, note, code string
			}{
				{tok(staff.RoleCareAgent), "planned", "plan", "FORBIDDEN"},
				{tok(staff.RoleCareManager), "approved", "skip", "CONFLICT"},
				{tok(staff.RoleCareManager), "planned", "  ", "BAD_USER_INPUT"},
				{api.OwnerToken(0), "planned", "my plan", "FORBIDDEN"},
				{api.StaffToken(staff.RoleCareManager, 1), "planned", "other store", "NOT_FOUND"},
			}
			for _, r := range refused {
				if res := api.Do(r.who, advance, map[string]any{"id": id, "to": r.to, "note": r.note}); res.Code() != r.code {
					t.Fatalf("-> %s (%q): %+v, want %s", r.to, r.note, res.Errors, r.code)
				}
			}
			steps := []struct {
				role staff.Role
				to   string
				due  time.Duration
			}{
				{staff.RoleCareManager, "planned", 2 * time.Hour},
				{staff.RoleGeneralManager, "logged", 2 * time.Hour}, // plan rejected
				{staff.RoleCareManager, "planned", 2 * time.Hour},
				{staff.RoleGeneralManager, "approved", 12 * time.Hour},
				{staff.RoleAdvisor, "handled", 6 * time.Hour},
				{staff.RoleCareAgent, "confirmed", 2 * time.Hour},
			}
			for _, s := range steps {
				var got struct {
					AdvanceComplaint struct {
						Status string
						DueAt  time.Time
					}
				}
				start := time.Now()
				api.Do(tok(s.role), advance, map[string]any{"id": id, "to": s.to, "note": "step to " + s.to}).Decode(t, &got)
				if got.AdvanceComplaint.Status != s.to || got.AdvanceComplaint.DueAt.Before(start.Add(s.due-time.Second)) ||
					got.AdvanceComplaint.DueAt.After(time.Now().Add(s.due+time.Second)) {
					t.Fatalf("%s -> %s: %+v, due in %v", s.role, s.to, got, s.due)
				}
			}
			// Confirmed with the owner: the owner rates it, once.
			rate := `mutation($id: ID!, $r: Int!) { rateComplaintResolution(complaintID: $id, rating: $r, comment: "ok") { resolutionRating } }`
			if r := api.Do(api.OwnerToken(0), rate, map[string]any{"id": id, "r": 6}); r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("rating 6: %+v", r.Errors)
			}
			if r := api.Do(api.OwnerToken(1), rate, map[string]any{"id": id, "r": 4}); r.Code() != "NOT_FOUND" {
				t.Fatalf("another owner rates: %+v", r.Errors)
			}
			if r := api.Do(api.OwnerToken(0), rate, map[string]any{"id": id, "r": 2}); r.Errors != nil {
				t.Fatalf("rating: %+v", r.Errors)
			}
			if r := api.Do(api.OwnerToken(0), rate, map[string]any{"id": id, "r": 5}); r.Code() != "CONFLICT" {
				t.Fatalf("second rating: %+v", r.Errors)
			}
			var closed struct{ AdvanceComplaint struct{ Status string } }
			api.Do(tok(staff.RoleCareManager), advance, map[string]any{"id": id, "to": "closed", "note": "archived"}).Decode(t, &closed)
			if closed.AdvanceComplaint.Status != "closed" {
				t.Fatalf("close: %+v", closed)
			}
			// The owner is not satisfied after all and reopens it.
			var reopened struct {
				ReopenComplaint struct {
					Status           string
					ReopenedCount    int
					ResolutionRating *int
				}
			}
			reopen := `mutation($id: ID!) { reopenComplaint(complaintID: $id, note: "It happened again") { status reopenedCount resolutionRating } }`
			if r := api.Do(tok(staff.RoleTechnician), reopen, map[string]any{"id": id}); r.Code() != "FORBIDDEN" {
				t.Fatalf("a technician reopens: %+v", r.Errors)
			}
			api.Do(api.OwnerToken(0), reopen, map[string]any{"id": id}).Decode(t, &reopened)
			if r := reopened.ReopenComplaint; r.Status != "logged" || r.ReopenedCount != 1 || r.ResolutionRating != nil {
				t.Fatalf("reopened %+v", r)
			}
			if r := api.Do(api.OwnerToken(0), reopen, map[string]any{"id": id}); r.Code() != "CONFLICT" {
				t.Fatalf("reopening an open complaint: %+v", r.Errors)
			}
			cid, _ := strconv.Atoi(id)
			st := api.Client.ComplaintStep.Query().Where(complaintstep.ComplaintID(cid)).Order(ent.Asc(complaintstep.FieldID)).AllX(ctx)
			want := []complaintstep.Action{"logged", "planned", "plan_rejected", "planned", "approved", "handled", "confirmed", "rated", "closed", "reopened"}
			if len(st) != len(want) {
				t.Fatalf("%d steps, want %d", len(st), len(want))
			}
			for i, s := range st {
				if s.Action != want[i] || s.Note == "" && s.Action != "rated" {
					t.Fatalf("step %d: %s %q, want %s with a note", i, s.Action, s.Note, want[i])
				}
			}
			// Staff never show their internal steps to owners.
			var own struct {
				Complaints struct {
					Edges []struct {
						Node struct {
							Status string
							Steps  []struct{ Note string }
						}
					}
				}
			}
			api.Do(api.OwnerToken(0), `{ complaints { edges { node { status steps { note } } } } }`, nil).Decode(t, &own)
			if len(own.Complaints.Edges) != 1 || own.Complaints.Edges[0].Node.Status != "logged" || len(own.Complaints.Edges[0].Node.Steps) != 0 {
				t.Fatalf("the owner's view %+v", own)
			}
		})
	}
}

func TestStaffLogComplaints(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	log := `mutation($o: ID!, $src: ComplaintSource!, $d: String!) { logComplaint(input: {ownerID: $o, source: $src, category: price, severity: low, description: $d}) { status source dealershipID } }`
	owner := strconv.Itoa(api.Demo.Owners[0].ID)
	agent := api.StaffToken(staff.RoleCareAgent, 0)
	var got struct {
		LogComplaint struct{ Status, Source, DealershipID string }
	}
	api.Do(agent, log, map[string]any{"o": owner, "src": "walk_in", "d": "Invoice higher than the estimate"}).Decode(t, &got)
	if got.LogComplaint.Source != "walk_in" || got.LogComplaint.DealershipID != strconv.Itoa(api.Demo.Stores[0].ID) {
		t.Fatalf("logged %+v", got)
	}
	for name, c := range map[string]struct {
		tok, src, desc, code string
	}{
		"source app from staff": {agent, "app", "x", "BAD_USER_INPUT"},
		"empty description":     {agent, "phone", " ", "BAD_USER_INPUT"},
		"a technician":          {api.StaffToken(staff.RoleTechnician, 0), "phone", "x", "FORBIDDEN"},
		"an owner":              {api.OwnerToken(0), "phone", "x", "FORBIDDEN"},
		"an owner of no store":  {api.StaffToken(staff.RoleCareAgent, 1), "phone", "x", "FORBIDDEN"},
	} {
		if r := api.Do(c.tok, log, map[string]any{"o": owner, "src": c.src, "d": c.desc}); r.Code() != c.code {
			t.Errorf("%s: %+v, want %s", name, r.Errors, c.code)
		}
	}
	if n := api.Client.Complaint.Query().CountX(apitest.SystemCtx()); n != 1 {
		t.Fatalf("%d complaints, want 1", n)
	}
}

// as runs domain calls as a demo staff member of store 1.
func as(api *apitest.API, role staff.Role) context.Context {
	s := api.Staff(role, 0)
	v := &auth.Viewer{Kind: auth.KindStaff, StaffID: s.ID, Role: auth.Role(role), DealerGroupID: s.DealerGroupID}
	if role != staff.RoleGroupAdmin {
		v.DealershipID = *s.DealershipID
	}
	return auth.NewContext(context.Background(), v)
}

// inStatus opens a complaint at t0 and walks it to status, each step at t0.
func inStatus(t *testing.T, api *apitest.API, status complaint.Status, t0 time.Time) *ent.Complaint {
	t.Helper()
	path := []struct {
		role staff.Role
		to   complaint.Status
	}{{staff.RoleCareManager, complaints.Planned}, {staff.RoleGeneralManager, complaints.Approved},
		{staff.RoleAdvisor, complaints.Handled}, {staff.RoleCareAgent, complaints.Confirmed}, {staff.RoleCareManager, complaints.Closed}}
	cp, err := complaints.Open(as(api, staff.RoleCareAgent), api.Client, complaints.New{StoreID: api.Demo.Stores[0].ID,
		OwnerID: api.Demo.Owners[0].ID, Source: complaint.SourcePhone, Category: complaint.CategoryOther,
		Severity: complaint.SeverityMedium, Description: "rattle"}, t0)
	for _, p := range path {
		if err != nil || cp.Status == status {
			break
		}
		cp, err = complaints.Advance(as(api, p.role), api.Client, cp.ID, p.to, "done", t0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// Every step's deadline escalates when missed, once per level, up to the
// group admin, on a controllable clock; closed complaints never escalate.
func TestEveryDeadlineEscalates(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{})
			ctx := context.Background()
			t0 := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
			for _, tc := range []struct {
				status complaint.Status
				after  time.Duration
			}{
				{complaints.Logged, 2 * time.Hour}, {complaints.Planned, 2 * time.Hour}, {complaints.Approved, 12 * time.Hour},
				{complaints.Handled, 6 * time.Hour}, {complaints.Confirmed, 2 * time.Hour},
			} {
				cp := inStatus(t, api, tc.status, t0)
				run := func(at time.Time) int {
					n, err := complaints.EscalateOverdue(ctx, api.Client, at)
					if err != nil {
						t.Fatal(err)
					}
					return n
				}
				due := t0.Add(tc.after)
				if n := run(due.Add(-time.Second)); n != 0 {
					t.Fatalf("%s: %d escalated before the deadline", tc.status, n)
				}
				if n := run(due); n != 1 {
					t.Fatalf("%s: %d escalated at the deadline, want 1", tc.status, n)
				}
				if n := run(due.Add(time.Minute)); n != 0 {
					t.Fatalf("%s: escalated twice at level 1 (%d)", tc.status, n)
				}
				if n := run(due.Add(4 * time.Hour)); n != 1 {
					t.Fatalf("%s: level 2 after 4 more hours: %d", tc.status, n)
				}
				if n := run(due.Add(5 * time.Hour)); n != 0 {
					t.Fatalf("%s: escalated past the group admin (%d)", tc.status, n)
				}
				got := api.Client.Complaint.GetX(apitest.SystemCtx(), cp.ID)
				esc := api.Client.ComplaintStep.Query().Where(complaintstep.ComplaintID(cp.ID), complaintstep.ActionEQ(complaintstep.ActionEscalated)).CountX(apitest.SystemCtx())
				if got.EscalationLevel != 2 || esc != 2 || got.Status != tc.status {
					t.Fatalf("%s: level %d with %d escalation steps", tc.status, got.EscalationLevel, esc)
				}
				// Moving on starts the next step's clock afresh.
				if tc.status == complaints.Logged {
					moved, err := complaints.Advance(as(api, staff.RoleCareManager), api.Client, cp.ID, complaints.Planned, "late plan", due.Add(50*time.Hour))
					if err != nil || moved.EscalationLevel != 0 || !moved.DueAt.Equal(due.Add(52*time.Hour)) {
						t.Fatalf("after a late move: %+v %v", moved, err)
					}
					if n := run(due.Add(51 * time.Hour)); n != 0 {
						t.Fatalf("the new step escalated early (%d)", n)
					}
					if n := run(due.Add(52 * time.Hour)); n != 1 {
						t.Fatalf("the new step's deadline: %d", n)
					}
					if n := run(due.Add(56 * time.Hour)); n != 1 {
						t.Fatalf("the new step's second level: %d", n)
					}
				}
			}
			closed := inStatus(t, api, complaints.Closed, t0)
			if n, _ := complaints.EscalateOverdue(ctx, api.Client, t0.Add(1000*time.Hour)); n != 0 {
				t.Fatalf("%d escalated with only closed or top-level complaints left", n)
			}
			if c := api.Client.Complaint.GetX(apitest.SystemCtx(), closed.ID); c.EscalationLevel != 0 {
				t.Fatalf("a closed complaint escalated: %+v", c)
			}
		})
	}
}

// Instances running the sweep at once escalate each complaint once.
func TestConcurrentEscalationIsOnce(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{})
			t0 := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
			const complaintsN, runners = 10, 6
			for i := 0; i < complaintsN; i++ {
				inStatus(t, api, complaints.Approved, t0)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			total := 0
			for i := 0; i < runners; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := complaints.EscalateOverdue(context.Background(), api.Client, t0.Add(13*time.Hour))
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}()
			}
			wg.Wait()
			steps := api.Client.ComplaintStep.Query().Where(complaintstep.ActionEQ(complaintstep.ActionEscalated)).CountX(apitest.SystemCtx())
			if total != complaintsN || steps != complaintsN {
				t.Fatalf("%d escalations reported, %d recorded; want %d", total, steps, complaintsN)
			}
		})
	}
}

func TestComplaintAboutAnotherOwnersVisitIsRefused(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	ctx := apitest.SystemCtx()
	wo := api.Client.WorkOrder.Query().FirstX(ctx)
	other := api.Demo.Owners[0].ID
	if wo.OwnerID == other {
		other = api.Demo.Owners[1].ID
	}
	_, err := complaints.Open(ctx, api.Client, complaints.New{StoreID: wo.DealershipID, OwnerID: other, WorkOrderID: &wo.ID,
		Source: complaint.SourcePhone, Category: complaint.CategoryOther, Severity: complaint.SeverityLow, Description: "x"}, time.Now())
	if e, ok := apperr.As(err); !ok || e.Field != "workOrderID" {
		t.Fatalf("got %v, want BAD_USER_INPUT on workOrderID", err)
	}
	if n := api.Client.Complaint.Query().CountX(ctx); n != 0 {
		t.Fatalf("%d complaints stored", n)
	}
}

func TestOwnersComplainToTheirOwnStores(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	ctx := apitest.SystemCtx()
	home, other := api.Demo.Stores[0], api.Demo.Stores[1]
	o := api.Client.Owner.Create().SetDealerGroupID(home.DealerGroupID).SetHomeDealershipID(home.ID).
		SetName("New customer").SaveX(ctx)
	own := auth.NewContext(context.Background(), &auth.Viewer{Kind: auth.KindOwner, OwnerID: o.ID, DealerGroupID: home.DealerGroupID})
	n := complaints.New{StoreID: other.ID, OwnerID: o.ID, Source: complaint.SourceApp, Category: complaint.CategoryOther,
		Severity: complaint.SeverityMedium, Description: "never been there"}
	if _, err := complaints.Open(own, api.Client, n, time.Now()); err == nil {
		t.Fatal("a complaint to a store that never served the owner")
	} else if e, ok := apperr.As(err); !ok || e.Field != "dealershipID" {
		t.Fatalf("got %v, want BAD_USER_INPUT on dealershipID", err)
	}
	n.StoreID = home.ID
	if _, err := complaints.Open(own, api.Client, n, time.Now()); err != nil {
		t.Fatalf("a complaint to the home store: %v", err)
	}
}
