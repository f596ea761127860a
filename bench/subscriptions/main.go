// Command subscriptions is a load tool for live repair progress (issue #5):
// it opens many graphql-transport-ws subscriptions against a running (or
// spawned) aftercare server on PostgreSQL, drives work-order events through
// the API at a fixed rate, and reports delivery latency, lost and duplicate
// events, and the server's memory and CPU.
//
//	go build -o /tmp/aftercare-bench /work/main
//	go run ./bench/subscriptions -setup -spawn /tmp/aftercare-bench -subs 500 -duration 10s
//	go run ./bench/subscriptions -setup -spawn /tmp/aftercare-bench            # 10,000 subscriptions, 100 events/s, 60 s
//
// Everything is bounded: the number of connections, the events, and the
// whole run (-max-run). Run it on loopback only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type config struct {
	pgBase   string // postgres://postgres@127.0.0.1:5432
	db       string
	setup    bool
	owners   int // seeded owners (with -setup)
	spawn    string
	bin      string
	port     int
	url      string
	pid      int
	secret   string
	dataDir  string
	dbConns  int
	subs     int
	boards   int
	rate     float64
	inflight int
	eps      float64
	duration time.Duration
	hot      int
	drivers  int
	settle   time.Duration
	drain    time.Duration
	ackWait  time.Duration
	maxRun   time.Duration
	verbose  bool
	dump     bool
	killAt   time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.pgBase, "pg", "postgres://postgres@127.0.0.1:5432", "PostgreSQL server URL, without database")
	flag.StringVar(&c.db, "db", "aftercare_bench_subs", "database name (dropped and re-created by -setup)")
	flag.BoolVar(&c.setup, "setup", false, "drop and re-create -db, seed it (aftercare seed --owners N) and create one open work order per owner at store 1 (needs the binary: -spawn or -bin)")
	flag.IntVar(&c.owners, "owners", 10000, "owners to seed with -setup (must be at least -subs minus -boards)")
	flag.StringVar(&c.spawn, "spawn", "", "path of the aftercare binary to start as the server (empty: use the server at -url and -server-pid)")
	flag.StringVar(&c.bin, "bin", "", "path of the aftercare binary for -setup and staff tokens (default: the -spawn path, else /tmp/aftercare-bench)")
	flag.IntVar(&c.port, "port", 18080, "port of the spawned server")
	flag.StringVar(&c.url, "url", "", "base URL of the server (default http://127.0.0.1:<port>)")
	flag.IntVar(&c.pid, "server-pid", 0, "pid of a server not spawned here, for RSS and CPU samples (0: not sampled)")
	flag.StringVar(&c.secret, "secret", "bench-subscriptions-local-signer-secret-0123456789", "AUTH_LOCAL_SECRET shared with the server (32+ bytes)")
	flag.StringVar(&c.dataDir, "data-dir", "", "DATA_DIR of the spawned server and the CLI (default: a new temporary directory)")
	flag.IntVar(&c.dbConns, "db-max-conns", 0, "DB_MAX_CONNS of the spawned server (0: the server's default, max(4, cores))")
	flag.IntVar(&c.subs, "subs", 10000, "websocket connections, one subscription each")
	flag.IntVar(&c.boards, "boards", 100, "of -subs, store-board subscriptions (advisor and service-manager tokens); the rest are owners watching their own work order")
	flag.Float64Var(&c.rate, "rate", 500, "connections opened per second during the ramp")
	flag.IntVar(&c.inflight, "inflight", 1000, "at most this many connections between dial and first message at once")
	flag.Float64Var(&c.eps, "eps", 100, "events (advanceWorkOrder mutations) per second")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "how long events are driven")
	flag.IntVar(&c.hot, "hot", 0, "spread events over only the first N watched work orders (0: all of them, round robin)")
	flag.IntVar(&c.drivers, "drivers", 16, "concurrent mutation senders (each owns a fixed share of the work orders)")
	flag.DurationVar(&c.settle, "settle", 5*time.Second, "pause after the ramp before the loaded sample and the drive")
	flag.DurationVar(&c.drain, "drain", 30*time.Second, "how long to wait after the drive for the last deliveries")
	flag.DurationVar(&c.ackWait, "ack-wait", 120*time.Second, "how long to wait, after the last dial, for every subscription's first message")
	flag.DurationVar(&c.maxRun, "max-run", 15*time.Minute, "hard limit on the whole run")
	flag.BoolVar(&c.verbose, "v", false, "log more")
	flag.DurationVar(&c.killAt, "kill-listener-at", 0, "this long into the drive, terminate the server's LISTEN connection (pg_terminate_backend) to exercise reconnect and WakeAll (0: never)")
	flag.BoolVar(&c.dump, "dump-goroutines", false, "at the end, with the clients still connected, SIGQUIT the spawned server and count its goroutines from the dump")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: go run ./bench/subscriptions [flags]\n\n"+
			"Opens -subs graphql-transport-ws connections to /graphql (owners watching their work order with\n"+
			"workOrderProgress, -boards staff watching storeBoard of store 1), drives -eps advanceWorkOrder\n"+
			"mutations per second for -duration as the store-1 technician, and reports delivery latency,\n"+
			"lost and duplicate events, server RSS and CPU.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "subscriptions:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, c.maxRun)
	defer cancel()
	if err := run(ctx, &c); err != nil {
		fmt.Fprintln(os.Stderr, "subscriptions:", err)
		os.Exit(1)
	}
}

