// Package httpserver assembles the HTTP surface: the GraphQL endpoint (POST,
// GET and websockets), GraphiQL in development, health and readiness
// probes, and the middleware every request passes (request id, access log,
// body limit, CORS, authentication). It is the composition root of the API;
// domain packages never import it.
package httpserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"aftercare/ent"
	"aftercare/graph"
	"aftercare/internal/audit"
	"aftercare/internal/observe"
	"aftercare/internal/ratelimit"
	"aftercare/internal/reqctx"
	"aftercare/internal/sqlread"
	"aftercare/internal/store"
	"aftercare/internal/widgetjs"
	"aftercare/internal/widgetkeys"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	coderws "github.com/coder/websocket"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
)

// Config is the HTTP layer's share of the configuration.
type Config struct {
	// Development turns on GraphiQL at / and introspection.
	Development bool
	// Introspection may be turned on in production for internal tooling.
	Introspection bool
	MaxBodyBytes  int64
	MaxDepth      int
	MaxComplexity int
	// MaxTokens bounds an operation's length in GraphQL tokens.
	MaxTokens      int
	AllowedOrigins []string
	// RatePerIP and RatePerWidgetKey bound request rates (429 beyond them).
	RatePerIP        ratelimit.Rule
	RatePerWidgetKey ratelimit.Rule
	TrustedProxies   []netip.Prefix
}

// Deps are the parts the server is built from.
type Deps struct {
	DB       *store.DB
	Resolver *graph.Resolver
	Logger   *slog.Logger
	// Authenticate puts the viewer into each request's context.
	Authenticate func(http.Handler) http.Handler
	// WebsocketInit authenticates a subscription from its connection_init payload.
	WebsocketInit transport.WebsocketInitFunc
	// Widgets verifies widget keys.
	Widgets *widgetkeys.Authenticator
	// Limiter holds the rate-limit buckets.
	Limiter *ratelimit.Limiter
	// Files serves signed links to uploaded photos.
	Files http.Handler
	// Draining is set when the server shuts down; websockets then close
	// with "service restart" so clients reconnect elsewhere with backoff.
	Draining *atomic.Bool
	// Observe holds the metrics and tracing.
	Observe *observe.Observer
}

// clock is the resolvers' clock (tests replace it).
func (d Deps) clock() time.Time {
	if d.Resolver != nil && d.Resolver.Now != nil {
		return d.Resolver.Now()
	}
	return time.Now()
}

