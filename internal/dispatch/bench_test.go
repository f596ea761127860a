package dispatch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/device"
	"aftercare/ent/outboxmessage"
	"aftercare/internal/apitest"
	"aftercare/internal/dispatch"
	"aftercare/internal/notify"
	"aftercare/internal/notify/fcmfake"
	"aftercare/internal/testenv"
)

// BenchmarkDispatch measures pushes per second from one instance, outbox
// to the fake FCM server through the real SDK, on PostgreSQL:
//
//	go test -run '^$' -bench Dispatch -benchtime 1x ./internal/dispatch/
func BenchmarkDispatch(b *testing.B) {
	d, ok := testenv.Postgres(b)
	if !ok {
		b.Skip("no PostgreSQL")
	}
	const owners = 2000
	api := apitest.Start(b, d, apitest.Options{Owners: owners})
	ctx := apitest.SystemCtx()
	fake := fcmfake.New()
	b.Cleanup(fake.Close)
	fake.SetRecording(false)
	sender, err := notify.NewFCMSender(context.Background(), notify.FCMConfig{ProjectID: "demo-aftercare"}, fake.ClientOptions()...)
	if err != nil {
		b.Fatal(err)
	}
	ids := api.Client.Owner.Query().IDsX(ctx)
	devs := make([]*ent.DeviceCreate, len(ids))
	for i, id := range ids {
		devs[i] = api.Client.Device.Create().SetOwnerID(id).SetToken(fmt.Sprintf("bench-token-%07d-aaaaaaaaaaaa", i)).SetPlatform(device.PlatformAndroid)
	}
	api.Client.Device.CreateBulk(devs...).ExecX(ctx)
	noon := time.Now().Truncate(24 * time.Hour).Add(4 * time.Hour) // 12:00 in Shanghai: no quiet hours
	sent := 0
	var took time.Duration
	for i := range b.N {
		msgs := make([]*ent.OutboxMessageCreate, len(ids))
		for j, id := range ids {
			msgs[j] = api.Client.OutboxMessage.Create().SetOwnerID(id).SetKind("bench").SetDedupeKey(fmt.Sprintf("bench-%d-%d", i, j)).
				SetCategory(outboxmessage.CategorySafety).SetTitle("Recall").SetBody("Please book a check").SetSendAfter(noon.Add(-time.Minute))
		}
		for start := 0; start < len(msgs); start += 1000 {
			api.Client.OutboxMessage.CreateBulk(msgs[start:min(start+1000, len(msgs))]...).ExecX(ctx)
		}
		disp := &dispatch.Dispatcher{Client: api.Client, Sender: sender, Dialect: api.App.DB.Dialect, Now: func() time.Time { return noon }, Logger: quiet}
		b.StartTimer()
		start := time.Now()
		for {
			n, err := disp.RunOnce(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
			sent += n
		}
		took += time.Since(start)
		b.StopTimer()
	}
	b.ReportMetric(float64(sent)/took.Seconds(), "pushes/s")
}
