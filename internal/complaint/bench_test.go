package complaint_test

import (
	"context"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/complaint"
	"aftercare/internal/apitest"
	complaints "aftercare/internal/complaint"
	"aftercare/internal/testenv"
)

// BenchmarkEscalateOverdue measures one sweep over 500 overdue complaints
// (one batch), each escalated in its own transaction:
//
//	go test ./internal/complaint/ -run '^$' -bench EscalateOverdue -benchtime 5x
func BenchmarkEscalateOverdue(b *testing.B) {
	for _, d := range testenv.Dialects(b) {
		b.Run(d.Name, func(b *testing.B) {
			api := apitest.Start(b, d, apitest.Options{Owners: 2})
			ctx := apitest.SystemCtx()
			t0 := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
			const n = 500
			creates := make([]*ent.ComplaintCreate, n)
			for i := range creates {
				creates[i] = api.Client.Complaint.Create().SetDealershipID(api.Demo.Stores[0].ID).
					SetOwnerID(api.Demo.Owners[0].ID).SetSource(complaint.SourcePhone).SetCategory(complaint.CategoryOther).
					SetSeverity(complaint.SeverityLow).SetDescription("bench").SetDueAt(t0).SetEscalateAt(t0)
			}
			api.Client.Complaint.CreateBulk(creates...).ExecX(ctx)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				api.Client.Complaint.Update().SetEscalationLevel(0).SetEscalateAt(t0).ExecX(ctx)
				b.StartTimer()
				got, err := complaints.EscalateOverdue(context.Background(), api.Client, t0.Add(time.Hour))
				if err != nil || got != n {
					b.Fatalf("escalated %d of %d: %v", got, n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/complaint")
		})
	}
}
