// Package app wires the configured parts into a running API: database,
// migrations, authentication, resolvers and the HTTP server. server.go
// calls it for `serve`; the integration tests call it to run the very same
// server in-process.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"aftercare/ent"
	"aftercare/graph"
	"aftercare/internal/access"
	"aftercare/internal/audit"
	"aftercare/internal/auth"
	"aftercare/internal/blob"
	"aftercare/internal/booking"
	"aftercare/internal/complaint"
	"aftercare/internal/config"
	"aftercare/internal/customervalue"
	"aftercare/internal/dispatch"
	"aftercare/internal/httpserver"
	"aftercare/internal/notify"
	"aftercare/internal/observe"
	"aftercare/internal/pglisten"
	"aftercare/internal/photos"
	"aftercare/internal/points"
	"aftercare/internal/progress"
	"aftercare/internal/ratelimit"
	"aftercare/internal/reminder"
	"aftercare/internal/schedule"
	"aftercare/internal/store"
	"aftercare/internal/survey"
	"aftercare/internal/widgetkeys"
	"aftercare/internal/workorder"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/api/option"
)

// App is an assembled API.
type App struct {
	Config  config.Config
	DB      *store.DB
	Handler http.Handler
	// Signer mints development tokens; nil in production.
	Signer    *auth.LocalSigner
	Logger    *slog.Logger
	verifiers []auth.Verifier
	claims    auth.ClaimsSetter
	// Hub carries live repair progress; on PostgreSQL a listener feeds it
	// the events of every instance.
	Hub *progress.Hub
	// SignIns caches sign-ins on PostgreSQL, where the listener hears when
	// one ends or changes; nil otherwise.
	SignIns    *access.SignInCache
	stopListen context.CancelFunc
	draining   atomic.Bool
	// Observe holds the app's metrics registry and tracer.
	Observe *observe.Observer
}

// Option adjusts an App for tests.
type Option func(*options)

type options struct {
	store store.Config
	spans sdktrace.SpanExporter
}

// WithSQLObserver reports every SQL statement to observe.
func WithSQLObserver(observe func(ctx context.Context, stmt string)) Option {
	return func(o *options) { o.store.Observe = observe }
}

// WithSpanExporter turns tracing on and hands every span to exp as it ends.
func WithSpanExporter(exp sdktrace.SpanExporter) Option {
	return func(o *options) { o.spans = exp }
}

