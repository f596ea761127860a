package observe

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// RequestInfo collects, for the access log, what only inner layers learn
// about a request: its route pattern, GraphQL operation, viewer kind and
// trace id. The access log puts one in the context and reads it when the
// request ends. Safe for concurrent use (a websocket runs operations in
// parallel).
type RequestInfo struct {
	mu                                sync.Mutex
	route, operation, viewer, traceID string
}

type infoKey struct{}

// WithRequestInfo returns ctx carrying a new, empty RequestInfo.
func WithRequestInfo(ctx context.Context) (context.Context, *RequestInfo) {
	i := &RequestInfo{}
	return context.WithValue(ctx, infoKey{}, i), i
}

func requestInfo(ctx context.Context) *RequestInfo {
	i, _ := ctx.Value(infoKey{}).(*RequestInfo)
	return i
}

// setOperation keeps the first operation: a websocket carries many, and
// the first says what the connection was for.
func (i *RequestInfo) setOperation(name, viewer string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.operation == "" {
		i.operation, i.viewer = name, viewer
	}
}

func (i *RequestInfo) set(route, traceID string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.route, i.traceID = route, traceID
}

// Route is the matched route pattern ("unmatched" for none, "" when the
// request never reached the router).
func (i *RequestInfo) Route() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.route
}

// LogAttrs are the fields the access log adds: the operation name and the
// viewer's kind (never an id) for GraphQL requests, and the trace id when
// tracing is on.
func (i *RequestInfo) LogAttrs() []slog.Attr {
	i.mu.Lock()
	defer i.mu.Unlock()
	var out []slog.Attr
	if i.operation != "" {
		out = append(out, slog.String("operation", i.operation), slog.String("viewer", i.viewer))
	}
	if i.traceID != "" {
		out = append(out, slog.String("trace_id", i.traceID))
	}
	return out
}

// CountHTTP counts a finished request by route pattern and status (called
// by the access log, which knows the status).
func (o *Observer) CountHTTP(i *RequestInfo, status int) {
	route := i.Route()
	if route == "" {
		route = "unmatched"
	}
	o.httpReqs.WithLabelValues(route, strconv.Itoa(status)).Inc()
}

// HTTP wraps the router: it notes the matched pattern (never the raw
// path, which holds ids and keys) and counts open websockets; with tracing
// on, otelhttp makes a span per request.
//
// It must wrap the ServeMux directly: the mux writes r.Pattern into the
// very request it is given, and that is how the pattern is read back.
func (o *Observer) HTTP(mux http.Handler) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			o.websockets.Inc()
			defer o.websockets.Dec()
		}
		mux.ServeHTTP(w, r)
		route := routeOf(r.Pattern)
		var traceID string
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			span.SetAttributes(attribute.String("http.route", route))
			traceID = span.SpanContext().TraceID().String()
		}
		requestInfo(r.Context()).set(route, traceID)
	})
	if !o.tracing {
		return h
	}
	return otelhttp.NewHandler(h, "http",
		otelhttp.WithTracerProvider(o.tp),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()), // metrics are Prometheus'
		otelhttp.WithPropagators(propagation.TraceContext{}),
		// Callers are the public apps: start a trace of our own and link
		// theirs, so no client decides what we sample.
		otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			if r.Pattern == "" {
				return r.Method
			}
			return r.Method + " " + routeOf(r.Pattern)
		}),
	)
}

// routeOf is the path part of a ServeMux pattern ("GET /healthz" gives
// "/healthz"); "unmatched" when no pattern matched (404, 405).
func routeOf(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}
