package survey_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/complaint"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/staff"
	"aftercare/ent/surveyinvitation"
	"aftercare/ent/surveyresponse"
	"aftercare/ent/surveytemplate"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

// readyOrder is a work order of the i-th demo owner at their home store,
// ready for pick-up.
func readyOrder(t *testing.T, api *apitest.API, i int) *ent.WorkOrder {
	ctx := apitest.SystemCtx()
	o := api.Demo.Owners[i]
	v := api.Client.Owner.QueryVehicles(o).FirstX(ctx)
	wo := api.Client.WorkOrder.Create().SetNumber(fmt.Sprintf("WO-SV-%d-%d", i, time.Now().UnixNano())).
		SetDealershipID(*o.HomeDealershipID).SetVehicleID(v.ID).SetOwnerID(o.ID).
		SetStatus(workorder.StatusReadyForPickup).SetOdometerInKm(v.OdometerKm).SetLastEventSeq(1).
		SetAdvisorID(api.Staff(staff.RoleAdvisor, storeIndex(api, *o.HomeDealershipID)).ID).
		SetCheckIn(schematype.CheckIn{FaultConfirmed: true, WorkConfirmed: true, PromisedTimeConfirmed: true}).SaveX(ctx)
	api.Client.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(1).SetToStatus(workorderevent.ToStatusReadyForPickup).
		SetActorKind(workorderevent.ActorKindSystem).ExecX(ctx)
	return wo
}

func storeIndex(api *apitest.API, id int) int {
	if api.Demo.Stores[0].ID == id {
		return 0
	}
	return 1
}

// deliver hands the car back through the API, which invites the owner.
func deliver(t *testing.T, api *apitest.API, wo *ent.WorkOrder) *ent.SurveyInvitation {
	t.Helper()
	res := api.Do(api.StaffToken(staff.RoleAdvisor, storeIndex(api, wo.DealershipID)),
		`mutation($id: ID!, $km: Int!) { deliverWorkOrder(input: {workOrderID: $id, odometerKm: $km, labourCents: 0, partsCents: 0}) { status } }`,
		map[string]any{"id": strconv.Itoa(wo.ID), "km": wo.OdometerInKm + 5})
	if res.Errors != nil {
		t.Fatalf("deliver: %+v", res.Errors)
	}
	return api.Client.SurveyInvitation.Query().Where(surveyinvitation.WorkOrderID(wo.ID)).OnlyX(apitest.SystemCtx())
}

// serviceAnswers answers every indicator of the seeded service survey with
// the same score.
func serviceAnswers(score int, text string) []map[string]any {
	var out []map[string]any
	for _, key := range []string{"booking_ease", "timely_reception", "advisor_courtesy", "advisor_explanation",
		"lounge_comfort", "cleanliness", "ready_on_time", "invoice_clear", "fixed_first_time", "car_clean"} {
		out = append(out, map[string]any{"key": key, "score": score})
	}
	if text != "" {
		out = append(out, map[string]any{"key": "text_1", "text": text})
	}
	return out
}

const submitByToken = `mutation($t: String, $a: [SurveyAnswerInput!]!) { submitSurvey(token: $t, answers: $a) { indexScore topBox } }`
const submitByID = `mutation($id: ID, $a: [SurveyAnswerInput!]!) { submitSurvey(invitationID: $id, answers: $a) { indexScore topBox } }`

func pendingPushes(api *apitest.API, inv *ent.SurveyInvitation) []*ent.OutboxMessage {
	return api.Client.OutboxMessage.Query().Where(outboxmessage.WorkOrderID(*inv.WorkOrderID),
		outboxmessage.KindIn("survey_invitation", "survey_reminder"), outboxmessage.StatusEQ(outboxmessage.StatusPending)).
		AllX(apitest.SystemCtx())
}