// New opens and migrates the database and builds the HTTP handler.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...Option) (*App, error) {
	o := options{store: store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxConns: int32(cfg.DBMaxConns),
		Reads: cfg.CompiledReads}}
	for _, opt := range opts {
		opt(&o)
	}
	obs, err := observe.New(ctx, observe.Options{MetricsToken: cfg.MetricsToken, OTLP: cfg.Tracing, SpanExporter: o.spans, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	if cfg.MetricsToken == "" && cfg.Production() {
		logger.Warn("METRICS_TOKEN is unset: /metrics is open on the main port; keep it off the public internet")
	}
	if obs.Tracing() {
		o.store.WrapDriver = obs.SQLDriver
	}
	db, err := store.Open(ctx, o.store)
	if err != nil {
		obs.Shutdown(ctx)
		return nil, err
	}
	a := &App{Config: cfg, DB: db, Logger: logger, Observe: obs}
	applied, err := db.Migrate(ctx)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if len(applied) > 0 {
		logger.Info("applied migrations", "versions", applied)
	}
	db.Client.Owner.Use(audit.OwnerChanges())
	if db.Pool != nil && cfg.SignInCacheSize > 0 {
		a.SignIns = access.NewSignInCache(cfg.SignInCacheSize, time.Hour)
		a.SignIns.Watch(db.Client)
	}
	if err := a.setUpAuth(ctx); err != nil {
		a.Close()
		return nil, err
	}
	a.Hub = progress.NewHub()
	if err := a.startListener(ctx); err != nil {
		a.Close()
		return nil, err
	}
	obs.WatchDB(db)
	obs.WatchSubscriptions(a.Hub.Count)
	handler, err := a.newHandler()
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Handler = handler
	return a, nil
}

// startListener relays other instances' progress events and sign-in
// changes on PostgreSQL, and waits until it listens, so no event committed
// after start-up is missed.
func (a *App) startListener(ctx context.Context) error {
	if a.DB.Pool == nil {
		return nil
	}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.stopListen = cancel
	ready := make(chan struct{})
	chans := []pglisten.Channel{progress.Listener(a.Hub)}
	if a.SignIns != nil {
		chans = append(chans, a.SignIns.Listener())
	}
	go pglisten.Run(lctx, a.DB.Pool, a.Logger, chans, ready)
	select {
	case <-ready:
		return nil
	case <-time.After(10 * time.Second):
		cancel()
		return fmt.Errorf("progress listener did not start")
	}
}

func (a *App) publisher() progress.Publisher {
	if a.DB.Pool != nil {
		return progress.PostgresPublisher{}
	}
	return progress.LocalPublisher{Hub: a.Hub}
}

// RunBackground runs the instance's background work until ctx ends: the
// outbox dispatcher that pushes owners' messages (every instance takes
// part; claims are leased) and the periodic jobs (one instance at a time
// runs each; see internal/schedule).
func (a *App) RunBackground(ctx context.Context) error {
	sender, err := notify.NewSenderFromEnv(ctx, a.Logger)
	if err != nil {
		return fmt.Errorf("push sender: %w", err)
	}
	d := &dispatch.Dispatcher{Client: a.DB.Client, Sender: sender, Dialect: a.DB.Dialect, Logger: a.Logger, Metrics: a.Observe}
	go d.Run(ctx, 2*time.Second)
	s := &schedule.Scheduler{Client: a.DB.Client, Logger: a.Logger, Jobs: a.Jobs()}
	go s.Run(ctx, 30*time.Second)
	return nil
}

// Jobs are the periodic jobs of the instance.
func (a *App) Jobs() []schedule.Job {
	sweeper := &reminder.Sweeper{Client: a.DB.Client, Dialect: a.DB.Dialect, Logger: a.Logger}
	return []schedule.Job{
		{Name: "reminder_sweep", Every: a.Config.ReminderSweepEvery, Run: func(ctx context.Context, since, now time.Time) error {
			st, err := sweeper.Run(ctx, since, now)
			a.Logger.Info("reminder sweep", "vehicles", st.Vehicles, "batches", st.Batches, "reminders", st.Reminders,
				"calls", st.Calls, "took", time.Since(now).String())
			return err
		}},
		{Name: "lapse_classification", Every: 24 * time.Hour, Run: func(ctx context.Context, _, now time.Time) error {
			n, err := sweeper.ClassifyLapses(ctx, now)
			a.Logger.Info("lapse classification", "call_tasks", n)
			return err
		}},
		{Name: "tier_recompute", Every: 24 * time.Hour, Run: func(ctx context.Context, _, now time.Time) error {
			n, err := customervalue.Recomputer{}.All(ctx, a.DB.Client, now)
			a.Logger.Info("tiers recomputed", "changed", n)
			return err
		}},
		{Name: "complaint_escalation", Every: time.Minute, Run: func(ctx context.Context, _, now time.Time) error {
			n, err := complaint.EscalateOverdue(ctx, a.DB.Client, now)
			if n > 0 {
				a.Logger.Info("complaints escalated", "steps", n)
			}
			return err
		}},
	}
}

// afterDelivery runs each step in the delivery's transaction, in order.
func afterDelivery(steps ...func(context.Context, *ent.Client, *ent.WorkOrder, time.Time) error) func(context.Context, *ent.Client, *ent.WorkOrder, time.Time) error {
	return func(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, now time.Time) error {
		for _, step := range steps {
			if err := step(ctx, c, wo, now); err != nil {
				return err
			}
		}
		return nil
	}
}

// Close stops the listener, releases the database and flushes traces.
func (a *App) Close() error {
	if a.stopListen != nil {
		a.stopListen()
	}
	err := a.DB.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(err, a.Observe.Shutdown(ctx))
}

func (a *App) setUpAuth(ctx context.Context) error {
	if a.Config.FirebaseProjectID != "" {
		// Verifying tokens needs no credentials; setting staff claims
		// (grantStaffRole) needs the service account, when configured.
		var opts []option.ClientOption
		if path := os.Getenv("GOOGLE_APPLICATION_CREDENTIALS"); path != "" {
			opts = append(opts, option.WithCredentialsFile(path))
		}
		fv, err := auth.NewFirebaseVerifier(ctx, a.Config.FirebaseProjectID, opts...)
		if err != nil {
			return fmt.Errorf("firebase auth: %w", err)
		}
		if fv.Emulated() {
			if err := auth.CheckEmulatorAllowed(a.Config.AppEnv); err != nil {
				return err
			}
		}
		a.verifiers = append(a.verifiers, fv)
		a.claims = fv
	}
	if auth.CheckLocalAllowed(a.Config.AppEnv) == nil {
		key, err := secret(a.Config.AuthLocalSecret, a.Config.DataDir, "local-signer.key")
		if err != nil {
			return err
		}
		a.Signer = auth.NewLocalSigner(key, "aftercare-dev")
		a.verifiers = append(a.verifiers, a.Signer)
	}
	return nil
}

func (a *App) newHandler() (http.Handler, error) {
	dir := access.Directory{Client: a.DB.Client, SignIns: a.SignIns}
	blobSecret, err := secret(a.Config.BlobURLSecret, a.Config.DataDir, "blob-url.key")
	if err != nil {
		return nil, err
	}
	signer := blob.Signer{Secret: blobSecret, TTL: 15 * time.Minute, Now: time.Now}
	blobDir := a.Config.BlobDir
	if blobDir == "" {
		blobDir = filepath.Join(a.Config.DataDir, "blobs")
	}
	blobs := blob.Dir{Root: blobDir}
	surveySecret, err := secret(a.Config.SurveyLinkSecret, a.Config.DataDir, "survey-link.key")
	if err != nil {
		return nil, err
	}
	invites := survey.Inviter{Policy: survey.DefaultPolicy}
	invites.Policy.Delay = a.Config.SurveyInviteDelay
	ledger := &points.Ledger{Rules: points.Rules{EarnCents: a.Config.PointsEarnCents, Referral: a.Config.PointsReferral, ValueCents: a.Config.PointsValueCents}}
	workOrders := &workorder.Service{Publisher: a.publisher(),
		AfterDeliver: afterDelivery(invites.AfterDelivery, customervalue.Recomputer{}.AfterDelivery, ledger.AfterDelivery),
		AfterCancel:  ledger.AfterCancel}
	resolver := &graph.Resolver{Client: a.DB.Client, Logger: a.Logger, PhoneRegion: a.Config.PhoneRegion, Claims: a.claims,
		Booking:    &booking.Service{Dialect: a.DB.Dialect},
		WorkOrders: workOrders,
		Points:     ledger,
		Surveys:    &survey.Service{Links: survey.Links{Secret: surveySecret}},
		Hub:        a.Hub,
		Photos:     &photos.Service{Store: blobs, Signer: signer},
	}
	var proxies []netip.Prefix
	for _, p := range a.Config.TrustedProxies {
		proxies = append(proxies, netip.MustParsePrefix(p)) // validated by config.Load
	}
	return httpserver.New(httpserver.Config{
		Development:      !a.Config.Production(),
		Introspection:    a.Config.Introspection,
		MaxBodyBytes:     a.Config.MaxBodyBytes,
		MaxDepth:         a.Config.MaxDepth,
		MaxComplexity:    a.Config.MaxComplexity,
		MaxTokens:        a.Config.MaxTokens,
		AllowedOrigins:   a.Config.AllowedOrigins,
		RatePerIP:        ratelimit.Rule{Rate: a.Config.RatePerIP, Burst: int(a.Config.BurstPerIP)},
		RatePerWidgetKey: ratelimit.Rule{Rate: a.Config.RatePerWidgetKey, Burst: int(a.Config.BurstPerWidgetKey)},
		TrustedProxies:   proxies,
	}, httpserver.Deps{
		DB:            a.DB,
		Resolver:      resolver,
		Logger:        a.Logger,
		Authenticate:  auth.Middleware(a.verifiers, dir, a.Logger),
		WebsocketInit: websocketInit(a.verifiers, dir),
		Widgets:       &widgetkeys.Authenticator{Client: a.DB.Client, Now: time.Now},
		Limiter:       ratelimit.New(ratelimit.Options{}),
		Files:         blob.Handler(blobs, signer),
		Draining:      &a.draining,
		Observe:       a.Observe,
	}), nil
}

func websocketInit(verifiers []auth.Verifier, dir auth.Resolver) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		v, err := auth.ViewerFromInitPayload(ctx, payload, verifiers, dir)
		if err != nil {
			// 4401 makes graphql-ws give up instead of reconnecting in a
			// loop; 1013 (try again later) when the token could not be
			// checked at all, so the client retries.
			code := 4401
			var f *auth.Failure
			if errors.As(err, &f) && f.Status >= 500 {
				code = 1013
			}
			return transport.WithWebsocketCloseCode(ctx, code), nil, err
		}
		return auth.NewContext(ctx, v), nil, nil
	}
}

// secret is the configured secret, or a random one kept in the data
// directory (development), so that printed tokens and signed links survive
// a restart. Production configures it: instances must share it.
func secret(configured, dataDir, file string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	path := filepath.Join(dataDir, file)
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(b[:])
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		return nil, err
	}
	return []byte(secret), nil
}

// Serve runs the HTTP server until ctx is cancelled, then shuts down
// gracefully: it stops accepting, closes websockets (their contexts end),
// and waits up to drain for requests in flight.
func (a *App) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	base, closeSockets := context.WithCancel(context.Background())
	defer closeSockets()
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(_ net.Listener) context.Context { return base },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Logger.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down", "drain", drain)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	a.draining.Store(true)
	closeSockets()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
