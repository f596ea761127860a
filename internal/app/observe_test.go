package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftercare/ent/outboxmessage"
	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/app"
	"aftercare/internal/config"
	"aftercare/internal/dispatch"
	"aftercare/internal/notify"
	"aftercare/internal/outbox"
	"aftercare/internal/seed"
	"aftercare/internal/testenv"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

const metricsToken = "metrics-token-0123456789"

// /metrics needs the token, and reports operations by name, errors by
// code, the outbox's depth and lag, and pushes by outcome.
func TestMetrics(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			testMetrics(t, d)
		})
	}
}

func testMetrics(t *testing.T, d testenv.Dialect) {
	api := apitest.Start(t, d, apitest.Options{Config: func(c *config.Config) { c.MetricsToken = metricsToken }})
	ctx := apitest.SystemCtx()
	owner := api.Demo.Owners[0]
	// A due message (and a device to push it to), before the first scrape
	// reads the outbox.
	if err := outbox.Enqueue(ctx, api.Client, outbox.Message{OwnerID: owner.ID, Kind: "safety_recall", DedupeKey: "metrics-test",
		Category: outboxmessage.CategorySafety, Title: "Recall", Body: "Please call us", SendAfter: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	pending := api.Client.OutboxMessage.Query().Where(outboxmessage.StatusEQ(outboxmessage.StatusPending)).CountX(ctx)
	ownerTok := api.OwnerToken(0)
	if res := api.Do(ownerTok, `mutation Register { registerDevice(token: "metrics-test-token-aaaaaaaaaaaa", platform: android, appVersion: "3.2.0") { id } }`, nil); res.Errors != nil {
		t.Fatal(res.Errors)
	}

	if res := api.Do(ownerTok, `query OwnerHome { me { kind } }`, nil); res.Errors != nil {
		t.Fatal(res.Errors)
	}
	if res := api.Do(ownerTok, `query BadID { node(id: "not-a-number") { id } }`, nil); res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("BadID: %+v", res.Errors)
	}
	if res := api.Do("", `query { __typename }`, nil); res.Errors != nil {
		t.Fatal(res.Errors)
	}
	if res := api.Do("", `query Broken { me { kind `, nil); res.Code() == "" {
		t.Fatal("an unparsable document passed")
	}

	for _, auth := range []string{"", "Bearer wrong-token-0123456789"} {
		if code, _ := scrape(t, api.URL, auth); code != http.StatusUnauthorized {
			t.Fatalf("/metrics with Authorization %q: %d", auth, code)
		}
	}
	_, m := scrape(t, api.URL, "Bearer "+metricsToken)
	want := map[string]float64{
		`aftercare_graphql_request_duration_seconds_count{operation="OwnerHome",type="query"}`:   1,
		`aftercare_graphql_request_duration_seconds_count{operation="BadID",type="query"}`:       1,
		`aftercare_graphql_request_duration_seconds_count{operation="Register",type="mutation"}`: 1,
		`aftercare_graphql_request_duration_seconds_count{operation="anonymous",type="query"}`:   1,
		`aftercare_graphql_request_duration_seconds_count{operation="anonymous",type="unknown"}`: 1, // unparsable: no name known
		`aftercare_graphql_errors_total{code="BAD_USER_INPUT"}`:                                  1,
		`aftercare_outbox_pending`:                                     float64(pending),
		`aftercare_subscriptions_active`:                               0,
		`aftercare_http_requests_total{route="/graphql",status="200"}`: 4,
		`aftercare_pushes_total{outcome="sent"}`:                       0,
	}
	check := func(m map[string]float64, want map[string]float64) {
		t.Helper()
		for series, v := range want {
			if got, ok := m[series]; !ok || got != v {
				t.Errorf("%s = %v (present %v), want %v", series, got, ok, v)
			}
		}
	}
	check(m, want)
	if pending < 1 || m["aftercare_outbox_oldest_due_age_seconds"] < 60 {
		t.Errorf("outbox: %d pending, oldest due %v s ago", pending, m["aftercare_outbox_oldest_due_age_seconds"])
	}
	if _, ok := m[`go_sql_open_connections{db_name="aftercare"}`]; !ok {
		t.Error("no database pool metrics")
	}
	if _, ok := m["aftercare_pgxpool_max_conns"]; ok != (d.Name == "postgres") {
		t.Errorf("pgxpool metrics present: %v on %s", ok, d.Name)
	}

	// The dispatcher counts its pushes through the app's observer.
	disp := &dispatch.Dispatcher{Client: api.Client, Sender: notify.NewLogSender(slog.New(slog.NewTextHandler(io.Discard, nil))),
		Dialect: api.App.DB.Dialect, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: api.App.Observe}
	if _, err := disp.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, m = scrape(t, api.URL, "Bearer "+metricsToken)
	if m[`aftercare_pushes_total{outcome="sent"}`] < 1 {
		t.Errorf("pushes: %v", m[`aftercare_pushes_total{outcome="sent"}`])
	}
}

// scrape reads /metrics into series -> value.
func scrape(t *testing.T, base, auth string) (int, map[string]float64) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return res.StatusCode, out
}

