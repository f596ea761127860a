package reminder_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"aftercare/ent/caretask"
	entreminder "aftercare/ent/reminder"
	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/reminder"
	"aftercare/internal/testenv"
)

// The owner sees their reminders in the app, opens one, and books: the
// reminder goes sent -> opened -> converted, linked to the booking. Another
// owner cannot touch it.
func TestReminderLifecycleThroughTheAPI(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d, 2)
			ctx := apitest.SystemCtx()
			if _, err := f.sweeper(10).Run(context.Background(), time.Time{}, sweepNow); err != nil {
				t.Fatal(err)
			}
			r := f.api.Client.Reminder.Query().Where(entreminder.VehicleID(f.vehicles[0]), entreminder.KindEQ(entreminder.KindFirstService)).OnlyX(ctx)
			tok, err := f.api.App.OwnerToken(context.Background(), strconv.Itoa(f.owners[0]))
			if err != nil {
				t.Fatal(err)
			}
			other, _ := f.api.App.OwnerToken(context.Background(), strconv.Itoa(f.owners[1]))
			ack := `mutation($id: ID!) { acknowledgeReminder(id: $id) { status openedAt } }`
			vars := map[string]any{"id": strconv.Itoa(r.ID)}
			if res := f.api.Do(tok, ack, vars); res.Code() != "CONFLICT" {
				t.Fatalf("acknowledging an unsent reminder: %s %s", res.Data, res.Code())
			}
			if err := reminder.FollowSent(ctx, f.api.Client, []int{r.ID}, time.Now().Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			var list struct {
				Me struct {
					Owner struct {
						Reminders struct {
							Edges []struct{ Node struct{ Kind, Status string } }
						}
					}
				}
			}
			f.api.Do(tok, `{ me { owner { reminders(orderBy: {field: KIND}) { edges { node { kind status } } } } } }`, nil).Decode(t, &list)
			if e := list.Me.Owner.Reminders.Edges; len(e) != 2 || e[0].Node.Kind != "first_service" || e[0].Node.Status != "sent" {
				t.Fatalf("the owner's reminders: %+v", e)
			}
			if res := f.api.Do(other, ack, vars); res.Code() != "NOT_FOUND" {
				t.Fatalf("another owner acknowledged it: %s", res.Code())
			}
			for range 2 { // again: nothing changes
				if res := f.api.Do(tok, ack, vars); res.Errors != nil {
					t.Fatal(res.Errors)
				}
			}
			if got := f.api.Client.Reminder.GetX(ctx, r.ID); got.Status != entreminder.StatusOpened || got.OpenedAt == nil {
				t.Fatalf("after acknowledging: %s", got.Status)
			}
			appt := book(t, f, tok)
			got := f.api.Client.Reminder.GetX(ctx, r.ID)
			if got.Status != entreminder.StatusConverted || got.AppointmentID == nil || strconv.Itoa(*got.AppointmentID) != appt {
				t.Fatalf("after booking: %s, appointment %v (booked %s)", got.Status, got.AppointmentID, appt)
			}
		})
	}
}

