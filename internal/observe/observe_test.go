package observe

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	_ "modernc.org/sqlite"
)

func newTraced(t *testing.T) (*Observer, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	o, err := New(context.Background(), Options{SpanExporter: exp, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Shutdown(context.Background()) })
	return o, exp
}

func TestOperationLabelsAreBounded(t *testing.T) {
	var l labelSet
	l.max = 2
	for in, want := range map[string]string{
		"":                      "anonymous",
		"OwnerHome":             "OwnerHome",
		"9lives":                "other",
		"has space":             "other",
		strings.Repeat("a", 65): "other",
		strings.Repeat("a", 64): strings.Repeat("a", 64),
	} {
		if got := l.label(in); got != want {
			t.Errorf("label(%q) = %q, want %q", in, got, want)
		}
	}
	if got := l.label("ThirdDistinctNameIsOut"); got != "other" {
		t.Errorf("a name beyond the cap = %q, want other", got)
	}
	if got := l.label("OwnerHome"); got != "OwnerHome" {
		t.Errorf("a known name after the cap = %q", got)
	}
}

func TestMetricsToken(t *testing.T) {
	o, err := New(context.Background(), Options{MetricsToken: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	h := o.MetricsHandler()
	for auth, want := range map[string]int{"": 401, "Bearer wrong": 401, "0123456789abcdef": 401, "Bearer 0123456789abcdef": 200} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, w.Code, want)
		}
	}
}

// fakeDriver answers every statement and remembers nothing.
type fakeDriver struct{}

func (fakeDriver) Exec(context.Context, string, any, any) error  { return nil }
func (fakeDriver) Query(context.Context, string, any, any) error { return nil }
func (fakeDriver) Tx(context.Context) (dialect.Tx, error)        { return dialect.NopTx(fakeDriver{}), nil }
func (fakeDriver) Close() error                                  { return nil }
func (fakeDriver) Dialect() string                               { return dialect.Postgres }

// A statement inside a traced request gets a span with its text cut to 200
// characters and no arguments; one outside any trace gets none.
func TestSQLSpans(t *testing.T) {
	o, exp := newTraced(t)
	drv := o.SQLDriver(fakeDriver{})
	long := "SELECT " + strings.Repeat("x, ", 100) + "y FROM owners WHERE phone = $1"
	const phone = "+8613900000001"

	if err := drv.Query(context.Background(), long, []any{phone}, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("a statement outside any trace made %d spans", n)
	}

	ctx, span := o.tracer.Start(context.Background(), "request")
	tx, _ := drv.Tx(ctx)
	if err := tx.Exec(ctx, "UPDATE owners SET phone = $1", []any{phone}, nil); err != nil {
		t.Fatal(err)
	}
	if err := drv.Query(ctx, long, []any{phone}, nil); err != nil {
		t.Fatal(err)
	}
	span.End()

	spans := exp.GetSpans()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 2 statements and the request", len(spans))
	}
	for _, s := range spans[:2] {
		text := attr(s.Attributes, "db.query.text")
		if text == "" || len(text) > maxSQLText+len("…") || strings.Contains(text, phone) {
			t.Errorf("span %s: db.query.text %q", s.Name, text)
		}
		if attr(s.Attributes, "db.system.name") != "postgresql" {
			t.Errorf("span %s: %v", s.Name, s.Attributes)
		}
	}
	if spans[0].Name != "UPDATE" || spans[1].Name != "SELECT" {
		t.Errorf("span names %q, %q", spans[0].Name, spans[1].Name)
	}
}

