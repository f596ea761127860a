package care_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"aftercare/ent/caretask"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/dispatch"
	"aftercare/internal/notify"
	"aftercare/internal/outbox"
	"aftercare/internal/testenv"
)

// A service message that cannot be pushed (the owner has no app) lands on
// the store's call list, and the care agent works it down the ladder.
func TestUnreachableOwnerGoesDownTheLadder(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{})
			ctx := apitest.SystemCtx()
			owner := api.Demo.Owners[0]
			noon := func() time.Time { return time.Now().Truncate(24 * time.Hour).Add(4 * time.Hour) } // 12:00 Shanghai
			if err := outbox.Enqueue(ctx, api.Client, outbox.Message{OwnerID: owner.ID, Kind: "first_service",
				DedupeKey: "first-service-0", Title: "First service due", Body: "Book your free first service",
				SendAfter: noon().Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
			dsp := &dispatch.Dispatcher{Client: api.Client, Sender: notify.NewLogSender(slog.New(slog.NewTextHandler(io.Discard, nil))),
				Dialect: api.App.DB.Dialect, Now: noon, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			if _, err := dsp.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if m := api.Client.OutboxMessage.Query().Where(outboxmessage.DedupeKey("first-service-0")).OnlyX(ctx); m.Status != outboxmessage.StatusFailed {
				t.Fatalf("message without a device is %s", m.Status)
			}
			agent := api.StaffToken(staff.RoleCareAgent, 0)
			var list struct {
				CareTasks struct {
					Edges []struct {
						Node struct{ ID, Channel, Status string }
					}
				}
			}
			api.Do(agent, `{ careTasks(where: {status: open}) { edges { node { id channel status } } } }`, nil).Decode(t, &list)
			if len(list.CareTasks.Edges) != 1 || list.CareTasks.Edges[0].Node.Channel != "phone" {
				t.Fatalf("call list %+v, want one phone task", list.CareTasks.Edges)
			}
			task := list.CareTasks.Edges[0].Node.ID
			if r := api.Do(api.StaffToken(staff.RoleTechnician, 0), `{ careTasks { totalCount } }`, nil); r.Errors != nil || string(r.Data) != `{"careTasks":{"totalCount":0}}` {
				t.Fatalf("a technician sees the call list: %s %+v", r.Data, r.Errors)
			}
			log := `mutation($id: ID!, $o: ContactAttemptOutcome!) { logContactAttempt(taskID: $id, outcome: $o) { status failureReason } }`
			var step struct {
				LogContactAttempt struct{ Status, FailureReason string }
			}
			if res := api.Do(agent, log, map[string]any{"id": task, "o": "sent"}); res.Code() != "BAD_USER_INPUT" {
				t.Fatalf("an SMS outcome on a call: %+v", res.Errors)
			}
			for i := 0; i < 3; i++ {
				api.Do(agent, log, map[string]any{"id": task, "o": "no_answer"}).Decode(t, &step)
			}
			if step.LogContactAttempt.Status != "failed" || step.LogContactAttempt.FailureReason == "" {
				t.Fatalf("after 3 calls: %+v", step.LogContactAttempt)
			}
			sms := api.Client.CareTask.Query().Where(caretask.ChannelEQ(caretask.ChannelSms), caretask.StatusEQ(caretask.StatusOpen)).OnlyX(ctx)
			if res := api.Do(agent, log, map[string]any{"id": task, "o": "no_answer"}); res.Code() != "CONFLICT" {
				t.Fatalf("a fourth call on a closed task: %+v", res.Errors)
			}
			api.Do(agent, log, map[string]any{"id": strconv.Itoa(sms.ID), "o": "sent"}).Decode(t, &step)
			if step.LogContactAttempt.Status != "done" {
				t.Fatalf("SMS sent: %+v", step.LogContactAttempt)
			}
		})
	}
}

func TestWrongNumberIsFlaggedNotRetried(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	ctx := apitest.SystemCtx()
	owner := api.Demo.Owners[0]
	api.Client.Owner.UpdateOneID(owner.ID).SetEmail("li.wei@example.com").ExecX(ctx)
	task := api.Client.CareTask.Create().SetOwnerID(owner.ID).SetDealershipID(*owner.HomeDealershipID).
		SetChannel(caretask.ChannelPhone).SetReason("warranty ends").SetDueAt(time.Now()).SaveX(ctx)
	var step struct{ LogContactAttempt struct{ Status string } }
	api.Do(api.StaffToken(staff.RoleCareAgent, 0), `mutation($id: ID!) { logContactAttempt(taskID: $id, outcome: wrong_number, note: "a bakery answered") { status } }`,
		map[string]any{"id": strconv.Itoa(task.ID)}).Decode(t, &step)
	if step.LogContactAttempt.Status != "failed" || !api.Client.Owner.GetX(ctx, owner.ID).PhoneInvalid {
		t.Fatalf("wrong number: task %s, phone flagged %v", step.LogContactAttempt.Status, api.Client.Owner.GetX(ctx, owner.ID).PhoneInvalid)
	}
	if n := api.Client.CareTask.Query().Where(caretask.ChannelEQ(caretask.ChannelEmail)).CountX(ctx); n != 1 {
		t.Fatalf("%d e-mail tasks, want 1", n)
	}
	if n := api.Client.CareTask.Query().Where(caretask.ChannelEQ(caretask.ChannelPhone), caretask.StatusEQ(caretask.StatusOpen)).CountX(ctx); n != 0 {
		t.Fatalf("the wrong number is still on the call list (%d open calls)", n)
	}
}