func TestInvitationLinkAnswersOnceAndKeepsItsVersion(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{})
			ctx := apitest.SystemCtx()
			before := time.Now()
			inv := deliver(t, api, readyOrder(t, api, 0))
			v1 := api.Client.SurveyTemplate.GetX(ctx, inv.TemplateID)
			if v1.Kind != surveytemplate.KindService || v1.Version != 1 || inv.Status != surveyinvitation.StatusPending {
				t.Fatalf("invitation %+v to template %+v", inv, v1)
			}
			// The push next day, then two reminders: no more.
			msgs := pendingPushes(api, inv)
			if len(msgs) != 3 {
				t.Fatalf("%d survey pushes planned, want the invitation and 2 reminders", len(msgs))
			}
			for _, m := range msgs {
				if m.SendAfter.Before(before.Add(23*time.Hour)) || m.Data["surveyInvitationId"] != strconv.Itoa(inv.ID) {
					t.Fatalf("push %s due %v with data %v", m.Kind, m.SendAfter, m.Data)
				}
			}
			// The owner reads the link token; nobody else does.
			q := `{ surveyInvitations { edges { node { id status token } } } }`
			var mine struct {
				SurveyInvitations struct {
					Edges []struct {
						Node struct{ ID, Status, Token string }
					}
				}
			}
			api.Do(api.OwnerToken(0), q, nil).Decode(t, &mine)
			if len(mine.SurveyInvitations.Edges) != 1 || mine.SurveyInvitations.Edges[0].Node.Token == "" {
				t.Fatalf("owner's invitations %+v", mine)
			}
			token := mine.SurveyInvitations.Edges[0].Node.Token
			if r := api.Do(api.StaffToken(staff.RoleCareAgent, 0), q, nil); r.Errors != nil || strings.Contains(string(r.Data), token) {
				t.Fatalf("staff read the link token: %s %+v", r.Data, r.Errors)
			}
			if r := api.Do(api.OwnerToken(1), `{ surveyInvitations { totalCount } }`, nil); string(r.Data) != `{"surveyInvitations":{"totalCount":0}}` {
				t.Fatalf("another owner sees the invitation: %s", r.Data)
			}
			// A new version is published after the invitation went out.
			pub := api.Do(api.StaffToken(staff.RoleGroupAdmin, 0), `mutation { publishSurveyTemplate(input: {name: "Service satisfaction", kind: service, scaleMax: 7,
				aspects: [{key: "overall", title: "Overall", weight: 100, indicators: [{key: "overall_rating", title: "Overall", weight: 100}]}]}) { version active } }`, nil)
			if pub.Errors != nil || string(pub.Data) != `{"publishSurveyTemplate":{"version":2,"active":true}}` {
				t.Fatalf("publish v2: %s %+v", pub.Data, pub.Errors)
			}
			// Without signing in, the link opens the pinned version 1.
			var form struct {
				SurveyByToken struct {
					Answered bool
					Template struct{ Version, ScaleMax int }
				}
			}
			api.Do("", `query($t: String!) { surveyByToken(token: $t) { answered template { version scaleMax } } }`, map[string]any{"t": token}).Decode(t, &form)
			if form.SurveyByToken.Template.Version != 1 || form.SurveyByToken.Template.ScaleMax != 10 || form.SurveyByToken.Answered {
				t.Fatalf("form %+v", form)
			}
			// Bad answers change nothing.
			if r := api.Do("", submitByToken, map[string]any{"t": token, "a": serviceAnswers(11, "")}); r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("score 11: %+v", r.Errors)
			}
			if r := api.Do("", submitByToken, map[string]any{"t": token + "x", "a": serviceAnswers(9, "")}); r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("forged token: %+v", r.Errors)
			}
			if n := api.Client.SurveyResponse.Query().CountX(ctx); n != 0 || len(pendingPushes(api, inv)) != 3 {
				t.Fatalf("refused answers left %d responses", n)
			}
			var got struct {
				SubmitSurvey struct {
					IndexScore float64
					TopBox     bool
				}
			}
			api.Do("", submitByToken, map[string]any{"t": token, "a": serviceAnswers(9, "Quick and friendly")}).Decode(t, &got)
			if got.SubmitSurvey.IndexScore != 88.89 || !got.SubmitSurvey.TopBox {
				t.Fatalf("scored %+v", got)
			}
			resp := api.Client.SurveyResponse.Query().Where(surveyresponse.InvitationID(inv.ID)).OnlyX(ctx)
			if resp.TemplateID != v1.ID || resp.AdvisorID == nil {
				t.Fatalf("response answered template %d (want version 1, %d), advisor %v", resp.TemplateID, v1.ID, resp.AdvisorID)
			}
			if n := len(pendingPushes(api, inv)); n != 0 {
				t.Fatalf("%d reminders still pending after the answer", n)
			}
			// Once only, by link or signed in.
			if r := api.Do("", submitByToken, map[string]any{"t": token, "a": serviceAnswers(9, "")}); r.Code() != "CONFLICT" {
				t.Fatalf("second answer by link: %+v", r.Errors)
			}
			if r := api.Do(api.OwnerToken(0), submitByID, map[string]any{"id": strconv.Itoa(inv.ID), "a": serviceAnswers(9, "")}); r.Code() != "CONFLICT" {
				t.Fatalf("second answer signed in: %+v", r.Errors)
			}
			if api.Client.Complaint.Query().CountX(ctx) != 0 {
				t.Fatal("a satisfied answer opened a complaint")
			}
		})
	}
}