// New returns the HTTP handler of the whole API.
func New(cfg Config, d Deps) http.Handler {
	gql := auditReads(d.DB.Client, limitBody(cfg.MaxBodyBytes, newGraphQLHandler(cfg, d)))
	limit := ratelimit.Middleware(d.Limiter, ratelimit.Config{
		PerIP:          cfg.RatePerIP,
		TrustedProxies: cfg.TrustedProxies,
		KeyFunc: func(r *http.Request) (string, ratelimit.Rule, bool) {
			if key := r.PathValue("key"); key != "" {
				return "widget:" + widgetkeys.Hash(key), cfg.RatePerWidgetKey, true
			}
			return "", ratelimit.Rule{}, false
		},
	})
	mux := http.NewServeMux()
	mux.Handle("/graphql", limit(corsFor(cfg.AllowedOrigins, cfg.Development).Handler(d.Authenticate(gql))))
	mux.Handle("/widget/{key}/graphql", limit(widgetEndpoint(d.Widgets, gql)))
	mux.Handle("GET /widget/{key}/embed.js", limit(widgetjs.Handler(d.Widgets)))
	mux.Handle("GET /widget/{key}/demo", limit(widgetjs.DemoHandler(d.Widgets)))
	mux.Handle("GET /files/{key...}", d.Files)
	mux.Handle("GET /exports/kpis.csv", limit(d.Authenticate(kpiExport(d.DB.Client, d.clock))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", readiness(d.DB))
	// On the main port for simplicity: keep it off the public internet at
	// the load balancer, or set METRICS_TOKEN.
	mux.Handle("GET /metrics", d.Observe.MetricsHandler())
	if cfg.Development {
		mux.Handle("GET /{$}", playground.Handler("aftercare GraphiQL", "/graphql"))
	}
	return withRequestID(accessLog(d.Logger, d.Observe, d.Observe.HTTP(mux)))
}

func newGraphQLHandler(cfg Config, d Deps) *handler.Server {
	schema := graph.NewExecutableSchema(d.Resolver)
	srv := handler.New(schema)
	srv.AddTransport(transport.Websocket{
		Implementation: restartAware{draining: d.Draining, inner: transport.CoderWebsocketImplementation{
			AcceptOptions: coderws.AcceptOptions{OriginPatterns: cfg.AllowedOrigins},
		}},
		InitFunc:              d.WebsocketInit,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second, // legacy graphql-ws "ka"
		// graphql-transport-ws: ping every 25 s so load balancers' idle
		// timeouts do not cut quiet subscriptions; clients answer with pong.
		PingPongInterval: 25 * time.Second,
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(post{})
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: maxUploadBytes, MaxMemory: 8 << 20})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	// The parser stops after MaxTokens tokens (GRAPHQL_PARSE_FAILED). The
	// complexity and depth limits act only after validation, and one of
	// gqlparser's rules (overlapping fields) is quadratic in the fields of
	// a selection: 50,000 copies of one field in a 250 kB document kept a
	// core busy for minutes (TestHostileQueryShapesAreRefused).
	srv.SetParserTokenLimit(cfg.MaxTokens)
	// First, so it is outermost: it sees every response, refusals by the
	// extensions below included, and its span encloses theirs.
	for _, ext := range d.Observe.GraphQL() {
		srv.Use(ext)
	}
	if cfg.Development || cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(NoNUL{})
	srv.Use(FieldLimit{Max: cfg.MaxComplexity})
	srv.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	srv.Use(DepthLimit{Max: cfg.MaxDepth})
	srv.AroundFields(pageLimits)
	srv.Use(transactioner{Transactioner: entgql.Transactioner{TxOpener: d.DB.Client}, logger: d.Logger})
	srv.AroundRootFields(restrictWidgets)
	// Last, so that it is the innermost operation middleware: the limits
	// above have already checked the operation it answers.
	// The store opens the reads pool only with COMPILED_READS on PostgreSQL.
	if d.DB.Reads != nil {
		srv.AroundOperations(sqlread.New(d.DB.Client, d.DB.Reads, schema.Schema(), d.Logger).Middleware)
	}
	srv.SetErrorPresenter(graph.ErrorPresenter(d.Logger))
	srv.SetRecoverFunc(graph.Recover(d.Logger))
	return srv
}

// corsFor lets browser apps on the configured origins call /graphql. With
// none configured, development allows any origin (GraphiQL, local apps)
// and production none: the mobile apps send no Origin and need no CORS.
func corsFor(origins []string, development bool) *cors.Cors {
	allow := func(*http.Request, string) bool { return development }
	if len(origins) > 0 {
		allowed := map[string]bool{}
		for _, o := range origins {
			allowed[strings.ToLower(o)] = true
		}
		allow = func(_ *http.Request, origin string) bool { return allowed[strings.ToLower(origin)] }
	}
	return cors.New(cors.Options{
		AllowOriginRequestFunc: allow,
		AllowedMethods:         []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:         []string{"Authorization", "Content-Type", "X-Request-Id"},
		ExposedHeaders:         []string{"X-Request-Id", "Retry-After"},
		MaxAge:                 600,
	})
}

// auditReads collects the personal-data reads of a request and writes them
// when it ends (one statement, and only when staff read contacts).
func auditReads(c *ent.Client, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, rec := audit.NewContext(r.Context())
		next.ServeHTTP(w, r.WithContext(ctx))
		if err := rec.Flush(context.WithoutCancel(ctx), c, reqctx.RequestID(ctx)); err != nil {
			slog.ErrorContext(ctx, "audit flush failed", "request_id", reqctx.RequestID(ctx), "err", err)
		}
	})
}

// maxUploadBytes bounds a multipart request (photos; the photos package
// limits each file to 10 MB).
const maxUploadBytes = 21 << 20

// limitBody caps request bodies: max for GraphQL documents, more for
// multipart uploads.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := max
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			limit = maxUploadBytes
		}
		if r.ContentLength > limit {
			writeJSON(w, http.StatusRequestEntityTooLarge, gqlErrorBody("request body too large", "BAD_USER_INPUT"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// readiness answers 200 only when the database answers and its schema is
// current, so a load balancer sends no traffic to an instance that cannot
// serve it.
func readiness(db *store.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
			return
		}
		pending, err := db.Pending(ctx)
		if err != nil || len(pending) > 0 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "migrations pending", "pending": pending})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}
}

func gqlErrorBody(msg, code string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": code}}}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