func (c *config) check() error {
	var errs []error
	if c.subs < 1 || c.subs > 20000 {
		errs = append(errs, errors.New("-subs must be 1..20000"))
	}
	if c.boards < 0 || c.boards >= c.subs {
		errs = append(errs, errors.New("-boards must be 0..subs-1"))
	}
	if c.rate <= 0 || c.rate > 5000 || c.eps <= 0 || c.eps > 2000 {
		errs = append(errs, errors.New("-rate must be in (0, 5000] and -eps in (0, 2000]"))
	}
	if c.duration <= 0 || c.duration > time.Hour {
		errs = append(errs, errors.New("-duration must be in (0, 1h]"))
	}
	if c.drivers < 1 || c.drivers > 256 || c.inflight < 1 {
		errs = append(errs, errors.New("-drivers must be 1..256 and -inflight positive"))
	}
	if len(c.secret) < 32 {
		errs = append(errs, errors.New("-secret must be at least 32 bytes"))
	}
	if c.setup && c.owners < c.subs-c.boards {
		errs = append(errs, fmt.Errorf("-owners %d is fewer than the %d owner subscriptions", c.owners, c.subs-c.boards))
	}
	if c.bin == "" {
		c.bin = c.spawn
		if c.bin == "" {
			c.bin = "/tmp/aftercare-bench"
		}
	}
	if c.url == "" {
		c.url = fmt.Sprintf("http://127.0.0.1:%d", c.port)
	}
	c.url = strings.TrimRight(c.url, "/")
	if !strings.HasPrefix(c.url, "http://127.0.0.1") && !strings.HasPrefix(c.url, "http://localhost") {
		errs = append(errs, errors.New("-url must be on loopback (http://127.0.0.1:... or http://localhost:...)"))
	}
	if c.dataDir == "" {
		d, err := os.MkdirTemp("", "aftercare-bench-subs-")
		if err != nil {
			errs = append(errs, err)
		}
		c.dataDir = d
	}
	if abs, err := filepath.Abs(c.dataDir); err == nil {
		c.dataDir = abs
	}
	return errors.Join(errs...)
}

// dbURL is the aftercare database's URL.
func (c *config) dbURL() string {
	return strings.TrimRight(c.pgBase, "/") + "/" + c.db + "?sslmode=disable"
}

// serverEnv is the environment of the spawned server and of the CLI.
func (c *config) serverEnv() []string {
	env := []string{
		"DATABASE_URL=" + c.dbURL(),
		"DATA_DIR=" + c.dataDir,
		"AUTH_LOCAL_SECRET=" + c.secret,
		fmt.Sprintf("PORT=%d", c.port),
		"SEED_DEMO=false",
		"LOG_LEVEL=warn",
		"RATE_LIMIT_IP_RPS=0",
	}
	if c.dbConns > 0 {
		env = append(env, fmt.Sprintf("DB_MAX_CONNS=%d", c.dbConns))
	}
	// Keep PATH, HOME and the like; drop anything that would override the above.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DATABASE_URL", "DATA_DIR", "AUTH_LOCAL_SECRET", "PORT", "SEED_DEMO", "LOG_LEVEL", "RATE_LIMIT_IP_RPS",
			"DB_MAX_CONNS", "APP_ENV", "FIREBASE_PROJECT_ID", "FIREBASE_AUTH_EMULATOR_HOST":
			continue
		}
		env = append(env, kv)
	}
	return env
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}
