// Command kpi measures a store's monthly KPIs (issue #8) on PostgreSQL for
// a store with 100,000 vehicles and 1,000,000 work orders over five years,
// with their appointments, reminders, care calls, surveys and complaints.
//
//	go run ./bench/kpi -setup    # create and fill the database (a few minutes)
//	go run ./bench/kpi           # measure again on the same data
//
// It uses its own database (aftercare_bench_kpi) on the server at -pg and
// touches nothing else.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"slices"
	"time"

	"aftercare/bench/benchdb"
	"aftercare/ent/dealership"
	"aftercare/ent/schema/schematype"
	"aftercare/internal/auth"
	"aftercare/internal/kpi"
	"aftercare/internal/store"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func main() {
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server (admin database)")
	name := flag.String("db", "aftercare_bench_kpi", "database to use")
	setup := flag.Bool("setup", false, "create the database and fill it")
	month := flag.String("month", "2026-10", "month to compute")
	runs := flag.Int("runs", 7, "measurements")
	flag.Parse()
	ctx := auth.SystemContext(context.Background())
	db, stmts, err := benchdb.Open(ctx, *pg, *name, *setup, 4)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if *setup {
		start := time.Now()
		if err := fill(ctx, db); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("filled in %s\n", time.Since(start).Round(time.Second))
	}
	st, err := db.Client.Dealership.Query().Where(dealership.Code("KPI-BENCH")).Only(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range []string{"vehicles", "work_orders", "appointments", "reminders", "care_tasks", "contact_attempts", "survey_responses", "complaints"} {
		var n int
		if err := db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM "+q).Scan(&n); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d\n", q, n)
	}
	s, err := kpi.NewScope(st, *month, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	var times []time.Duration
	var r *kpi.Report
	for i := 0; i < *runs; i++ {
		stmts.Store(0)
		start := time.Now()
		if r, err = kpi.Compute(ctx, db.Client, s); err != nil {
			log.Fatal(err)
		}
		times = append(times, time.Since(start))
		fmt.Printf("run %d: %s, %d statements\n", i+1, times[i].Round(time.Millisecond), stmts.Load())
	}
	// Which lists cost the most, one at a time.
	for _, l := range kpi.AllLists() {
		start := time.Now()
		n, err := kpi.Count(ctx, db.Client, s, l)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("  %-34s %8d rows %6s\n", l, n, time.Since(start).Round(time.Millisecond))
	}
	slices.Sort(times)
	fmt.Printf("storeKpis(%s): min %s, median %s, max %s\n", *month, times[0].Round(time.Millisecond),
		times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
	fmt.Printf("first service %d/%d, periodic %d/%d, visits %d (booked %d), reach %d/%d, calls %d/%d, surveys %d, complaints %d\n",
		r.FirstServiceReturn.Numerator, r.FirstServiceReturn.Denominator, r.PeriodicServiceReturn.Numerator, r.PeriodicServiceReturn.Denominator,
		r.AppointmentRate.Denominator, r.AppointmentRate.Numerator, r.ReminderReach.Numerator, r.ReminderReach.Denominator,
		r.CallSuccess.Numerator, r.CallSuccess.Denominator, r.TopBoxShare.Denominator, r.ComplaintLoop.Opened)
}

// fill writes the store and its five years. Each statement is a plain
// INSERT ... SELECT over generate_series.
func fill(ctx context.Context, db *store.DB) error {
	c := db.Client
	g, err := c.DealerGroup.Create().SetName("KPI bench").SetCode("KPI-BENCH").Save(ctx)
	if err != nil {
		return err
	}
	st, err := c.Dealership.Create().SetDealerGroupID(g.ID).SetName("KPI bench store").SetCode("KPI-BENCH").Save(ctx)
	if err != nil {
		return err
	}
	tpl, err := c.SurveyTemplate.Create().SetDealerGroupID(g.ID).SetName("Service").SetKind("service").SetVersion(1).
		SetAspects([]schematype.SurveyAspect{{Key: "overall", Title: "Overall", Weight: 100,
			Indicators: []schematype.SurveyIndicator{{Key: "overall", Title: "Overall", Weight: 100}}}}).Save(ctx)
	if err != nil {
		return err
	}
	for _, q := range fillSQL {
		start := time.Now()
		if _, err := db.SQL.ExecContext(ctx, fmt.Sprintf(q.sql, g.ID, st.ID, tpl.ID)); err != nil {
			return fmt.Errorf("%s: %w", q.what, err)
		}
		fmt.Printf("  %s: %s\n", q.what, time.Since(start).Round(time.Second))
	}
	return nil
}

// fillSQL: %[1]d is the group, %[2]d the store, %[3]d the survey template.
var fillSQL = []struct{ what, sql string }{
	{"60,000 owners", `INSERT INTO owners (created_at, updated_at, dealer_group_id, home_dealership_id, name, consent_service,
  consent_marketing, quiet_hours_start, quiet_hours_end, locale, tier, phone_invalid, prospect)
SELECT now() - (g %% 1800) * interval '1 day', now(), %[1]d, %[2]d, 'Bench owner ' || g, true, g %% 3 = 0,
  '21:00', '09:00', 'zh-CN', 'basic', false, g %% 50 = 0
FROM generate_series(1, 60000) g`},
	{"100,000 vehicles", `INSERT INTO vehicles (created_at, updated_at, vin, make, model, model_year, fuel_type, delivery_date,
  delivery_km, odometer_km, first_service_km, first_service_months, service_interval_km, service_interval_months,
  selling_dealership_id, owner_id)
SELECT now(), now(), 'KPXBENCH' || lpad(g::text, 9, '0'), 'VW', 'Tiguan', 2022, 'petrol',
  (now() - (g %% 1825) * interval '1 day')::date, 0, 20000, 3000, 2, 5000, 6, %[2]d,
  (SELECT min(id) FROM owners) + g %% 60000
FROM generate_series(1, 100000) g`},
	{"500,000 appointments", `INSERT INTO appointments (created_at, updated_at, reference, service_type, starts_at, ends_at, status,
  source, transport, transport_price_cents, dealership_id, owner_id, vehicle_id)
SELECT t, t, 'KB' || g, 'periodic_service', t, t + interval '1 hour',
  CASE WHEN g %% 25 = 1 THEN 'no_show' WHEN g %% 25 = 2 THEN 'cancelled' ELSE 'completed' END, 'app', 'wait', 0, %[2]d, v.owner_id, v.id
FROM generate_series(0, 999999, 2) g
CROSS JOIN LATERAL (SELECT now() - (g %% 1825) * interval '1 day' - (g %% 480) * interval '1 minute' AS t) tt
JOIN vehicles v ON v.vin = 'KPXBENCH' || lpad((1 + g %% 100000)::text, 9, '0')`},
	{"1,000,000 work orders", `INSERT INTO work_orders (created_at, updated_at, number, status, odometer_in_km, opened_at, delivered_at,
  labour_cents, parts_cents, total_cents, estimate_cents, last_event_seq, dealership_id, owner_id, vehicle_id, appointment_id)
SELECT t, t, 'KB-' || g, CASE WHEN g %% 50 = 3 THEN 'cancelled' ELSE 'delivered' END, 10000, t, t + interval '5 hours',
  30000, 45000, 75000, 75000, 3, %[2]d, v.owner_id, v.id, a.id
FROM generate_series(0, 999999) g
-- Visit dates are scattered (g * 7919 mod 1825) so they do not line up with the reminders'.
CROSS JOIN LATERAL (SELECT now() - ((g * 7919) %% 1825) * interval '1 day' - (g %% 480) * interval '1 minute' AS t) tt
JOIN vehicles v ON v.vin = 'KPXBENCH' || lpad((1 + g %% 100000)::text, 9, '0')
LEFT JOIN appointments a ON a.reference = 'KB' || g AND a.status = 'completed'`},
	{"1,000,000 reminders", `INSERT INTO reminders (created_at, updated_at, dealership_id, kind, cycle, dedupe_key, category, due_date,
  send_at, sent_at, status, owner_id, vehicle_id)
SELECT t, t, %[2]d, k.kind, g::text, 'kb-' || g, k.category, (t + interval '20 days')::date, t,
  CASE WHEN g %% 10 < 8 THEN t END, CASE WHEN g %% 10 < 8 THEN 'sent' WHEN g %% 10 = 8 THEN 'failed' ELSE 'cancelled' END,
  v.owner_id, v.id
FROM generate_series(0, 999999) g
CROSS JOIN LATERAL (SELECT now() - (g %% 1825) * interval '1 day' AS t) tt
CROSS JOIN LATERAL (SELECT (ARRAY['first_service','periodic_service','periodic_service','periodic_service','periodic_service',
  'periodic_service','periodic_service','warranty_expiry','insurance_expiry','winback'])[1 + g %% 10] AS kind) kk
CROSS JOIN LATERAL (SELECT kk.kind::text AS kind, CASE WHEN kk.kind = 'winback' THEN 'marketing' ELSE 'service' END AS category) k
JOIN vehicles v ON v.vin = 'KPXBENCH' || lpad((1 + (g / 10) %% 100000)::text, 9, '0')`},
	{"200,000 care tasks", `INSERT INTO care_tasks (created_at, updated_at, dealership_id, channel, kind, reason, status, due_at,
  owner_id, vehicle_id, lapse_class, lapse_month, days_since_visit, answer_reason, elsewhere_shop, elsewhere_price_cents)
SELECT t, t, %[2]d, 'phone', CASE WHEN g %% 5 < 3 THEN 'lapse' ELSE 'service_call' END, 'bench', 'done', t, v.owner_id, v.id,
  CASE WHEN g %% 5 < 3 THEN (ARRAY['local_in_warranty','local_out_of_warranty','non_local_in_warranty','non_local_out_of_warranty'])[1 + g %% 4] END,
  CASE WHEN g %% 5 < 3 THEN to_char(t, 'YYYY-MM') END, CASE WHEN g %% 5 < 3 THEN 120 END,
  CASE WHEN g %% 7 = 0 THEN 'serviced_elsewhere' END, CASE WHEN g %% 7 = 0 THEN 'Quick Fit' END, CASE WHEN g %% 7 = 0 THEN 38000 END
FROM generate_series(0, 199999) g
CROSS JOIN LATERAL (SELECT now() - (g %% 1825) * interval '1 day' AS t) tt
JOIN vehicles v ON v.vin = 'KPXBENCH' || lpad((1 + g %% 100000)::text, 9, '0')`},
	{"400,000 contact attempts", `INSERT INTO contact_attempts (at, outcome, care_task_id)
SELECT ct.due_at + n * interval '3 hours', (ARRAY['no_answer','busy','reached'])[n], ct.id
FROM care_tasks ct CROSS JOIN generate_series(2, 3) n WHERE ct.reason = 'bench' AND ct.dealership_id = %[2]d`},
	{"300,000 survey responses", `INSERT INTO survey_responses (dealership_id, answers, index_score, top_box, submitted_at, owner_id, template_id)
SELECT %[2]d, '[]', 50 + g %% 51, 50 + g %% 51 >= 80, now() - (g %% 1825) * interval '1 day',
  (SELECT min(id) FROM owners) + g %% 60000, %[3]d
FROM generate_series(0, 299999) g`},
	{"20,000 complaints", `INSERT INTO complaints (created_at, updated_at, dealership_id, source, category, severity, description, status,
  due_at, escalation_level, reopened_count, owner_id, closed_at)
SELECT t, t, %[2]d, 'phone', 'waiting_time', 'medium', 'bench', CASE WHEN g %% 10 = 0 THEN 'logged' ELSE 'closed' END,
  t + interval '24 hours', 0, 0, (SELECT min(id) FROM owners) + g %% 60000,
  CASE WHEN g %% 10 = 0 THEN NULL ELSE t + (g %% 40) * interval '1 hour' END
FROM generate_series(0, 19999) g
CROSS JOIN LATERAL (SELECT now() - (g %% 1825) * interval '1 day' AS t) tt`},
	// A live store writes its rows in time order; generate_series above
	// scattered them. Put them back, or every count reads random pages.
	{"time order", `CLUSTER work_orders USING workorder_dealership_id_opened_at; CLUSTER reminders USING reminder_dealership_id_send_at /* %[2]d */`},
	{"analyze", `ANALYZE /* store %[2]d */`},
}