func TestExpiredInvitationCannotBeAnswered(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	ctx := apitest.SystemCtx()
	inv := deliver(t, api, readyOrder(t, api, 0))
	var mine struct {
		SurveyInvitations struct {
			Edges []struct{ Node struct{ Token string } }
		}
	}
	api.Do(api.OwnerToken(0), `{ surveyInvitations { edges { node { token } } } }`, nil).Decode(t, &mine)
	// Another owner cannot answer by id.
	if r := api.Do(api.OwnerToken(1), submitByID, map[string]any{"id": strconv.Itoa(inv.ID), "a": serviceAnswers(9, "")}); r.Code() != "NOT_FOUND" {
		t.Fatalf("another owner's answer: %+v", r.Errors)
	}
	if r := api.Do(api.StaffToken(staff.RoleAdvisor, 0), submitByID, map[string]any{"id": strconv.Itoa(inv.ID), "a": serviceAnswers(9, "")}); r.Code() != "FORBIDDEN" {
		t.Fatalf("staff answering: %+v", r.Errors)
	}
	// The invitation lapses: a token minted for a past expiry and the
	// signed-in owner are both refused.
	past := time.Now().Add(-time.Minute)
	old := api.Client.SurveyInvitation.Create().SetTemplateID(inv.TemplateID).SetOwnerID(inv.OwnerID).
		SetDealershipID(inv.DealershipID).SetInvitedAt(past.Add(-7 * 24 * time.Hour)).SetExpiresAt(past).SaveX(ctx)
	if r := api.Do(api.OwnerToken(0), submitByID, map[string]any{"id": strconv.Itoa(old.ID), "a": serviceAnswers(9, "")}); r.Code() != "CONFLICT" {
		t.Fatalf("expired, signed in: %+v", r.Errors)
	}
	var all struct {
		SurveyInvitations struct {
			Edges []struct{ Node struct{ ID, Token string } }
		}
	}
	api.Do(api.OwnerToken(0), `{ surveyInvitations { edges { node { id token } } } }`, nil).Decode(t, &all)
	for _, e := range all.SurveyInvitations.Edges {
		if e.Node.ID == strconv.Itoa(old.ID) {
			if r := api.Do("", submitByToken, map[string]any{"t": e.Node.Token, "a": serviceAnswers(9, "")}); r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("expired link: %+v", r.Errors)
			}
			if r := api.Do("", `query($t: String!) { surveyByToken(token: $t) { answered } }`, map[string]any{"t": e.Node.Token}); r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("expired link opened: %+v", r.Errors)
			}
		}
	}
	if api.Client.SurveyResponse.Query().CountX(ctx) != 0 {
		t.Fatal("a refused answer was stored")
	}
}

