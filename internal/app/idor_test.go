package app_test

import (
	"aftercare/ent/complaint"
	"aftercare/ent/complaintstep"
	"aftercare/ent/pointentry"
	"aftercare/ent/reminder"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/auditentry"
	"aftercare/ent/caretask"
	"aftercare/ent/contactattempt"
	"aftercare/ent/device"
	"aftercare/ent/inspectionitem"
	"aftercare/ent/migrate"
	"aftercare/ent/photo"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/staff"
	"aftercare/graph"
	"aftercare/internal/apitest"
	"aftercare/internal/seed"
	"aftercare/internal/testenv"

	"github.com/vektah/gqlparser/v2/ast"
)

// Guessed global ids (IDOR) against the running server. A second dealer
// group, the victim, gets a row of every entity type; every viewer of the
// demo group then asks for the victim's rows, their neighbouring ids and
// the start of every type's id range through node, nodes and every
// mutation that takes an id. Nothing may come back and nothing may change.
// The entity types are read from ent's migration schema, so a new entity
// without a victim row fails the test.
func TestGuessedIDsRevealNothing(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{Owners: 6})
			f := newFixture(t, api)
			for _, v := range allViewers {
				f.do(v, `{ me { kind } }`, nil) // the first sign-in links the account
			}
			mine := idsByTable(t, api)
			victim := addVictimGroup(t, api)
			probes := probeIDs(t, api, mine, victim)
			before := snapshot(t, api)
			codes := map[string]int{}
			for _, viewer := range allViewers {
				probeNodes(t, f, viewer, probes, codes)
				probeMutations(t, f, viewer, victim, codes)
			}
			if after := snapshot(t, api); after != before {
				t.Fatalf("the probes changed data:\nbefore %s\nafter  %s", before, after)
			}
			t.Logf("%d probe ids over %d types, %d viewers; refusals by code: %v", len(probes), len(victim), len(allViewers), codes)
		})
	}
}

// idsByTable reads every row id of every table, as the database holds them.
func idsByTable(t *testing.T, api *apitest.API) map[string][]int {
	t.Helper()
	out := map[string][]int{}
	for _, tbl := range migrate.Tables {
		rows, err := api.App.DB.SQL.Query("SELECT id FROM " + tbl.Name + " ORDER BY id")
		if err != nil {
			t.Fatalf("ids of %s: %v", tbl.Name, err)
		}
		for rows.Next() {
			var id int
			_ = rows.Scan(&id)
			out[tbl.Name] = append(out[tbl.Name], id)
		}
		rows.Close()
	}
	return out
}

