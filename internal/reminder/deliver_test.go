package reminder_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"aftercare/ent/device"
	entreminder "aftercare/ent/reminder"
	"aftercare/internal/apitest"
	"aftercare/internal/dispatch"
	"aftercare/internal/notify"
	"aftercare/internal/notify/fcmfake"
	"aftercare/internal/testenv"
)

// dyingSender pushes the first n messages of the batch through the real
// FCM sender and dies right after FCM accepted them, before the dispatcher
// could record anything: it cancels the dispatcher's context, as a killed
// process would stop, and never answers.
type dyingSender struct {
	notify.Sender
	n    int
	kill context.CancelFunc
}

func (s *dyingSender) Send(ctx context.Context, msgs []notify.Message) ([]notify.Result, error) {
	if _, err := s.Sender.Send(ctx, msgs[:min(s.n, len(msgs))]); err != nil {
		return nil, err
	}
	s.kill()
	<-ctx.Done()
	return nil, ctx.Err()
}

// Reminders found by the sweep reach every owner's phone through the real
// FCM SDK, also when the instance sending them dies in the middle of a
// batch: another instance takes the batch over once the lease lapses. The
// pushes that FCM had accepted before the death are sent again (delivery
// is at least once), under the same notification tag, so the phone shows
// each once.
func TestRemindersSurviveADispatcherKilledMidBatch(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d, 10)
			ctx := apitest.SystemCtx()
			for i, o := range f.owners {
				f.api.Client.Device.Create().SetOwnerID(o).SetToken(fmt.Sprintf("fcm-fixture-%02d-aaaaaaaaaaaaaaaa", i)).
					SetPlatform(device.PlatformAndroid).ExecX(ctx)
			}
			if _, err := f.sweeper(4).Run(context.Background(), time.Time{}, sweepNow); err != nil {
				t.Fatal(err)
			}
			fake := fcmfake.New()
			t.Cleanup(fake.Close)
			fcm, err := notify.NewFCMSender(context.Background(), notify.FCMConfig{ProjectID: "demo-aftercare"}, fake.ClientOptions()...)
			if err != nil {
				t.Fatal(err)
			}
			runCtx, kill := context.WithCancel(context.Background())
			dying := &dyingSender{Sender: fcm, n: 7, kill: kill}
			first := &dispatch.Dispatcher{Client: f.api.Client, Sender: dying, Dialect: f.api.App.DB.Dialect,
				Now: func() time.Time { return sweepNow }, Logger: quiet}
			if _, err := first.RunOnce(runCtx); err == nil {
				t.Fatal("the dying instance finished its batch")
			}
			// Another instance, after the 2-minute lease has lapsed.
			second := &dispatch.Dispatcher{Client: f.api.Client, Sender: fcm, Dialect: f.api.App.DB.Dialect,
				Now: func() time.Time { return sweepNow.Add(3 * time.Minute) }, Logger: quiet}
			for range 3 {
				if _, err := second.RunOnce(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			rs := f.api.Client.Reminder.Query().Where(entreminder.VehicleIDIn(f.vehicles...)).AllX(ctx)
			byTag := map[string]int{}
			for _, r := range fake.Received() {
				if !strings.HasPrefix(r.Message.Token, "fcm-fixture-") {
					continue // a demo owner's reminder
				}
				byTag[r.Message.Android.Notification.Tag]++
				if r.Message.APNS.Headers["apns-collapse-id"] != r.Message.Android.Notification.Tag {
					t.Fatalf("APNs collapse id %q differs from the Android tag %q", r.Message.APNS.Headers["apns-collapse-id"], r.Message.Android.Notification.Tag)
				}
			}
			twice := 0
			for _, n := range byTag {
				if n == 2 {
					twice++
				} else if n != 1 {
					t.Fatalf("a reminder was pushed %d times", n)
				}
			}
			for _, r := range rs {
				if r.Status != entreminder.StatusSent || r.SentAt == nil {
					t.Fatalf("reminder %d is %s after the takeover", r.ID, r.Status)
				}
			}
			if len(byTag) != len(rs) || twice != dying.n {
				t.Fatalf("%d of %d reminders reached a phone; %d twice (want the %d accepted before the death)", len(byTag), len(rs), twice, dying.n)
			}
		})
	}
}