// A dissatisfied answer opens its complaint and a call in the same
// transaction: if the complaint cannot be written, the answer is not
// stored either.
func TestHotAlertOpensComplaintAtomically(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{})
			ctx := apitest.SystemCtx()
			var fail atomic.Bool
			api.Client.Complaint.Use(func(next ent.Mutator) ent.Mutator {
				return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
					if fail.Load() && m.Op().Is(ent.OpCreate) {
						return nil, fmt.Errorf("complaints are down")
					}
					return next.Mutate(ctx, m)
				})
			})
			inv := deliver(t, api, readyOrder(t, api, 0))
			fail.Store(true)
			if r := api.Do(api.OwnerToken(0), submitByID, map[string]any{"id": strconv.Itoa(inv.ID), "a": serviceAnswers(2, "")}); r.Code() != "INTERNAL" {
				t.Fatalf("answer with complaints down: %+v", r.Errors)
			}
			if n := api.Client.SurveyResponse.Query().CountX(ctx); n != 0 || api.Client.SurveyInvitation.GetX(ctx, inv.ID).Status != surveyinvitation.StatusPending ||
				len(pendingPushes(api, inv)) != 3 {
				t.Fatalf("a half-done hot alert: %d responses", n)
			}
			fail.Store(false)
			var got struct{ SubmitSurvey struct{ IndexScore float64 } }
			api.Do(api.OwnerToken(0), submitByID, map[string]any{"id": strconv.Itoa(inv.ID), "a": serviceAnswers(2, "Car came back dirty")}).Decode(t, &got)
			resp := api.Client.SurveyResponse.Query().OnlyX(ctx)
			cp := api.Client.Complaint.Query().OnlyX(ctx)
			if cp.SurveyResponseID == nil || *cp.SurveyResponseID != resp.ID || cp.Source != complaint.SourceSurvey ||
				cp.Status != complaint.StatusLogged || cp.Severity != complaint.SeverityHigh || *cp.WorkOrderID != *inv.WorkOrderID ||
				!strings.Contains(cp.Description, "Car came back dirty") {
				t.Fatalf("hot alert complaint %+v", cp)
			}
			if n := api.Client.CareTask.Query().CountX(ctx); n != 1 {
				t.Fatalf("%d care tasks, want the call to the dissatisfied owner", n)
			}
			// The care manager sees the complaint; the owner sees its status.
			var list struct{ Complaints struct{ TotalCount int } }
			api.Do(api.StaffToken(staff.RoleCareManager, 0), `{ complaints(where: {status: logged}) { totalCount } }`, nil).Decode(t, &list)
			if list.Complaints.TotalCount != 1 {
				t.Fatalf("care manager's list: %+v", list)
			}
			api.Do(api.OwnerToken(0), `{ complaints { totalCount } }`, nil).Decode(t, &list)
			if list.Complaints.TotalCount != 1 {
				t.Fatalf("owner's complaints: %+v", list)
			}
		})
	}
}