// With tracing on, a request gives spans for HTTP, the GraphQL operation,
// its resolvers and its SQL, all in one trace, and none of them holds the
// owner's phone number that the query filters on and returns. The access
// log names the operation and the viewer's kind.
func TestTracesAndAccessLog(t *testing.T) {
	ctx := context.Background()
	exp := tracetest.NewInMemoryExporter()
	logs := &testenv.SyncBuffer{}
	a, srv, demo := startTraced(t, exp, logs)
	var email string
	for _, s := range demo.Staff {
		if s.Role == staff.RoleAdvisor && s.DealershipID != nil && *s.DealershipID == demo.Stores[0].ID {
			email = s.Email
		}
	}
	tok, err := a.StaffToken(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	post := func(query string) (string, map[string]any) {
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		raw, _ := io.ReadAll(res.Body)
		if err := json.Unmarshal(raw, &out); err != nil || out["errors"] != nil {
			t.Fatalf("%d %s", res.StatusCode, raw)
		}
		return string(raw), out
	}
	raw, _ := post(`query { owners(first: 1) { edges { node { phone } } } }`)
	var first struct {
		Data struct {
			Owners struct {
				Edges []struct{ Node struct{ Phone string } }
			}
		}
	}
	_ = json.Unmarshal([]byte(raw), &first)
	if len(first.Data.Owners.Edges) == 0 || !strings.HasPrefix(first.Data.Owners.Edges[0].Node.Phone, "+") {
		t.Fatalf("advisor sees no owner's phone: %s", raw)
	}
	phone := first.Data.Owners.Edges[0].Node.Phone

	exp.Reset()
	raw, _ = post(`query FindOwner { owners(where: {phone: "` + phone + `"}) { edges { node { id phone vehicles(first: 5) { totalCount } } } } }`)
	if !strings.Contains(raw, phone) {
		t.Fatalf("FindOwner: %s", raw)
	}

	// The HTTP span ends after the response is written; give it a moment.
	var spans tracetest.SpanStubs
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if spans = exp.GetSpans(); hasSpan(spans, "POST /graphql") {
			break
		}
	}
	var sqlSpans int
	traceIDs := map[trace.TraceID]bool{}
	for _, s := range spans {
		traceIDs[s.SpanContext.TraceID()] = true
		for _, kv := range s.Attributes {
			if kv.Key == "db.query.text" {
				sqlSpans++
			}
			if v := kv.Value.Emit(); strings.Contains(v, phone) || strings.Contains(v, strings.TrimPrefix(phone, "+")) {
				t.Errorf("span %q attribute %s holds the phone number: %s", s.Name, kv.Key, v)
			}
		}
		for _, e := range s.Events {
			for _, kv := range e.Attributes {
				if strings.Contains(kv.Value.Emit(), strings.TrimPrefix(phone, "+")) {
					t.Errorf("span %q event %s holds the phone number", s.Name, e.Name)
				}
			}
		}
	}
	for _, name := range []string{"POST /graphql", "query FindOwner", "Query.owners", "Owner.vehicles"} {
		if !hasSpan(spans, name) {
			t.Errorf("no span %q among %v", name, names(spans))
		}
	}
	if sqlSpans == 0 {
		t.Errorf("no SQL span among %v", names(spans))
	}
	if len(traceIDs) != 1 {
		t.Errorf("%d traces, want the request's one: %v", len(traceIDs), names(spans))
	}

	// Websockets work through the tracing middleware and are counted, as
	// is the subscription they carry.
	sub, err := apitest.Subscribe(t, srv.URL, apitest.TransportWS, tok,
		`subscription Board($id: ID!) { storeBoard(dealershipID: $id) { id } }`, map[string]any{"id": strconv.Itoa(demo.Stores[0].ID)})
	if err != nil {
		t.Fatal(err)
	}
	waitMetric(t, srv.URL, "aftercare_websocket_connections", 1)
	waitMetric(t, srv.URL, "aftercare_subscriptions_active", 1)
	waitMetric(t, srv.URL, `aftercare_graphql_request_duration_seconds_count{operation="Board",type="subscription"}`, 1)
	sub.Close()
	waitMetric(t, srv.URL, "aftercare_websocket_connections", 0)

	// A dispatcher round that has work is a trace of its own, with its SQL.
	exp.Reset()
	if err := outbox.Enqueue(ctx, a.DB.Client, outbox.Message{OwnerID: demo.Owners[0].ID, Kind: "safety_recall", DedupeKey: "trace-test",
		Category: outboxmessage.CategorySafety, Title: "Recall", Body: "Please call us", SendAfter: time.Now()}); err != nil {
		t.Fatal(err)
	}
	d := &dispatch.Dispatcher{Client: a.DB.Client, Sender: notify.NewLogSender(slog.New(slog.NewTextHandler(io.Discard, nil))),
		Dialect: a.DB.Dialect, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: a.Observe}
	if n, err := d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("dispatch: %d, %v", n, err)
	}
	if spans = exp.GetSpans(); !hasSpan(spans, "dispatch round") || !hasSpan(spans, "UPDATE") {
		t.Errorf("dispatch spans: %v", names(spans))
	}

	var line map[string]any
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"operation":"FindOwner"`) {
			_ = json.Unmarshal([]byte(l), &line)
		}
	}
	if line == nil || line["viewer"] != "staff" || line["trace_id"] == nil {
		t.Errorf("access log line: %v\n%s", line, logs.String())
	}
	if strings.Contains(logs.String(), strings.TrimPrefix(phone, "+")) {
		t.Error("the log holds the phone number")
	}
}

// startTraced runs the API on SQLite with tracing into exp (apitest has no
// way to pass app options).
func startTraced(t testing.TB, exp *tracetest.InMemoryExporter, logs io.Writer) (*app.App, *httptest.Server, *seed.Demo) {
	ctx := context.Background()
	cfg, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.AppEnv, cfg.RatePerIP = t.TempDir(), "test", 0
	cfg.AuthLocalSecret, cfg.FirebaseProjectID = "test-secret-test-secret-test-secret-0123", ""
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil)), app.WithSpanExporter(exp))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() { srv.Close(); a.Close() })
	demo, err := seed.Run(ctx, a.DB.Client, seed.Options{Owners: 5, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return a, srv, demo
}

// BenchmarkObservedRequest times an owner's home-screen query over HTTP
// with metrics only (the default) and with tracing on (spans discarded).
func BenchmarkObservedRequest(b *testing.B) {
	const query = `query OwnerHome { me { kind owner { id name vehicles(first: 10) { totalCount edges { node { id vin } } } } } }`
	run := func(b *testing.B, url, token string) {
		body, _ := json.Marshal(map[string]any{"query": query})
		b.ResetTimer()
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	b.Run("metrics", func(b *testing.B) {
		api := apitest.Start(b, testenv.SQLite(b), apitest.Options{Owners: 5})
		run(b, api.URL, api.OwnerToken(0))
	})
	b.Run("metrics+tracing", func(b *testing.B) {
		exp := tracetest.NewInMemoryExporter()
		a, srv, demo := startTraced(b, exp, io.Discard)
		tok, err := a.OwnerToken(context.Background(), *demo.Owners[0].Phone)
		if err != nil {
			b.Fatal(err)
		}
		stop := make(chan struct{})
		b.Cleanup(func() { close(stop) })
		go func() { // keep the exporter's memory flat
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					exp.Reset()
				}
			}
		}()
		run(b, srv.URL, tok)
	})
}

func waitMetric(t *testing.T, base, series string, want float64) {
	t.Helper()
	var m map[string]float64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, m = scrape(t, base, ""); m[series] == want {
			return
		}
	}
	t.Fatalf("%s = %v, want %v", series, m[series], want)
}

func hasSpan(spans tracetest.SpanStubs, name string) bool {
	for _, s := range spans {
		if s.Name == name {
			return true
		}
	}
	return false
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
