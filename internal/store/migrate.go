package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"aftercare/migrations"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
)

// migrationLockKey is the pg_advisory_lock key that serialises migrations
// when several instances start at once. Any constant works; this one spells
// "aftcare" in ASCII.
const migrationLockKey = 0x61667463617265

// Migration is one versioned SQL file.
type Migration struct {
	Version string // the file name without .sql, e.g. 20261123051000_init
	SQL     string
}

// Migrations returns the embedded migrations of a dialect in order, after
// checking them against atlas.sum so that an edited file is refused.
func Migrations(dia string) ([]Migration, error) {
	dir, err := migrationDir(dia)
	if err != nil {
		return nil, err
	}
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("migrations/%s do not match atlas.sum (a file was edited by hand?): %w", dia, err)
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	out := make([]Migration, 0, len(files))
	for _, f := range files {
		out = append(out, Migration{Version: strings.TrimSuffix(f.Name(), ".sql"), SQL: string(f.Bytes())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func migrationDir(dia string) (*migrate.MemDir, error) {
	sub := map[string]string{dialect.Postgres: "postgres", dialect.SQLite: "sqlite"}[dia]
	if sub == "" {
		return nil, fmt.Errorf("no migrations for dialect %q", dia)
	}
	dir := &migrate.MemDir{}
	entries, err := fs.ReadDir(migrations.FS, sub)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(migrations.FS, path.Join(sub, e.Name()))
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return dir, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns the versions it applied. On PostgreSQL an
// advisory lock makes concurrent starts wait for each other.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	all, err := Migrations(d.Dialect)
	if err != nil {
		return nil, err
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if d.Dialect == dialect.Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version VARCHAR(255) PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range all {
		if done[m.Version] {
			continue
		}
		if err := applyOne(ctx, conn, d.Dialect, m); err != nil {
			return applied, err
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

func applyOne(ctx context.Context, conn *sql.Conn, dia string, m Migration) error {
	if dia == dialect.SQLite {
		// SQLite changes a table by rebuilding it (create new, copy, drop
		// old, rename), and dropping a table that other rows reference
		// fails while foreign keys are enforced. The migration's own
		// "PRAGMA foreign_keys = off" does nothing inside a transaction,
		// so turn enforcement off around it and check the keys before
		// committing, as SQLite's documentation prescribes.
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = off"); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = on")
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Version, err)
	}
	ins := "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"
	if dia == dialect.Postgres {
		ins = "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)"
	}
	if _, err := tx.ExecContext(ctx, ins, m.Version, time.Now().UTC()); err != nil {
		return fmt.Errorf("record migration %s: %w", m.Version, err)
	}
	if dia == dialect.SQLite {
		if err := foreignKeyCheck(ctx, tx); err != nil {
			return fmt.Errorf("migration %s: %w", m.Version, err)
		}
	}
	return tx.Commit()
}

// foreignKeyCheck fails when a row points at a row that does not exist.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid, fk sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		return fmt.Errorf("foreign key broken: a row of %s points at a missing %s", table, parent)
	}
	return rows.Err()
}

func appliedVersions(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}

// ErrPendingMigrations is returned by Pending when the database is behind.
var ErrPendingMigrations = errors.New("database migrations are not current")

// Pending reports the migrations that the database has not applied yet; it
// backs /readyz, so that an instance never serves an old schema.
func (d *DB) Pending(ctx context.Context) ([]string, error) {
	all, err := Migrations(d.Dialect)
	if err != nil {
		return nil, err
	}
	done, err := appliedVersions(ctx, d.SQL)
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, m := range all {
		if !done[m.Version] {
			pending = append(pending, m.Version)
		}
	}
	return pending, nil
}
