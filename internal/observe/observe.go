// Package observe gives the API its metrics (Prometheus, at /metrics) and
// traces (OpenTelemetry, exported over OTLP/HTTP when configured).
//
// Every App owns one Observer with its own registry and tracer provider, not
// the process-wide defaults, so tests can run several apps side by side.
// With tracing off the tracer is a no-op and nothing that only serves
// tracing (otelhttp, resolver spans, the SQL driver wrapper) is installed,
// so its cost is nil. Nothing here records personal data: labels are route
// patterns, operation names, codes and outcomes; spans carry no query
// variables, SQL arguments, client addresses or user agents.
package observe

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"regexp"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Options configure an Observer.
type Options struct {
	// MetricsToken, when set, must be sent as "Authorization: Bearer
	// <token>" to read /metrics. Unset, /metrics is open.
	MetricsToken string
	// OTLP exports traces over OTLP/HTTP, configured by the standard
	// OTEL_EXPORTER_OTLP_* variables.
	OTLP bool
	// SpanExporter, when set, turns tracing on and receives each span
	// synchronously as it ends (tests).
	SpanExporter sdktrace.SpanExporter
	Logger       *slog.Logger
}

// Observer holds an app's metrics registry and tracer.
type Observer struct {
	reg      *prometheus.Registry
	token    string
	logger   *slog.Logger
	tracing  bool
	tp       trace.TracerProvider
	tracer   trace.Tracer
	shutdown func(context.Context) error

	gqlDuration *prometheus.HistogramVec
	gqlErrors   *prometheus.CounterVec
	httpReqs    *prometheus.CounterVec
	websockets  prometheus.Gauge
	pushes      *prometheus.CounterVec

	// Operation names come from clients: at most maxOperations distinct
	// ones get their own label, so a client inventing names cannot blow
	// up the series count.
	operations labelSet
	codes      labelSet
}

const maxOperations = 200

// New builds an Observer. It fails only if the trace exporter cannot be set up.
func New(ctx context.Context, o Options) (*Observer, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	tp, shutdown, tracing, err := newTracerProvider(ctx, o)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	ob := &Observer{
		reg: reg, token: o.MetricsToken, logger: o.Logger,
		tracing: tracing, tp: tp, tracer: tp.Tracer("aftercare"), shutdown: shutdown,
		gqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aftercare_graphql_request_duration_seconds",
			Help: "GraphQL operations by name and type: time from receipt to response (subscriptions: to set-up).",
			// 5 ms to 10 s: API answers are expected well under a second.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation", "type"}),
		gqlErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftercare_graphql_errors_total",
			Help: "GraphQL errors sent to clients, by extensions.code.",
		}, []string{"code"}),
		httpReqs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftercare_http_requests_total",
			Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		websockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aftercare_websocket_connections",
			Help: "Open websocket connections.",
		}),
		pushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftercare_pushes_total",
			Help: "Pushes to devices by outcome: sent, failed, token_invalid, retried.",
		}, []string{"outcome"}),
		operations: labelSet{max: maxOperations},
		codes:      labelSet{max: 50},
	}
	for _, outcome := range []string{"sent", "failed", "token_invalid", "retried"} {
		ob.pushes.WithLabelValues(outcome) // show zeros before the first push
	}
	reg.MustRegister(ob.gqlDuration, ob.gqlErrors, ob.httpReqs, ob.websockets, ob.pushes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return ob, nil
}

// Tracing reports whether spans are recorded and exported.
func (o *Observer) Tracing() bool { return o.tracing }

// Registry is the app's metrics registry.
func (o *Observer) Registry() *prometheus.Registry { return o.reg }

// Shutdown flushes and stops the trace exporter.
func (o *Observer) Shutdown(ctx context.Context) error { return o.shutdown(ctx) }

// WatchSubscriptions exposes the number of live subscriptions (the
// progress hub's subscriber count), read at scrape time.
func (o *Observer) WatchSubscriptions(count func() int) {
	o.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "aftercare_subscriptions_active",
		Help: "Live GraphQL subscriptions on this instance.",
	}, func() float64 { return float64(count()) }))
}

// MetricsHandler serves the registry in the Prometheus text format, behind
// the bearer token when one is configured.
func (o *Observer) MetricsHandler() http.Handler {
	h := promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{
		// A failing collector (the outbox query) must not hide the others.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(o.logger.Handler(), slog.LevelError),
	})
	if o.token == "" {
		return h
	}
	// Compare digests so the comparison takes the same time whatever the
	// length of the guess.
	want := sha256.Sum256([]byte("Bearer " + o.token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// nameRE is what may become a label value: a GraphQL name of sane length.
var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// labelSet bounds the label values taken from outside: an empty name is
// "anonymous", a malformed one or one beyond the first max seen "other".
type labelSet struct {
	mu   sync.Mutex
	seen map[string]struct{}
	max  int
}

func (l *labelSet) label(name string) string {
	if name == "" {
		return "anonymous"
	}
	if !nameRE.MatchString(name) {
		return "other"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[name]; ok {
		return name
	}
	if len(l.seen) >= l.max {
		return "other"
	}
	if l.seen == nil {
		l.seen = map[string]struct{}{}
	}
	l.seen[name] = struct{}{}
	return name
}
