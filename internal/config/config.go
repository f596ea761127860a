// Package config reads the server's settings from the environment, with a
// command-line flag of the same meaning taking precedence. Secrets come only
// from the environment, never from flags (which show in process lists).
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting; docs: README.md, "Configuration".
type Config struct {
	Port           int
	DatabaseURL    string
	DataDir        string
	AppEnv         string
	LogLevel       string
	PhoneRegion    string
	AllowedOrigins []string
	MaxBodyBytes   int64
	MaxDepth       int
	MaxComplexity  int
	MaxTokens      int
	Introspection  bool
	DBMaxConns     int
	// CompiledReads answers the queries it can with one SQL statement each
	// on PostgreSQL (internal/sqlread); off, every field goes through the
	// resolvers.
	CompiledReads bool
	// SignInCacheSize is how many sign-ins each instance remembers on
	// PostgreSQL (access.SignInCache); 0 turns the cache off.
	SignInCacheSize int
	// SeedDemo loads the demo data into a new, empty embedded database.
	SeedDemo bool
	// AuthLocalSecret signs development tokens; empty: a random one kept in DataDir.
	AuthLocalSecret string
	// FirebaseProjectID enables Firebase Authentication (and FCM).
	FirebaseProjectID string
	// Rate limits: sustained requests per second and burst, per client IP
	// and per widget key.
	RatePerIP, BurstPerIP               float64
	RatePerWidgetKey, BurstPerWidgetKey float64
	// BlobDir holds uploaded photos (empty: DataDir/blobs); BlobURLSecret
	// signs their links.
	BlobDir, BlobURLSecret string
	// SurveyLinkSecret signs one-time survey links (empty: a random one
	// kept in DataDir); SurveyInviteDelay is how long after delivery the
	// survey invitation is pushed.
	SurveyLinkSecret  string
	SurveyInviteDelay time.Duration
	// TrustedProxies are the CIDRs of load balancers whose X-Forwarded-For is believed.
	TrustedProxies []string
	// MetricsToken, when set, is required as "Authorization: Bearer
	// <token>" on /metrics; unset, /metrics is open on the main port.
	MetricsToken string
	// Tracing exports OpenTelemetry traces over OTLP/HTTP. It is on when
	// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
	// is set, unless OTEL_SDK_DISABLED=true; the exporter reads the other
	// standard OTEL_* variables itself.
	Tracing bool
	// ReminderSweepEvery is how often the reminder sweep runs (on one
	// instance at a time).
	ReminderSweepEvery time.Duration
	// Points (internal/points): a paid visit earns a point per
	// PointsEarnCents of its total; a referral pays PointsReferral to the
	// referrer; a point redeemed takes PointsValueCents off a work order.
	PointsEarnCents  int64
	PointsReferral   int
	PointsValueCents int64
}

// Production reports whether the server runs with production safeguards.
func (c Config) Production() bool { return strings.EqualFold(c.AppEnv, "production") }

// Load reads the environment, then flags from args. A variable that is set
// but cannot be read (PORT=abc) is an error, not a silent default.
func Load(args []string) (Config, error) {
	var bad []error
	envInt := func(k string, def int) int { return parseEnv(k, def, strconv.Atoi, &bad) }
	envFloat := func(k string, def float64) float64 {
		return parseEnv(k, def, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }, &bad)
	}
	envBool := func(k string, def bool) bool { return parseEnv(k, def, strconv.ParseBool, &bad) }
	c := Config{
		Port:               envInt("PORT", 8080),
		DatabaseURL:        os.Getenv("DATABASE_URL"),
		DataDir:            envStr("DATA_DIR", "data"),
		AppEnv:             envStr("APP_ENV", "development"),
		LogLevel:           envStr("LOG_LEVEL", "info"),
		PhoneRegion:        envStr("PHONE_REGION", "CN"),
		AllowedOrigins:     envList("CORS_ALLOWED_ORIGINS"),
		MaxBodyBytes:       int64(envInt("MAX_BODY_BYTES", 1<<20)),
		MaxDepth:           envInt("QUERY_MAX_DEPTH", 12),
		MaxComplexity:      envInt("QUERY_MAX_COMPLEXITY", 1000),
		MaxTokens:          envInt("QUERY_MAX_TOKENS", 2000),
		Introspection:      envBool("INTROSPECTION", false),
		DBMaxConns:         envInt("DB_MAX_CONNS", 0),
		CompiledReads:      envBool("COMPILED_READS", true),
		SignInCacheSize:    envInt("SIGNIN_CACHE_SIZE", 100_000),
		SeedDemo:           envBool("SEED_DEMO", true),
		AuthLocalSecret:    os.Getenv("AUTH_LOCAL_SECRET"),
		FirebaseProjectID:  os.Getenv("FIREBASE_PROJECT_ID"),
		RatePerIP:          envFloat("RATE_LIMIT_IP_RPS", 50),
		BurstPerIP:         envFloat("RATE_LIMIT_IP_BURST", 100),
		RatePerWidgetKey:   envFloat("RATE_LIMIT_WIDGET_RPS", 20),
		BurstPerWidgetKey:  envFloat("RATE_LIMIT_WIDGET_BURST", 40),
		TrustedProxies:     envList("TRUSTED_PROXIES"),
		BlobURLSecret:      os.Getenv("BLOB_URL_SECRET"),
		BlobDir:            os.Getenv("BLOB_DIR"),
		MetricsToken:       os.Getenv("METRICS_TOKEN"),
		SurveyLinkSecret:   os.Getenv("SURVEY_LINK_SECRET"),
		SurveyInviteDelay:  parseEnv("SURVEY_INVITE_DELAY", 24*time.Hour, time.ParseDuration, &bad),
		ReminderSweepEvery: parseEnv("REMINDER_SWEEP_INTERVAL", 10*time.Minute, time.ParseDuration, &bad),
		PointsEarnCents:    int64(envInt("POINTS_EARN_CENTS", 100)),
		PointsReferral:     envInt("POINTS_REFERRAL", 5000),
		PointsValueCents:   int64(envInt("POINTS_VALUE_CENTS", 1)),
		Tracing: (os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "") &&
			!envBool("OTEL_SDK_DISABLED", false),
	}
	fs := flag.NewFlagSet("aftercare", flag.ContinueOnError)
	fs.IntVar(&c.Port, "port", c.Port, "HTTP port (PORT)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the embedded SQLite database (DATA_DIR)")
	fs.StringVar(&c.AppEnv, "env", c.AppEnv, "development or production (APP_ENV)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if len(bad) > 0 {
		return c, errors.Join(bad...)
	}

	return c, c.validate()
}