func book(t *testing.T, f *fixture, tok string) string {
	t.Helper()
	day := time.Now().In(shanghai).AddDate(0, 0, 5)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 11, 0, 0, 0, shanghai)
	var out struct{ BookAppointment struct{ ID string } }
	f.api.Do(tok, `mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"dealershipID": strconv.Itoa(f.api.Demo.Stores[0].ID), "vehicleID": strconv.Itoa(f.vehicles[0]), "serviceType": "first_service",
		"startsAt": at, "idempotencyKey": "reminder-conversion-1"}}).Decode(t, &out)
	return out.BookAppointment.ID
}

// A lapsing owner lands on the call list once a month, classified; the
// agent records why they stopped coming and where they went instead.
func TestLapsingOwnersAreClassifiedAndTheirAnswerKept(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d, 1)
			ctx := apitest.SystemCtx()
			s := f.sweeper(10)
			// Delivered 4 January 2027, first service on 1 March, nothing
			// since: 1 September is 184 days later.
			f.api.Client.Vehicle.UpdateOneID(f.vehicles[0]).SetLastServiceDate(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)).
				SetLastServiceKm(2500).SetWarrantyEndDate(time.Date(2030, 1, 3, 0, 0, 0, 0, time.UTC)).ExecX(ctx)
			sept := time.Date(2027, 9, 1, 10, 0, 0, 0, shanghai)
			for range 2 {
				if _, err := s.ClassifyLapses(context.Background(), sept); err != nil {
					t.Fatal(err)
				}
			}
			tasks := f.api.Client.CareTask.Query().Where(caretask.KindEQ(caretask.KindLapse), caretask.OwnerID(f.owners[0])).AllX(ctx)
			if len(tasks) != 1 || tasks[0].LapseClass == nil || *tasks[0].LapseClass != caretask.LapseClassLocalInWarranty ||
				*tasks[0].DaysSinceVisit != 184 || tasks[0].LapseMonth != "2027-09" {
				t.Fatalf("lapse tasks %+v", tasks)
			}
			if _, err := s.ClassifyLapses(context.Background(), sept.AddDate(0, 1, 0)); err != nil {
				t.Fatal(err)
			}
			if n := f.api.Client.CareTask.Query().Where(caretask.KindEQ(caretask.KindLapse)).CountX(ctx); n != 2 {
				t.Fatalf("%d lapse tasks after two months, want one a month", n)
			}
			agent := f.api.StaffToken(staff.RoleCareAgent, 0)
			log := `mutation($id: ID!, $a: CareAnswerInput) { logContactAttempt(taskID: $id, outcome: reached, answer: $a) { status answerReason elsewhereShop elsewherePriceCents } }`
			bad := map[string]any{"id": strconv.Itoa(tasks[0].ID), "a": map[string]any{"reason": "dissatisfied", "elsewhereShop": "Quick Fit"}}
			if res := f.api.Do(agent, log, bad); res.Code() != "BAD_USER_INPUT" {
				t.Fatalf("a shop without serviced_elsewhere: %s", res.Code())
			}
			var out struct {
				LogContactAttempt struct {
					Status, AnswerReason, ElsewhereShop string
					ElsewherePriceCents                 int
				}
			}
			f.api.Do(agent, log, map[string]any{"id": strconv.Itoa(tasks[0].ID), "a": map[string]any{
				"reason": "serviced_elsewhere", "elsewhereShop": "Quick Fit Minhang", "elsewherePriceCents": 38000}}).Decode(t, &out)
			if o := out.LogContactAttempt; o.Status != "done" || o.AnswerReason != "serviced_elsewhere" || o.ElsewhereShop != "Quick Fit Minhang" || o.ElsewherePriceCents != 38000 {
				t.Fatalf("answer recorded as %+v", o)
			}
		})
	}
}

// Holiday greetings go to the store's owners who accepted marketing, once,
// on the day; setGreetingDays refuses a bad date and changes nothing.
func TestHolidayGreetings(t *testing.T) {
	d := testenv.SQLite(t)
	f := newFixture(t, d, 3)
	ctx := apitest.SystemCtx()
	mgr := f.api.StaffToken(staff.RoleGeneralManager, 0)
	set := `mutation($s: ID!, $days: [GreetingDayInput!]!) { setGreetingDays(dealershipID: $s, days: $days) { greetingDays { date name } } }`
	store := strconv.Itoa(f.api.Demo.Stores[0].ID)
	if res := f.api.Do(mgr, set, map[string]any{"s": store, "days": []any{map[string]any{"date": "2027-13-01", "name": "x"}}}); res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("a bad date: %s", res.Code())
	}
	if res := f.api.Do(mgr, set, map[string]any{"s": store, "days": []any{map[string]any{"date": "2027-10-01", "name": "National Day"}}}); res.Errors != nil {
		t.Fatal(res.Errors)
	}
	f.api.Client.Owner.UpdateOneID(f.owners[2]).SetConsentMarketing(false).ExecX(ctx)
	s := f.sweeper(2)
	// Sweeps every 10 minutes around the window's start (a day before the
	// 08:30 opening), then later on: the first run inside the window
	// queues the greetings, the others leave them alone.
	at := func(m time.Month, d, h, mi int) time.Time { return time.Date(2027, m, d, h, mi, 0, 0, shanghai) }
	sep, oct := time.September, time.October
	for _, run := range [][2]time.Time{{at(sep, 29, 9, 50), at(sep, 29, 10, 0)}, {at(sep, 30, 8, 20), at(sep, 30, 8, 30)},
		{at(sep, 30, 8, 30), at(sep, 30, 8, 40)}, {at(sep, 30, 8, 40), at(sep, 30, 8, 50)},
		{at(sep, 30, 23, 50), at(oct, 1, 9, 0)}, {at(oct, 1, 12, 20), at(oct, 1, 12, 30)}} {
		if _, err := s.Run(context.Background(), run[0], run[1]); err != nil {
			t.Fatal(err)
		}
	}
	got := f.api.Client.Reminder.Query().Where(entreminder.KindEQ(entreminder.KindHoliday)).AllX(ctx)
	if len(got) != 2 {
		t.Fatalf("%d greetings, want one for each of the 2 opted-in owners", len(got))
	}
	for _, r := range got {
		if r.OwnerID == f.owners[2] || r.SendAt.In(shanghai).Hour() != 8 || r.ExpiresAt == nil {
			t.Fatalf("greeting %+v", r)
		}
	}
}

// A store sets its own care calendar: its owners are reminded by its
// numbers; a number out of range is refused and changes nothing.
func TestStoreCareCalendar(t *testing.T) {
	d := testenv.SQLite(t)
	f := newFixture(t, d, 2)
	ctx := apitest.SystemCtx()
	mgr := f.api.StaffToken(staff.RoleGeneralManager, 0)
	set := `mutation($s: ID!, $c: CareCalendarInput!) { setCareCalendar(dealershipID: $s, calendar: $c) { careCalendar { firstServiceFromMonths lapseMinDays } } }`
	store := strconv.Itoa(f.api.Demo.Stores[0].ID)
	for _, bad := range []map[string]any{{"firstServiceFromMonths": 0}, {"lapseMinDays": 400, "lapseMaxDays": 300}, {"springCampaignMonth": 13}} {
		if res := f.api.Do(mgr, set, map[string]any{"s": store, "c": bad}); res.Code() != "BAD_USER_INPUT" {
			t.Fatalf("%v: %s", bad, res.Code())
		}
	}
	if cal := f.api.Client.Dealership.GetX(ctx, f.api.Demo.Stores[0].ID).CareCalendar; cal.FirstServiceFromMonths != nil {
		t.Fatalf("a refused calendar was stored: %+v", cal)
	}
	if res := f.api.Do(f.api.StaffToken(staff.RoleAdvisor, 0), set, map[string]any{"s": store, "c": map[string]any{"firstServiceFromMonths": 1}}); res.Code() != "FORBIDDEN" {
		t.Fatalf("an advisor set the calendar: %s", res.Code())
	}
	feb := time.Date(2027, 2, 10, 10, 0, 0, 0, shanghai) // 5 weeks after delivery
	firstServices := func() int {
		return f.api.Client.Reminder.Query().Where(entreminder.VehicleIDIn(f.vehicles...), entreminder.KindEQ(entreminder.KindFirstService)).CountX(ctx)
	}
	if _, err := f.sweeper(10).Run(context.Background(), time.Time{}, feb); err != nil {
		t.Fatal(err)
	}
	if n := firstServices(); n != 0 {
		t.Fatalf("%d first-service reminders 5 weeks after delivery with the default 2 months", n)
	}
	var out struct {
		SetCareCalendar struct {
			CareCalendar struct{ FirstServiceFromMonths int }
		}
	}
	f.api.Do(mgr, set, map[string]any{"s": store, "c": map[string]any{"firstServiceFromMonths": 1}}).Decode(t, &out)
	if out.SetCareCalendar.CareCalendar.FirstServiceFromMonths != 1 {
		t.Fatalf("calendar %+v", out)
	}
	// The change put the store's vehicles back on the agenda.
	if _, err := f.sweeper(10).Run(context.Background(), feb, feb.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := firstServices(); n != 2 {
		t.Fatalf("%d first-service reminders with the store's 1-month window, want 2", n)
	}
}