// addVictimGroup seeds a second group and gives it at least one row of
// every table; it returns the victim's ids by table.
func addVictimGroup(t *testing.T, api *apitest.API) map[string][]int {
	t.Helper()
	before := idsByTable(t, api)
	ctx := apitest.SystemCtx()
	demo, err := seed.Run(ctx, api.Client, seed.Options{Owners: 4, Now: time.Now()})
	if err != nil {
		t.Fatalf("seed the victim group: %v", err)
	}
	if err := addVictimRows(ctx, api.Client, demo); err != nil {
		t.Fatalf("victim rows: %v", err)
	}
	after := idsByTable(t, api)
	victim := map[string][]int{}
	var missing []string
	for _, tbl := range migrate.Tables {
		for _, id := range after[tbl.Name] {
			if !slices.Contains(before[tbl.Name], id) {
				victim[tbl.Name] = append(victim[tbl.Name], id)
			}
		}
		if len(victim[tbl.Name]) == 0 {
			missing = append(missing, tbl.Name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the victim group has no row in %v: add one to addVictimRows", missing)
	}
	return victim
}

// addVictimRows adds the rows the demo seed does not make.
func addVictimRows(ctx context.Context, c *ent.Client, demo *seed.Demo) error {
	store, owner := demo.Stores[0], demo.Owners[0]
	adv := demo.Staff[0]
	for _, s := range demo.Staff {
		if s.Role == staff.RoleAdvisor {
			adv = s
		}
	}
	wo, err := c.WorkOrder.Query().Order(ent.Desc("id")).First(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	if _, err := c.VehicleOwnership.Create().SetVehicleID(wo.VehicleID).SetOwnerID(wo.OwnerID).SetStartedAt(now).Save(ctx); err != nil {
		return fmt.Errorf("vehicle ownership: %w", err)
	}
	item, err := c.InspectionItem.Create().SetWorkOrderID(wo.ID).SetName("brake pads").SetRating(inspectionitem.RatingOk).Save(ctx)
	if err != nil {
		return fmt.Errorf("inspection item: %w", err)
	}
	if _, err := c.Photo.Create().SetWorkOrderID(wo.ID).SetInspectionItemID(item.ID).SetKind(photo.KindInspection).
		SetContentType("image/png").SetSizeBytes(int64(len(apitest.PNG))).SetBlobKey("victim/photo.png").SetTakenByStaffID(adv.ID).Save(ctx); err != nil {
		return fmt.Errorf("photo: %w", err)
	}
	if _, err := c.Device.Create().SetOwnerID(owner.ID).SetToken("victim-device-token").SetPlatform(device.PlatformIos).SetLastSeenAt(now).Save(ctx); err != nil {
		return fmt.Errorf("device: %w", err)
	}
	msg, err := c.OutboxMessage.Create().SetOwnerID(owner.ID).SetDealershipID(store.ID).SetKind("booking_confirmed").
		SetDedupeKey("victim:1").SetTitle("t").SetBody("b").SetSendAfter(now).Save(ctx)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	task, err := c.CareTask.Create().SetOwnerID(owner.ID).SetDealershipID(store.ID).SetChannel(caretask.ChannelPhone).
		SetReason("push failed").SetOutboxMessageID(msg.ID).SetDueAt(now).Save(ctx)
	if err != nil {
		return fmt.Errorf("care task: %w", err)
	}
	if _, err := c.ContactAttempt.Create().SetCareTaskID(task.ID).SetStaffID(adv.ID).SetAt(now).SetOutcome(contactattempt.OutcomeBusy).Save(ctx); err != nil {
		return fmt.Errorf("contact attempt: %w", err)
	}
	if _, err := c.AuditEntry.Create().SetAt(now).SetActorKind(auditentry.ActorKindStaff).SetActorStaffID(adv.ID).
		SetDealerGroupID(demo.Group.ID).SetDealershipID(store.ID).SetOwnerID(owner.ID).SetAction(auditentry.ActionUpdate).
		SetFields([]string{"phone"}).SetRequestID("victim").Save(ctx); err != nil {
		return fmt.Errorf("audit entry: %w", err)
	}
	if _, err := c.WidgetKey.Create().SetDealershipID(store.ID).SetName("victim").SetPrefix("wk_victim").SetKeyHash("victimhash").
		SetAllowedOrigins([]string{"https://victim.example"}).Save(ctx); err != nil {
		return fmt.Errorf("widget key: %w", err)
	}
	tmpl, err := c.SurveyTemplate.Query().Order(ent.Desc("id")).First(ctx)
	if err != nil {
		return err
	}
	score := 9
	if _, err := c.SurveyResponse.Create().SetTemplateID(tmpl.ID).SetOwnerID(wo.OwnerID).SetDealershipID(wo.DealershipID).SetWorkOrderID(wo.ID).
		SetAnswers([]schematype.SurveyAnswer{{Key: "nps", Score: &score}}).SetIndexScore(90).SetTopBox(true).SetSubmittedAt(now).Save(ctx); err != nil {
		return fmt.Errorf("survey response: %w", err)
	}
	if _, err := c.SurveyInvitation.Create().SetTemplateID(tmpl.ID).SetOwnerID(wo.OwnerID).SetDealershipID(wo.DealershipID).
		SetInvitedAt(now).SetExpiresAt(now.Add(time.Hour)).Save(ctx); err != nil {
		return fmt.Errorf("survey invitation: %w", err)
	}
	cp, err := c.Complaint.Create().SetDealershipID(store.ID).SetOwnerID(owner.ID).SetSource(complaint.SourcePhone).
		SetCategory(complaint.CategoryOther).SetSeverity(complaint.SeverityLow).SetDescription("victim").SetDueAt(now).Save(ctx)
	if err != nil {
		return fmt.Errorf("complaint: %w", err)
	}
	if _, err := c.ComplaintStep.Create().SetComplaintID(cp.ID).SetAction(complaintstep.ActionEscalated).
		SetToStatus(complaintstep.ToStatusLogged).SetActorKind(complaintstep.ActorKindSystem).SetAt(now).Save(ctx); err != nil {
		return fmt.Errorf("complaint step: %w", err)
	}
	if _, err := c.Reminder.Create().SetOwnerID(owner.ID).SetDealershipID(store.ID).SetKind(reminder.KindBirthday).
		SetCycle("birthday:victim").SetDedupeKey("victim:birthday").SetCategory(reminder.CategoryMarketing).SetSendAt(now).Save(ctx); err != nil {
		return fmt.Errorf("reminder: %w", err)
	}
	if _, err := c.PointEntry.Create().SetOwnerID(owner.ID).SetSeq(1).SetDealershipID(store.ID).SetKind(pointentry.KindEarnVisit).
		SetPoints(100).SetBalance(100).SetWorkOrderID(wo.ID).SetIdempotencyKey("victim:visit").Save(ctx); err != nil {
		return fmt.Errorf("point entry: %w", err)
	}
	if _, err := c.ReminderCheck.Create().SetVehicleID(wo.VehicleID).SetNextAt(now).Save(ctx); err != nil {
		return fmt.Errorf("reminder check: %w", err)
	}
	if _, err := c.JobLease.Create().SetName("victim_job").Save(ctx); err != nil {
		return fmt.Errorf("job lease: %w", err)
	}
	return nil
}

// probeIDs are the victim's rows (first, middle, last), their neighbours,
// the first id of every type's range and one past each table's last row,
// leaving out the ids of the demo group's own rows.
func probeIDs(t *testing.T, api *apitest.API, mine, victim map[string][]int) []int {
	all := idsByTable(t, api)
	set := map[int]bool{}
	for tbl, ids := range victim {
		for _, id := range []int{ids[0], ids[len(ids)/2], ids[len(ids)-1]} {
			set[id-1], set[id], set[id+1] = true, true, true
		}
		set[ids[0]&^(1<<32-1)] = true
		set[all[tbl][len(all[tbl])-1]+1] = true
	}
	for _, ids := range mine {
		for _, id := range ids {
			delete(set, id)
		}
	}
	out := make([]int, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Ints(out)
	return out
}

// probeNodes asks node(id:) for each probe (aliased, one request per 50)
// and nodes(ids:) for all: every answer must be null.
func probeNodes(t *testing.T, f *fixture, viewer string, probes []int, codes map[string]int) {
	t.Helper()
	for chunk := range slices.Chunk(probes, 50) {
		var sels []string
		for _, id := range chunk {
			sels = append(sels, fmt.Sprintf("n%d: node(id: \"%d\") { id __typename }", id, id))
		}
		res := f.do(viewer, "{ "+strings.Join(sels, " ")+" }", nil)
		expectNothing(t, viewer, "node", res, codes)
	}
	ids := make([]string, len(probes))
	for i, id := range probes {
		ids[i] = fmt.Sprint(id)
	}
	res := f.do(viewer, `query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }`, map[string]any{"ids": ids})
	expectNothing(t, viewer, "nodes", res, codes)
}

// expectNothing fails when the response holds any object: every leaf of
// data must be null (or an empty list).
func expectNothing(t *testing.T, viewer, what string, res *apitest.Response, codes map[string]int) {
	t.Helper()
	for _, e := range res.Errors {
		c, _ := e.Extensions["code"].(string)
		codes[c]++
		if c == "" || c == "INTERNAL" {
			t.Errorf("%s as %s: error %+v", what, viewer, e)
		}
	}
	if s := string(res.Data); strings.Contains(s, `"id"`) || strings.Contains(s, `"__typename"`) {
		t.Errorf("%s as %s: data came back: %.400s", what, viewer, s)
	}
}

// probeMutations calls every mutation that takes an id (as an argument or
// in its input) once per entity type, with a victim row's id in every id
// position, aliased into one request per mutation.
func probeMutations(t *testing.T, f *fixture, viewer string, victim map[string][]int, codes map[string]int) {
	t.Helper()
	s := graph.NewExecutableSchema(&graph.Resolver{}).Schema()
	tables := make([]string, 0, len(victim))
	for tbl := range victim {
		tables = append(tables, tbl)
	}
	sort.Strings(tables)
	for _, m := range s.Mutation.Fields {
		if !takesID(s, m) {
			continue
		}
		var sels []string
		for i, tbl := range tables {
			id := victim[tbl][len(victim[tbl])-1]
			sels = append(sels, fmt.Sprintf("m%d: %s(%s) %s", i, m.Name, args(s, m.Arguments, id), selection(s, m.Type)))
		}
		doc := "mutation { " + strings.Join(sels, " ") + " }"
		var res *apitest.Response
		if slices.ContainsFunc(m.Arguments, func(a *ast.ArgumentDefinition) bool { return a.Type.Name() == "Upload" }) {
			doc = "mutation($file: Upload!) { " + strings.Join(sels, " ") + " }"
			if viewer == wdg1 {
				res = f.do(viewer, doc, map[string]any{"file": nil})
			} else {
				res = f.api.Upload(f.token(viewer), doc, nil, "file", "photo.png", apitest.PNG)
			}
		} else {
			res = f.do(viewer, doc, nil)
		}
		expectNothing(t, viewer, m.Name, res, codes)
		if len(res.Errors) == 0 {
			t.Errorf("%s as %s: no error", m.Name, viewer)
		}
	}
}

func takesID(s *ast.Schema, m *ast.FieldDefinition) bool {
	for _, a := range m.Arguments {
		if a.Type.Name() == "ID" {
			return true
		}
		if in := s.Types[a.Type.Name()]; in != nil && in.Kind == ast.InputObject {
			for _, f := range in.Fields {
				if f.Type.Name() == "ID" {
					return true
				}
			}
		}
	}
	return false
}

// args fills every argument: ids with the probe, the rest with a plain
// value of their type (required input fields only).
func args(s *ast.Schema, defs ast.ArgumentDefinitionList, id int) string {
	var out []string
	for _, a := range defs {
		if v := value(s, a.Type, id, 0); v != "" {
			out = append(out, a.Name+": "+v)
		}
	}
	return strings.Join(out, ", ")
}

func value(s *ast.Schema, typ *ast.Type, id, depth int) string {
	if typ.Elem != nil {
		if v := value(s, typ.Elem, id, depth); v != "" {
			return "[" + v + "]"
		}
		return "[]"
	}
	switch typ.NamedType {
	case "ID":
		return fmt.Sprintf("%q", fmt.Sprint(id))
	case "String":
		return `"probe"`
	case "Int", "Float":
		return "1"
	case "Boolean":
		return "true"
	case "Time":
		return `"2030-01-07T02:00:00Z"`
	case "Date":
		return `"2030-01-07"`
	case "Upload":
		return "$file"
	}
	def := s.Types[typ.NamedType]
	switch {
	case def == nil:
		return ""
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject && depth < 3:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull || f.Type.Name() == "ID" {
				if v := value(s, f.Type, id, depth+1); v != "" {
					fields = append(fields, f.Name+": "+v)
				}
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	return ""
}

// selection asks for the id of an object result (nothing for scalars).
func selection(s *ast.Schema, typ *ast.Type) string {
	def := s.Types[typ.Name()]
	if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum {
		return ""
	}
	if def.Fields.ForName("id") != nil {
		return "{ id __typename }"
	}
	return "{ __typename }"
}
