// Command soak runs mixed traffic against aftercare on PostgreSQL for a
// long time at a share of the measured capacity, and judges whether the
// server stays healthy (issue #11): no errors, no lost subscription events,
// no growth in heap or goroutines, p99 steady.
//
//	go run ./bench/soak                       # 10 minutes at 70% of capacity, fresh database aftercare_soak on 127.0.0.1:5432
//	go run ./bench/soak -duration 20s         # smoke run
//	go run ./bench/soak -rate 80 -duration 30m
//
// It builds the server (or takes -bin), creates and seeds the database when
// missing (-setup re-creates it), starts the server with the reminder sweep
// every minute and the push dispatcher every 2 s, seeds a watched work order
// per subscribing owner, measures capacity with a short saturation run
// (unless -rate is given), then drives the mix in an open loop: owner home
// screens and vehicle reads, advisor day lists with the board, widget slot
// reads and bookings (which advisors cancel again), and technicians moving
// work orders while their owners and the stores' boards follow live over
// websockets. Every -interval it prints a row: requests, p50/p99, errors,
// the server's heap, RSS and goroutines (its /metrics), websockets, the
// database connections, unsent due messages and reminders. At the end it
// checks the subscriptions against the database and judges; it exits 1 on a
// failed judgement.
//
// Loopback only, bounded by -max-run, and it stops the server it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

type cmdConfig struct {
	pgBase, db, bin, url, secret, metricsToken string
	setup                                      bool
	seedOwners, port, dbConns                  int
	maxRun                                     time.Duration
	keep                                       bool
}

func main() {
	var c cmdConfig
	var s soakConfig
	flag.StringVar(&c.pgBase, "pg", "postgres://postgres@127.0.0.1:5432", "PostgreSQL server, without database (loopback)")
	flag.StringVar(&c.db, "db", "aftercare_soak", "database (created and seeded when missing)")
	flag.BoolVar(&c.setup, "setup", false, "drop and re-create -db first")
	flag.IntVar(&c.seedOwners, "seed-owners", 2000, "owners to seed in a new database (aftercare seed --owners N)")
	flag.StringVar(&c.bin, "bin", "", "aftercare binary (default: go build the module into a temporary directory)")
	flag.StringVar(&c.url, "url", "", "soak a server already running at this base URL (loopback) instead of starting one; it must use -db and -secret")
	flag.IntVar(&c.port, "port", 18090, "port of the started server")
	flag.IntVar(&c.dbConns, "db-max-conns", 0, "DB_MAX_CONNS of the started server (0: its default)")
	flag.StringVar(&c.secret, "secret", "soak-local-signer-secret-0123456789abcdef", "AUTH_LOCAL_SECRET of the server (32+ bytes)")
	flag.StringVar(&c.metricsToken, "metrics-token", "", "METRICS_TOKEN of the server, if any")
	flag.DurationVar(&c.maxRun, "max-run", 0, "hard limit on the soak once the server is up (default: duration + capacity + 5 min; building and seeding have their own limits)")
	flag.BoolVar(&c.keep, "keep-data", false, "keep the started server's data directory and log")
	flag.Float64Var(&s.rate, "rate", 0, "operations per second (0: measure capacity, then drive at -fraction of it)")
	flag.Float64Var(&s.fraction, "fraction", 0.7, "share of the measured capacity to drive at")
	flag.DurationVar(&s.capacity, "capacity", 0, "length of the saturation run (default: min(30s, duration/4))")
	flag.IntVar(&s.capacityWorkers, "capacity-workers", 16, "operations in flight during the saturation run")
	flag.DurationVar(&s.duration, "duration", 10*time.Minute, "length of the drive")
	flag.DurationVar(&s.interval, "interval", 0, "one table row per interval (default 1m; duration/4 under 5m)")
	flag.IntVar(&s.owners, "owners", 1000, "owners whose home screens and vehicles are read")
	flag.IntVar(&s.watch, "watch", 200, "work orders followed live by their owners and moved by technicians")
	flag.IntVar(&s.boardsPerStore, "boards", 2, "store-board subscriptions per store (advisor and service manager)")
	flag.Parse()
	if err := c.check(&s); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s.out = os.Stdout
	s.log = logf
	rep, err := runCmd(ctx, &c, s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	if !rep.Passed() {
		os.Exit(1)
	}
}

func (c *cmdConfig) check(s *soakConfig) error {
	var errs []error
	if len(c.secret) < 32 {
		errs = append(errs, errors.New("-secret must be at least 32 bytes"))
	}
	if s.duration <= 0 || s.duration > 24*time.Hour || s.rate < 0 || s.rate > 5000 || s.fraction <= 0 || s.fraction > 1 {
		errs = append(errs, errors.New("-duration must be in (0, 24h], -rate in [0, 5000], -fraction in (0, 1]"))
	}
	if s.owners < 1 || s.watch < 1 || s.watch > 5000 || s.boardsPerStore < 0 || s.boardsPerStore > 50 {
		errs = append(errs, errors.New("-owners must be positive, -watch 1..5000, -boards 0..50"))
	}
	if c.maxRun == 0 {
		c.maxRun = s.duration + max(s.capacity, 30*time.Second) + 5*time.Minute
	}
	for _, u := range []string{c.pgBase, c.url} {
		if u != "" && !strings.Contains(u, "://127.0.0.1") && !strings.Contains(u, "://localhost") && !strings.Contains(u, "@127.0.0.1") && !strings.Contains(u, "@localhost") {
			errs = append(errs, fmt.Errorf("%s is not on loopback", u))
		}
	}
	return errors.Join(errs...)
}

func (c *cmdConfig) dbURL() string {
	return strings.TrimRight(c.pgBase, "/") + "/" + c.db + "?sslmode=disable"
}

func runCmd(ctx context.Context, c *cmdConfig, s soakConfig) (*report, error) {
	s.dbURL, s.secret, s.metricsToken = c.dbURL(), c.secret, c.metricsToken
	if c.url != "" {
		s.base = strings.TrimRight(c.url, "/")
		ctx, cancel := context.WithTimeout(ctx, c.maxRun)
		defer cancel()
		return soak(ctx, s)
	}
	dir, err := os.MkdirTemp("", "aftercare-soak-")
	if err != nil {
		return nil, err
	}
	if !c.keep {
		defer os.RemoveAll(dir)
	} else {
		logf("data directory and server log kept in %s", dir)
	}
	if c.bin == "" {
		c.bin = filepath.Join(dir, "aftercare")
		logf("building the server into %s", c.bin)
		bctx, cancel := context.WithTimeout(ctx, 20*time.Minute) // a busy machine builds slowly
		out, err := exec.CommandContext(bctx, "go", "build", "-o", c.bin, "aftercare").CombinedOutput()
		cancel()
		if err != nil {
			return nil, fmt.Errorf("go build: %w\n%s", err, out)
		}
	}
	env := c.serverEnv(dir)
	if err := ensureDB(ctx, c, env); err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, c, env, dir)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	s.base = fmt.Sprintf("http://127.0.0.1:%d", c.port)
	// The bound covers the soak itself, not the build and the seed.
	sctx, cancel := context.WithTimeout(ctx, c.maxRun)
	defer cancel()
	rep, err := soak(sctx, s)
	if srv.exited() {
		return rep, fmt.Errorf("the server exited during the soak; log: %s", srv.logPath)
	}
	return rep, err
}

