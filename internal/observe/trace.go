package observe

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// newTracerProvider is a no-op provider unless an exporter is given or
// OTLP is on. The service name is "aftercare" unless OTEL_SERVICE_NAME or
// OTEL_RESOURCE_ATTRIBUTES say otherwise; sampling follows
// OTEL_TRACES_SAMPLER (default: every trace).
func newTracerProvider(ctx context.Context, o Options) (trace.TracerProvider, func(context.Context) error, bool, error) {
	var proc sdktrace.SpanProcessor
	switch {
	case o.SpanExporter != nil:
		proc = sdktrace.NewSimpleSpanProcessor(o.SpanExporter)
	case o.OTLP:
		exp, err := otlptracehttp.New(ctx) // reads OTEL_EXPORTER_OTLP_*
		if err != nil {
			return nil, nil, false, err
		}
		proc = sdktrace.NewBatchSpanProcessor(exp)
	default:
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, false, nil
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "aftercare")),
		resource.WithFromEnv(), // later detectors win: OTEL_SERVICE_NAME overrides
		resource.WithTelemetrySDK())
	if err != nil {
		o.Logger.Warn("trace resource incomplete", "err", err) // res still holds what was read
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithSpanProcessor(scrub{proc}))
	return tp, tp.Shutdown, true, nil
}

// dropped are span attributes otelhttp sets that identify a person (their
// address and browser) or repeat the raw path (ids, widget keys); the
// route pattern stays. Filtering here, where every span leaves the
// process, covers instrumentation we do not write ourselves.
var dropped = map[attribute.Key]bool{
	"client.address":       true,
	"network.peer.address": true,
	"network.peer.port":    true,
	"user_agent.original":  true,
	"url.path":             true,
	"url.query":            true,
	"url.full":             true,
}

type scrub struct{ sdktrace.SpanProcessor }

func (s scrub) OnEnd(sp sdktrace.ReadOnlySpan) { s.SpanProcessor.OnEnd(scrubbed{sp}) }

type scrubbed struct{ sdktrace.ReadOnlySpan }

func (s scrubbed) Attributes() []attribute.KeyValue {
	in := s.ReadOnlySpan.Attributes()
	out := make([]attribute.KeyValue, 0, len(in))
	for _, kv := range in {
		if !dropped[kv.Key] {
			out = append(out, kv)
		}
	}
	return out
}

// Round traces one dispatcher round that claimed n messages (started at
// start, before the claim). Idle rounds, every 2 s, are not traced.
func (o *Observer) Round(ctx context.Context, start time.Time, n int) (context.Context, func(error)) {
	if !o.tracing {
		return ctx, func(error) {}
	}
	ctx, span := o.tracer.Start(ctx, "dispatch round", trace.WithTimestamp(start),
		trace.WithAttributes(attribute.Int("aftercare.outbox.claimed", n)))
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, "round failed")
		}
		span.End()
	}
}

// SQLDriver wraps ent's driver so that each statement becomes a span with
// its SQL text cut to 200 characters and never its arguments (they hold
// names and phone numbers). Only statements inside a traced request or
// round get one: start-up, seeding and idle polling would drown the rest.
// Without tracing it returns d itself.
func (o *Observer) SQLDriver(d dialect.Driver) dialect.Driver {
	if !o.tracing {
		return d
	}
	system := d.Dialect()
	if system == dialect.Postgres {
		system = "postgresql"
	}
	return &tracedDriver{Driver: d, s: sqlSpans{tracer: o.tracer, system: system}}
}

const maxSQLText = 200

type sqlSpans struct {
	tracer trace.Tracer
	system string
}

func (s sqlSpans) start(ctx context.Context, query string) (context.Context, func(error)) {
	// Sampled, not recording: a resolver's span has ended by the time its
	// children (and their lazy loads) run.
	if !trace.SpanContextFromContext(ctx).IsSampled() {
		return ctx, func(error) {}
	}
	op, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	ctx, span := s.tracer.Start(ctx, strings.ToUpper(op), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", s.system), attribute.String("db.query.text", truncate(query, maxSQLText))))
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, "") // the message may quote values
		}
		span.End()
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (s sqlSpans) exec(ctx context.Context, eq dialect.ExecQuerier, query string, args, v any) error {
	ctx, end := s.start(ctx, query)
	err := eq.Exec(ctx, query, args, v)
	end(err)
	return err
}

func (s sqlSpans) query(ctx context.Context, eq dialect.ExecQuerier, query string, args, v any) error {
	ctx, end := s.start(ctx, query)
	err := eq.Query(ctx, query, args, v)
	end(err)
	return err
}

// execContext and queryContext serve ent's client.ExecContext (raw SQL
// such as advisory locks), which the wrapped driver may offer.
func (s sqlSpans) execContext(ctx context.Context, under any, query string, args ...any) (sql.Result, error) {
	eq, ok := under.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, errors.New("driver does not support ExecContext")
	}
	ctx, end := s.start(ctx, query)
	res, err := eq.ExecContext(ctx, query, args...)
	end(err)
	return res, err
}

func (s sqlSpans) queryContext(ctx context.Context, under any, query string, args ...any) (*sql.Rows, error) {
	eq, ok := under.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	})
	if !ok {
		return nil, errors.New("driver does not support QueryContext")
	}
	ctx, end := s.start(ctx, query)
	rows, err := eq.QueryContext(ctx, query, args...)
	end(err)
	return rows, err
}

type tracedDriver struct {
	dialect.Driver
	s sqlSpans
}

func (d *tracedDriver) Exec(ctx context.Context, query string, args, v any) error {
	return d.s.exec(ctx, d.Driver, query, args, v)
}

func (d *tracedDriver) Query(ctx context.Context, query string, args, v any) error {
	return d.s.query(ctx, d.Driver, query, args, v)
}

func (d *tracedDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.s.execContext(ctx, d.Driver, query, args...)
}

func (d *tracedDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.s.queryContext(ctx, d.Driver, query, args...)
}

func (d *tracedDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &tracedTx{Tx: tx, s: d.s}, nil
}

func (d *tracedDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	drv, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, errors.New("driver does not support BeginTx")
	}
	tx, err := drv.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tracedTx{Tx: tx, s: d.s}, nil
}

type tracedTx struct {
	dialect.Tx
	s sqlSpans
}

func (t *tracedTx) Exec(ctx context.Context, query string, args, v any) error {
	return t.s.exec(ctx, t.Tx, query, args, v)
}

func (t *tracedTx) Query(ctx context.Context, query string, args, v any) error {
	return t.s.query(ctx, t.Tx, query, args, v)
}

func (t *tracedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.s.execContext(ctx, t.Tx, query, args...)
}

func (t *tracedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.s.queryContext(ctx, t.Tx, query, args...)
}