func (c Config) validate() error {
	var errs []error
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("PORT %d is not a port", c.Port))
	}
	if c.MaxBodyBytes < 1024 || c.MaxDepth < 2 || c.MaxComplexity < 10 || c.MaxTokens < 100 {
		errs = append(errs, errors.New("MAX_BODY_BYTES, QUERY_MAX_DEPTH, QUERY_MAX_COMPLEXITY or QUERY_MAX_TOKENS is too small"))
	}
	if c.DBMaxConns < 0 || c.SignInCacheSize < 0 {
		errs = append(errs, errors.New("DB_MAX_CONNS and SIGNIN_CACHE_SIZE must be 0 or more"))
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR", p))
		}
	}
	if c.Production() && c.DatabaseURL == "" {
		errs = append(errs, errors.New("APP_ENV=production needs DATABASE_URL (PostgreSQL)"))
	}
	if c.Production() && (c.BlobURLSecret == "" || c.AuthLocalSecret != "") {
		errs = append(errs, errors.New("APP_ENV=production needs BLOB_URL_SECRET (shared by all instances) and no AUTH_LOCAL_SECRET"))
	}
	if c.ReminderSweepEvery < time.Minute {
		errs = append(errs, errors.New("REMINDER_SWEEP_INTERVAL must be at least 1m"))
	}
	if c.Production() && c.SurveyLinkSecret == "" {
		errs = append(errs, errors.New("APP_ENV=production needs SURVEY_LINK_SECRET (shared by all instances)"))
	}
	if c.SurveyInviteDelay <= 0 || c.SurveyInviteDelay > 72*time.Hour {
		errs = append(errs, errors.New("SURVEY_INVITE_DELAY must be above 0 and at most 72h: surveys go out within 3 days of delivery"))
	}
	if c.PointsEarnCents < 1 || c.PointsValueCents < 1 || c.PointsReferral < 0 {
		errs = append(errs, errors.New("POINTS_EARN_CENTS and POINTS_VALUE_CENTS must be at least 1, POINTS_REFERRAL at least 0"))
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		errs = append(errs, errors.New("METRICS_TOKEN must be at least 16 characters"))
	}
	if c.AuthLocalSecret != "" && len(c.AuthLocalSecret) < 32 {
		errs = append(errs, errors.New("AUTH_LOCAL_SECRET must be at least 32 characters"))
	}
	if c.Production() && c.FirebaseProjectID == "" {
		errs = append(errs, errors.New("APP_ENV=production needs FIREBASE_PROJECT_ID: the local token signer is for development only"))
	}
	return errors.Join(errs...)
}

func envStr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envList(k string) []string {
	var out []string
	for _, s := range strings.Split(os.Getenv(k), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseEnv reads variable k with parse; unset gives def, unreadable adds
// an error to bad.
func parseEnv[T any](k string, def T, parse func(string) (T, error), bad *[]error) T {
	raw, ok := os.LookupEnv(k)
	if !ok || raw == "" {
		return def
	}
	v, err := parse(raw)
	if err != nil {
		*bad = append(*bad, fmt.Errorf("%s=%q cannot be read", k, raw))
		return def
	}
	return v
}