// Raw SQL through ent's client.ExecContext (advisory locks, NOTIFY) still
// works through the wrapper, in and out of transactions.
func TestSQLDriverPassesExecContext(t *testing.T) {
	o, exp := newTraced(t)
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	type execer interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}
	drv := o.SQLDriver(entsql.OpenDB(dialect.SQLite, db))
	ctx, span := o.tracer.Start(context.Background(), "request")
	if _, err := drv.(execer).ExecContext(ctx, "CREATE TABLE t (x int)"); err != nil {
		t.Fatal(err)
	}
	tx, err := drv.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.(execer).ExecContext(ctx, "INSERT INTO t VALUES (?)", 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	span.End()
	if n := len(exp.GetSpans()); n != 3 {
		t.Fatalf("%d spans, want 2 statements and the request", n)
	}
}

// With OTLP on, spans reach the collector named by the standard variable,
// over HTTP, by shutdown at the latest.
func TestOTLPExport(t *testing.T) {
	got := make(chan string, 10)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Method + " " + r.URL.Path
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	o, err := New(context.Background(), Options{OTLP: true})
	if err != nil {
		t.Fatal(err)
	}
	_, span := o.tracer.Start(context.Background(), "request")
	span.End()
	if err := o.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case req := <-got:
		if req != "POST /v1/traces" {
			t.Fatalf("collector got %s", req)
		}
	default:
		t.Fatal("nothing exported")
	}
}

// Requests are counted by route pattern, never by raw path, and spans keep
// no client address, user agent or raw path.
func TestHTTPRoutesAndSpans(t *testing.T) {
	o, exp := newTraced(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/{key...}", func(w http.ResponseWriter, r *http.Request) {})
	h := o.HTTP(mux)
	for _, path := range []string{"/files/a/b.png", "/files/c.png", "/nowhere"} {
		ctx, info := WithRequestInfo(context.Background())
		r := httptest.NewRequestWithContext(ctx, "GET", path, nil)
		r.Header.Set("User-Agent", "Mozilla/5.0 (secret device)")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		o.CountHTTP(info, w.Code)
	}
	metrics := scrape(t, o)
	if !strings.Contains(metrics, `aftercare_http_requests_total{route="/files/{key...}",status="200"} 2`) ||
		!strings.Contains(metrics, `aftercare_http_requests_total{route="unmatched",status="404"} 1`) {
		t.Errorf("HTTP counters:\n%s", grep(metrics, "aftercare_http"))
	}
	spans := exp.GetSpans()
	if len(spans) != 3 || spans[0].Name != "GET /files/{key...}" || attr(spans[0].Attributes, "http.route") != "/files/{key...}" {
		t.Fatalf("spans: %+v", spans)
	}
	for _, s := range spans {
		for _, kv := range s.Attributes {
			if v := kv.Value.Emit(); strings.Contains(v, "secret device") || strings.Contains(v, "192.0.2.1") || strings.Contains(v, "b.png") {
				t.Errorf("span %s keeps %s=%s", s.Name, kv.Key, v)
			}
		}
	}
}

func attr(kvs []attribute.KeyValue, key string) string {
	for _, kv := range kvs {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

func scrape(t *testing.T, o *Observer) string {
	t.Helper()
	w := httptest.NewRecorder()
	o.MetricsHandler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Body)
	return string(b)
}

func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// BenchmarkOperationMetrics is the metrics' cost per GraphQL request: the
// operation hooks, the histogram and the HTTP counter (tracing off).
func BenchmarkOperationMetrics(b *testing.B) {
	o, err := New(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	ext := o.GraphQL()[0].(gqlOps)
	oc := &graphql.OperationContext{Operation: &ast.OperationDefinition{Name: "OwnerHome", Operation: ast.Query}}
	resp := &graphql.Response{Data: []byte(`{}`)}
	next := func(context.Context) graphql.ResponseHandler { return graphql.OneShot(resp) }
	for b.Loop() {
		ctx, info := WithRequestInfo(context.Background())
		ctx = graphql.WithOperationContext(ctx, oc)
		h := ext.InterceptOperation(ctx, next)
		h(ctx)
		info.set("/graphql", "")
		o.CountHTTP(info, 200)
	}
}
