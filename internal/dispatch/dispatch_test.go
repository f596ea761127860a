package dispatch_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"aftercare/ent/device"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/vehicle"
	"aftercare/internal/apitest"
	"aftercare/internal/dispatch"
	"aftercare/internal/notify"
	"aftercare/internal/notify/fcmfake"
	"aftercare/internal/outbox"
	"aftercare/internal/reqctx"
	"aftercare/internal/testenv"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// tomorrowAt is a clock reading tomorrow at hh:00 Shanghai time: all the
// messages written today are due by then.
func tomorrowAt(hh int) func() time.Time {
	d := time.Now().In(shanghai).AddDate(0, 0, 1)
	t := time.Date(d.Year(), d.Month(), d.Day(), hh, 0, 0, 0, shanghai)
	return func() time.Time { return t }
}

type rig struct {
	api  *apitest.API
	fcm  *fcmfake.Server
	d    *dispatch.Dispatcher
	tok  string // owner 0's device token
	user string // owner 0's sign-in token
}

func newRig(t *testing.T, d testenv.Dialect) *rig {
	api := apitest.Start(t, d, apitest.Options{})
	fake := fcmfake.New()
	t.Cleanup(fake.Close)
	sender, err := notify.NewFCMSender(context.Background(), notify.FCMConfig{ProjectID: "demo-aftercare"}, fake.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{api: api, fcm: fake, tok: "fcm-token-owner-0-aaaaaaaaaaaaaaaa", user: api.OwnerToken(0),
		d: &dispatch.Dispatcher{Client: api.Client, Sender: sender, Dialect: api.App.DB.Dialect, Now: tomorrowAt(10),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	r.register(t, r.tok)
	return r
}

func (r *rig) register(t *testing.T, token string) {
	res := r.api.Do(r.user, `mutation($t: String!) { registerDevice(token: $t, platform: android, appVersion: "3.2.0") { id } }`, map[string]any{"t": token})
	if res.Errors != nil {
		t.Fatal(res.Errors)
	}
}

// pushedOnceEach checks that owner 0's phone got n different notices,
// each once.
func (r *rig) pushedOnceEach(t *testing.T, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range r.fcm.ReceivedFor(r.tok) {
		seen[m.Message.Notification.Body]++
	}
	for body, k := range seen {
		if k != 1 {
			t.Fatalf("%q pushed %d times", body, k)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d of %d notices pushed", len(seen), n)
	}
}

// book makes owner 0 a booking five days ahead: a confirmation (due now)
// and a day-before reminder (due later) go to the outbox.
func (r *rig) book(t *testing.T, key string) {
	v := r.api.Client.Vehicle.Query().Where(vehicle.OwnerID(r.api.Demo.Owners[0].ID)).FirstIDX(apitest.SystemCtx())
	day := time.Now().In(shanghai).AddDate(0, 0, 5)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 11, 0, 0, 0, shanghai)
	res := r.api.Do(r.user, `mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"dealershipID": strconv.Itoa(r.api.Demo.Stores[0].ID), "vehicleID": strconv.Itoa(v), "serviceType": "inspection",
		"startsAt": at, "idempotencyKey": "dispatch-test-" + key}})
	if res.Errors != nil {
		t.Fatal(res.Errors)
	}
}

func (r *rig) status(t *testing.T, kind string) *outboxmessageRow {
	m := r.api.Client.OutboxMessage.Query().Where(outboxmessage.Kind(kind)).FirstX(apitest.SystemCtx())
	return &outboxmessageRow{Status: string(m.Status), Attempts: m.Attempts, SendAfter: m.SendAfter}
}

type outboxmessageRow struct {
	Status    string
	Attempts  int
	SendAfter time.Time
}

func forEachStore(t *testing.T, fn func(t *testing.T, d testenv.Dialect)) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

func TestBookingConfirmationIsPushedOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, d testenv.Dialect) {
		r := newRig(t, d)
		r.book(t, "once")
		if n, err := r.d.RunOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("first round handled %d (%v), want the confirmation only", n, err)
		}
		got := r.fcm.ReceivedFor(r.tok)
		if len(got) != 1 || got[0].Message.Notification == nil || got[0].Message.Notification.Title != "Booking received" || got[0].Message.Data["link"] == "" {
			t.Fatalf("FCM received %+v", got)
		}
		if s := r.status(t, "booking_confirmed"); s.Status != "sent" {
			t.Fatalf("confirmation is %s", s.Status)
		}
		if n, _ := r.d.RunOnce(context.Background()); n != 0 || len(r.fcm.ReceivedFor(r.tok)) != 1 {
			t.Fatalf("a second round sent again (%d handled)", n)
		}
	})
}

func TestDeadTokensAreForgottenAndFailuresRetried(t *testing.T) {
	forEachStore(t, func(t *testing.T, d testenv.Dialect) {
		r := newRig(t, d)
		dead := "fcm-token-owner-0-dead-bbbbbbbbbbbbb"
		r.register(t, dead)
		r.fcm.FailToken(dead, fcmfake.Unregistered())
		r.fcm.FailToken(r.tok, fcmfake.Internal())
		r.book(t, "retry")
		if _, err := r.d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := r.api.Client.Device.Query().Where(device.Token(dead)).CountX(apitest.SystemCtx()); n != 0 {
			t.Fatal("a token FCM called unregistered was kept")
		}
		s := r.status(t, "booking_confirmed")
		if s.Status != "pending" || s.Attempts != 1 || !s.SendAfter.After(r.d.Now()) {
			t.Fatalf("after a transient failure: %+v, want pending, 1 attempt, later", s)
		}
		r.fcm.ClearToken(r.tok)
		later := r.d.Now().Add(2 * time.Hour)
		r.d.Now = func() time.Time { return later }
		if _, err := r.d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if s := r.status(t, "booking_confirmed"); s.Status != "sent" || len(r.fcm.ReceivedFor(r.tok)) != 1 {
			t.Fatalf("retry: %+v, received %d", s, len(r.fcm.ReceivedFor(r.tok)))
		}
	})
}

func TestQuietHoursAndConsent(t *testing.T) {
	forEachStore(t, func(t *testing.T, d testenv.Dialect) {
		r := newRig(t, d)
		r.book(t, "quiet")
		r.d.Now = tomorrowAt(23)
		if _, err := r.d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		s := r.status(t, "booking_confirmed")
		if s.Status != "pending" || s.SendAfter.In(shanghai).Hour() != 9 || len(r.fcm.Received()) != 0 {
			t.Fatalf("at 23:00: %+v, want deferred to 09:00", s)
		}
		// Marketing needs an opt-in, which demo owners have not given.
		err := outbox.Enqueue(apitest.SystemCtx(), r.api.Client, outbox.Message{OwnerID: r.api.Demo.Owners[0].ID,
			Kind: "spring_campaign", DedupeKey: "spring-test", Category: outboxmessage.CategoryMarketing,
			Title: "Spring check", Body: "20% off", SendAfter: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		r.d.Now = tomorrowAt(11)
		if _, err := r.d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if s := r.status(t, "spring_campaign"); s.Status != "cancelled" {
			t.Fatalf("marketing without opt-in: %+v", s)
		}
	})
}

// Two instances drain the outbox at once: each message is pushed once.
func TestTwoDispatchersSendEachMessageOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, d testenv.Dialect) {
		r := newRig(t, d)
		ctx := apitest.SystemCtx()
		owner := r.api.Demo.Owners[0].ID
		for i := 0; i < 60; i++ {
			if err := outbox.Enqueue(ctx, r.api.Client, outbox.Message{OwnerID: owner, Kind: "safety_recall",
				DedupeKey: fmt.Sprintf("recall-%d", i), Category: outboxmessage.CategorySafety, Title: "Recall",
				Body: fmt.Sprintf("notice %d", i), SendAfter: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		other := *r.d
		other.Batch, r.d.Batch = 7, 7
		var wg sync.WaitGroup
		for _, dd := range []*dispatch.Dispatcher{r.d, &other} {
			wg.Add(1)
			go func(dd *dispatch.Dispatcher) {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					if _, err := dd.RunOnce(context.Background()); err != nil {
						t.Error(err)
						return
					}
				}
			}(dd)
		}
		wg.Wait()
		r.pushedOnceEach(t, 60)
	})
}

// FCM is down for five minutes (every send answers 503): the messages wait
// with backoff, none is given up, and once FCM is back each is pushed once.
func TestFCMDownForFiveMinutes(t *testing.T) {
	forEachStore(t, func(t *testing.T, d testenv.Dialect) {
		r := newRig(t, d)
		ctx := apitest.SystemCtx()
		for i := range 20 {
			if err := outbox.Enqueue(ctx, r.api.Client, outbox.Message{OwnerID: r.api.Demo.Owners[0].ID, Kind: "safety_recall",
				DedupeKey: fmt.Sprintf("outage-%d", i), Category: outboxmessage.CategorySafety, Title: "Recall",
				Body: fmt.Sprintf("notice %d", i), SendAfter: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		start := tomorrowAt(10)()
		now := start
		r.d.Now = func() time.Time { return now }
		r.fcm.SetDown(fcmfake.Internal()) // 500: the SDK answers at once, without its own retries
		// The dispatcher ticks every 2 s; a round every 10 s of the outage
		// is plenty to see every retry that falls due.
		for ; now.Before(start.Add(5 * time.Minute)); now = now.Add(10 * time.Second) {
			if _, err := r.d.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(r.fcm.ReceivedFor(r.tok)); n != 0 {
			t.Fatalf("%d pushes accepted while FCM was down", n)
		}
		if n := r.api.Client.OutboxMessage.Query().Where(outboxmessage.StatusEQ(outboxmessage.StatusPending),
			outboxmessage.KindEQ("safety_recall")).CountX(ctx); n != 20 {
			t.Fatalf("%d of 20 messages still waiting after the outage (the rest given up)", n)
		}
		r.fcm.SetUp()
		for end := now.Add(30 * time.Minute); now.Before(end); now = now.Add(30 * time.Second) {
			if _, err := r.d.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		r.pushedOnceEach(t, 20)
	})
}

// A round costs the same statements for 5 messages as for 40: the owners,
// devices and recent sends are read once per round, and the delivered
// messages are recorded together.
func TestRoundStatementsDoNotGrowWithTheBatch(t *testing.T) {
	r := newRig(t, testenv.SQLite(t))
	ctx := apitest.SystemCtx()
	owners := r.api.Demo.Owners
	for i, o := range owners {
		r.api.Client.Device.Create().SetOwnerID(o.ID).SetToken(fmt.Sprintf("fcm-round-%02d-aaaaaaaaaaaaaaaa", i)).
			SetPlatform(device.PlatformAndroid).ExecX(ctx)
	}
	round := func(n int, tag string) int {
		for i := range n {
			if err := outbox.Enqueue(ctx, r.api.Client, outbox.Message{OwnerID: owners[i%len(owners)].ID, Kind: "safety_recall",
				DedupeKey: fmt.Sprintf("%s-%d", tag, i), Category: outboxmessage.CategorySafety, Title: "Recall",
				Body: fmt.Sprintf("%s %d", tag, i), SendAfter: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		before := r.api.Statements(tag)
		if got, err := r.d.RunOnce(reqctx.WithRequestID(context.Background(), tag)); err != nil || got != n {
			t.Fatalf("round of %d handled %d (%v)", n, got, err)
		}
		return r.api.Statements(tag) - before
	}
	small, large := round(5, "small"), round(40, "large")
	if small != large {
		t.Fatalf("a round of 5 ran %d statements, a round of 40 ran %d", small, large)
	}
	t.Logf("%d statements per round", small)
}