// serverEnv is the started server's environment: short sweep and dispatch
// intervals, no rate limits (one client address), quiet logs.
func (c *cmdConfig) serverEnv(dir string) []string {
	env := []string{
		"DATABASE_URL=" + c.dbURL(), "DATA_DIR=" + dir, "AUTH_LOCAL_SECRET=" + c.secret,
		fmt.Sprintf("PORT=%d", c.port), "SEED_DEMO=false", "LOG_LEVEL=warn",
		"RATE_LIMIT_IP_RPS=0", "RATE_LIMIT_WIDGET_RPS=0", "REMINDER_SWEEP_INTERVAL=1m",
	}
	if c.metricsToken != "" {
		env = append(env, "METRICS_TOKEN="+c.metricsToken)
	}
	if c.dbConns > 0 {
		env = append(env, fmt.Sprintf("DB_MAX_CONNS=%d", c.dbConns))
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DATABASE_URL", "DATA_DIR", "AUTH_LOCAL_SECRET", "PORT", "SEED_DEMO", "LOG_LEVEL", "RATE_LIMIT_IP_RPS",
			"RATE_LIMIT_WIDGET_RPS", "REMINDER_SWEEP_INTERVAL", "METRICS_TOKEN", "DB_MAX_CONNS", "APP_ENV",
			"FIREBASE_PROJECT_ID", "FIREBASE_AUTH_EMULATOR_HOST", "FCM_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// ensureDB creates and seeds the database when it is missing (or -setup).
func ensureDB(ctx context.Context, c *cmdConfig, env []string) error {
	admin, err := pgx.Connect(ctx, strings.TrimRight(c.pgBase, "/")+"/postgres?sslmode=disable")
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	ident := pgx.Identifier{c.db}.Sanitize()
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, c.db).Scan(&exists); err != nil {
		return err
	}
	if exists && !c.setup {
		return nil
	}
	logf("setup: (re-)creating database %s and seeding %d owners", c.db, c.seedOwners)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(sctx, c.bin, "seed", "--owners", fmt.Sprint(c.seedOwners))
	cmd.Env = append(env, "LOG_LEVEL=error")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("seed: %w\n%s", err, out)
	}
	return nil
}

// server is the started aftercare process.
type server struct {
	cmd     *exec.Cmd
	done    chan struct{}
	logPath string
}

func startServer(ctx context.Context, c *cmdConfig, env []string, dir string) (*server, error) {
	logPath := filepath.Join(dir, "server.log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.bin, "serve")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan struct{}), logPath: logPath}
	go func() { _ = cmd.Wait(); f.Close(); close(s.done) }()
	ready := fmt.Sprintf("http://127.0.0.1:%d/readyz", c.port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if res, err := http.Get(ready); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				logf("server up (pid %d, log %s)", cmd.Process.Pid, logPath)
				return s, nil
			}
		}
		if s.exited() || time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			b, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("server did not become ready:\n%s", b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM (the server drains for up to 20 s), then SIGKILL.
func (s *server) stop() {
	if s.exited() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(25 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