func TestScoresPerStoreAspectAdvisorAndMonth(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	var scores []int
	for i, s := range []int{10, 10, 9, 10, 3} { // 4 of 5 very satisfied: the 80% target
		wo := readyOrder(t, api, 2*i) // even owners are store 1's
		inv := deliver(t, api, wo)
		scores = append(scores, s)
		ownerIdx := 2 * i
		if r := api.Do(api.OwnerToken(ownerIdx), submitByID, map[string]any{"id": strconv.Itoa(inv.ID), "a": serviceAnswers(s, "")}); r.Errors != nil {
			t.Fatalf("answer %d: %+v", i, r.Errors)
		}
	}
	month := time.Now().In(mustZone(t, api.Demo.Stores[0].TimeZone)).Format("2006-01")
	q := `query($s: ID!, $m: String!) { surveyScores(dealershipID: $s, month: $m) { responses index topBoxShare target meetsTarget
		aspects { key title responses index } advisors { key responses index } } }`
	var got struct {
		SurveyScores struct {
			Responses                  int
			Index, TopBoxShare, Target float64
			MeetsTarget                bool
			Aspects                    []struct {
				Key, Title string
				Responses  int
				Index      float64
			}
			Advisors []struct {
				Key       string
				Responses int
				Index     float64
			}
		}
	}
	store1 := strconv.Itoa(api.Demo.Stores[0].ID)
	api.Do(api.StaffToken(staff.RoleServiceManager, 0), q, map[string]any{"s": store1, "m": month}).Decode(t, &got)
	s := got.SurveyScores
	// (100 + 100 + 88.89 + 100 + 22.22) / 5 = 82.22
	if s.Responses != 5 || s.Index != 82.22 || s.TopBoxShare != 0.8 || s.Target != 0.8 || !s.MeetsTarget {
		t.Fatalf("scores %+v (answers %v)", s, scores)
	}
	if len(s.Aspects) != 5 || s.Aspects[0].Key != "initiation" || s.Aspects[0].Title != "Service initiation" || s.Aspects[0].Index != 82.22 {
		t.Fatalf("aspects %+v", s.Aspects)
	}
	if len(s.Advisors) != 1 || s.Advisors[0].Responses != 5 {
		t.Fatalf("advisors %+v", s.Advisors)
	}
	for viewer, tok := range map[string]string{"other store": api.StaffToken(staff.RoleServiceManager, 1), "owner": api.OwnerToken(0)} {
		if r := api.Do(tok, q, map[string]any{"s": store1, "m": month}); r.Code() != "FORBIDDEN" {
			t.Fatalf("%s reads store 1's scores: %+v", viewer, r.Errors)
		}
	}
	if r := api.Do(api.StaffToken(staff.RoleServiceManager, 0), q, map[string]any{"s": store1, "m": "2026/11"}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("bad month: %+v", r.Errors)
	}
	api.Do(api.StaffToken(staff.RoleGroupAdmin, 0), q, map[string]any{"s": store1, "m": "2001-01"}).Decode(t, &got)
	if got.SurveyScores.Responses != 0 || got.SurveyScores.MeetsTarget {
		t.Fatalf("an empty month: %+v", got.SurveyScores)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestPublishValidatesWeights(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	ctx := apitest.SystemCtx()
	before := api.Client.SurveyTemplate.Query().CountX(ctx)
	doc := `mutation($s: ID, $w: Float!) { publishSurveyTemplate(input: {dealershipID: $s, name: "Quick check", kind: service, scaleMax: 10,
		aspects: [{key: "a", title: "A", weight: $w, indicators: [{key: "a1", title: "A1", weight: 100}]},
		          {key: "b", title: "B", weight: 50, indicators: [{key: "b1", title: "B1", weight: 100}]}]}) { version dealershipID } }`
	store1 := strconv.Itoa(api.Demo.Stores[0].ID)
	cm := api.StaffToken(staff.RoleCareManager, 0)
	if r := api.Do(cm, doc, map[string]any{"s": store1, "w": 49.5}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("weights summing to 99.5: %+v", r.Errors)
	}
	if r := api.Do(cm, doc, map[string]any{"w": 50}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("a store's care manager publishing for the group: %+v", r.Errors)
	}
	if r := api.Do(api.StaffToken(staff.RoleAdvisor, 0), doc, map[string]any{"s": store1, "w": 50}); r.Code() != "FORBIDDEN" {
		t.Fatalf("an advisor publishing: %+v", r.Errors)
	}
	if n := api.Client.SurveyTemplate.Query().CountX(ctx); n != before {
		t.Fatalf("refused drafts stored: %d templates, had %d", n, before)
	}
	for want := 1; want <= 2; want++ {
		var got struct{ PublishSurveyTemplate struct{ Version int } }
		api.Do(cm, doc, map[string]any{"s": store1, "w": 50}).Decode(t, &got)
		if got.PublishSurveyTemplate.Version != want {
			t.Fatalf("version %d, want %d", got.PublishSurveyTemplate.Version, want)
		}
	}
	if n := api.Client.SurveyTemplate.Query().Where(surveytemplate.Name("Quick check"), surveytemplate.Active(true)).CountX(ctx); n != 1 {
		t.Fatalf("%d active versions, want 1", n)
	}
	// The store's own survey now goes out after its deliveries.
	inv := deliver(t, api, readyOrder(t, api, 0))
	if tpl := api.Client.SurveyTemplate.GetX(ctx, inv.TemplateID); tpl.Name != "Quick check" || tpl.Version != 2 {
		t.Fatalf("invited to %s v%d", tpl.Name, tpl.Version)
	}
}

// Owners double-tapping "send" on a flaky network, or the link opened on
// two devices: exactly one answer is stored.
func TestConcurrentAnswersStoreOne(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{})
			inv := deliver(t, api, readyOrder(t, api, 0))
			owner := api.OwnerToken(0)
			const n = 8
			codes := make(chan string, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := api.Do(owner, submitByID, map[string]any{"id": strconv.Itoa(inv.ID), "a": serviceAnswers(2, "")})
					codes <- r.Code()
				}()
			}
			wg.Wait()
			close(codes)
			ok, conflicts := 0, 0
			for c := range codes {
				switch c {
				case "":
					ok++
				case "CONFLICT":
					conflicts++
				default:
					t.Errorf("unexpected error code %q", c)
				}
			}
			ctx := apitest.SystemCtx()
			if ok != 1 || conflicts != n-1 || api.Client.SurveyResponse.Query().CountX(ctx) != 1 || api.Client.Complaint.Query().CountX(ctx) != 1 {
				t.Fatalf("%d answers accepted, %d conflicts; want 1 and %d, with one response and one complaint", ok, conflicts, n-1)
			}
		})
	}
}
