// Package store opens the database (embedded SQLite by default, PostgreSQL
// through pgx v5 in production), applies the versioned migrations and hands
// out the ent client. Everything above it uses ent and never knows which
// dialect it runs on.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"aftercare/ent"
	_ "aftercare/ent/runtime" // registers schema hooks and privacy policies

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"
)

// Config says which database to open.
type Config struct {
	// DatabaseURL is a postgres:// URL; empty selects the embedded SQLite file.
	DatabaseURL string
	// DataDir holds the SQLite file when DatabaseURL is empty.
	DataDir string
	// MaxConns caps the PostgreSQL pool (0: pgx's default, max(4, cores)).
	MaxConns int32
	// Observe, when set, is told of every statement ent runs (tests count
	// statements per request with it). It costs a string format per
	// statement, so production leaves it nil.
	Observe func(ctx context.Context, msg string)
	// WrapDriver, when set, wraps the driver under the ent client (the
	// app's SQL tracing).
	WrapDriver func(dialect.Driver) dialect.Driver
	// Reads opens DB.Reads, the compiled reads' pool (PostgreSQL only).
	Reads bool
}

// DB is an open database with its ent client.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
	// Pool is the pgx pool on PostgreSQL (nil on SQLite), for what needs pgx
	// itself, such as LISTEN/NOTIFY.
	Pool *pgxpool.Pool
	// Driver is the ent driver under Client, for raw SQL through ent.
	Driver *entsql.Driver
	// Reads runs the compiled reads of internal/sqlread on a pool of its own
	// (PostgreSQL with Config.Reads; nil otherwise), wrapped like Client's
	// driver. Its
	// sessions plan with plan_cache_mode=force_generic_plan: a compiled
	// read is one large prepared statement, which PostgreSQL would
	// otherwise plan anew on every execution (3 of its 4 ms on the nested
	// list). Its arguments are ids, times and enum values, for which a
	// generic plan is as good as a custom one. DateStyle is ISO, which
	// sqlread's time format relies on.
	Reads dialect.Driver
	reads *pgxpool.Pool
}

// Open connects to the configured database. It does not migrate: call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Reads && db.Dialect == dialect.Postgres {
		if db.reads, err = pgxPool(ctx, cfg, map[string]string{"plan_cache_mode": "force_generic_plan", "datestyle": "ISO, MDY"}); err != nil {
			db.Close()
			return nil, err
		}
		db.Reads = wrap(cfg, entsql.OpenDB(dialect.Postgres, stdlib.OpenDBFromPool(db.reads)))
	}
	if cfg.Observe != nil || cfg.WrapDriver != nil {
		db.Client = ent.NewClient(ent.Driver(wrap(cfg, db.Driver)))
	}
	return db, nil
}

// wrap adds the statement observer and the tracing wrapper to a driver.
func wrap(cfg Config, drv dialect.Driver) dialect.Driver {
	if cfg.Observe != nil {
		drv = dialect.DebugWithContext(drv, func(ctx context.Context, args ...any) {
			cfg.Observe(ctx, fmt.Sprint(args...))
		})
	}
	if cfg.WrapDriver != nil {
		drv = cfg.WrapDriver(drv)
	}
	return drv
}

func open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.DatabaseURL == "" {
		return openSQLite(cfg.DataDir)
	}
	if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		return nil, errors.New("DATABASE_URL must be a postgres:// URL (or unset for the embedded SQLite store)")
	}
	return openPostgres(ctx, cfg)
}

func openPostgres(ctx context.Context, cfg Config) (*DB, error) {
	pool, err := pgxPool(ctx, cfg, nil)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	return newDB(db, dialect.Postgres, pool), nil
}

// pgxPool connects a pool of cfg.MaxConns whose sessions also get params.
func pgxPool(ctx context.Context, cfg Config, params map[string]string) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", redactErr(err))
	}
	// Dates and timestamps are exchanged in UTC whatever the server's default.
	pc.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pc.ConnConfig.RuntimeParams["application_name"] = "aftercare"
	for k, v := range params {
		pc.ConnConfig.RuntimeParams[k] = v
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", redactErr(err))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", redactErr(err))
	}
	return pool, nil
}

func openSQLite(dir string) (*DB, error) {
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return OpenSQLiteFile(filepath.Join(dir, "aftercare.db"))
}

// OpenSQLiteFile opens (creating it if needed) one SQLite database file.
func OpenSQLiteFile(path string) (*DB, error) {
	// WAL lets readers run beside the single writer; busy_timeout makes a
	// writer wait for the lock instead of failing; _txlock=immediate takes the
	// write lock at BEGIN, so two read-then-write transactions cannot
	// deadlock each other on lock upgrade.
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open SQLite: %w", err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	return newDB(db, dialect.SQLite, nil), nil
}

func newDB(db *sql.DB, dia string, pool *pgxpool.Pool) *DB {
	drv := entsql.OpenDB(dia, db)
	return &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: dia, Pool: pool, Driver: drv}
}

// Close releases the client and the connections.
func (d *DB) Close() error {
	err := d.Client.Close()
	if d.Pool != nil {
		d.Pool.Close()
	}
	if d.reads != nil {
		d.reads.Close()
	}
	return err
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// redactErr keeps a password in a malformed URL out of logs.
func redactErr(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		if j := strings.Index(msg[i:], "@"); j >= 0 {
			msg = msg[:i+3] + "***" + msg[i+j:]
		}
	}
	return errors.New(msg)
}
