// Package testenv gives tests real databases: a fresh SQLite file, and a
// fresh PostgreSQL database created on the server at TEST_DATABASE_URL
// (default postgres://postgres@127.0.0.1:5432/postgres) and dropped when
// the test ends. Without a reachable PostgreSQL the PostgreSQL cases are
// skipped on a laptop and fail under CI=true.
package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"aftercare/internal/pgurl"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Dialect is one database to run a test against.
type Dialect struct {
	Name string // "sqlite" or "postgres"
	// URL is the DATABASE_URL to use; empty for SQLite.
	URL string
	// DataDir is the directory of the SQLite file.
	DataDir string
}

// AdminURL is the PostgreSQL server the tests create databases on.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Dialects returns both stores for a table of subtests: SQLite always, and
// a fresh PostgreSQL database when the server is reachable.
func Dialects(t testing.TB) []Dialect {
	t.Helper()
	out := []Dialect{SQLite(t)}
	if pg, ok := Postgres(t); ok {
		out = append(out, pg)
	}
	return out
}

// SQLite returns a fresh embedded database in a temporary directory.
func SQLite(t testing.TB) Dialect {
	return Dialect{Name: "sqlite", DataDir: t.TempDir()}
}

var dbSeq atomic.Int64

// Postgres creates a fresh database and drops it when t ends. ok is false
// (the test should skip that case) when no server answers, except under
// CI=true, where that fails the test.
func Postgres(t testing.TB) (Dialect, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", AdminURL())
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		t.Logf("PostgreSQL not reachable, skipping its cases: %v", err)
		return Dialect{}, false
	}
	name := fmt.Sprintf("aftercare_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, dbSeq.Add(1))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		admin.Close()
	})
	return Dialect{Name: "postgres", URL: pgurl.WithDatabase(AdminURL(), name)}, true
}
