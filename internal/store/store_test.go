package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"aftercare/internal/store"
	"aftercare/internal/testenv"

	"entgo.io/ent/dialect"
)

// The committed migrations and ent/schema must describe the same database:
// after applying every migration, ent's own schema diff has nothing to do.
// If this fails, run `go run ./internal/store/migrategen -name <change>`.
func TestMigrationsMatchEntSchema(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, store.Config{DatabaseURL: d.URL, DataDir: d.DataDir})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			applied, err := db.Migrate(ctx)
			if err != nil || len(applied) == 0 {
				t.Fatalf("migrate: applied %v, err %v", applied, err)
			}
			var diff bytes.Buffer
			if err := db.Client.Schema.WriteTo(ctx, &diff); err != nil {
				t.Fatal(err)
			}
			if changes := statements(diff.String()); len(changes) > 0 {
				t.Fatalf("ent/schema differs from migrations/%s:\n%s", d.Name, strings.Join(changes, "\n"))
			}
			// Applying again is a no-op, and readiness sees nothing pending.
			again, err := db.Migrate(ctx)
			pending, perr := db.Pending(ctx)
			if err != nil || perr != nil || len(again) != 0 || len(pending) != 0 {
				t.Fatalf("second migrate applied %v (err %v), pending %v (err %v)", again, err, pending, perr)
			}
		})
	}
}

// statements drops the transaction wrapper and comments WriteTo prints.
func statements(sql string) []string {
	var out []string
	for _, line := range strings.Split(sql, "\n") {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "--") || l == "BEGIN;" || l == "COMMIT;" {
			continue
		}
		out = append(out, l)
	}
	return out
}

func TestCommittedMigrationsPassChecksums(t *testing.T) {
	for _, d := range []string{dialect.SQLite, dialect.Postgres} {
		if _, err := store.Migrations(d); err != nil {
			t.Fatalf("migrations/%s fail their atlas.sum checksums: %v", d, err)
		}
	}
	if _, err := store.Migrations("mysql"); err == nil {
		t.Fatal("an unknown dialect must be refused")
	}
}

// A SQLite database made before a migration that rebuilds tables (as
// SQLite changes tables) upgrades with its rows in place: the rebuild of a
// table that other rows point at must not trip the foreign keys.
func TestSQLiteUpgradeKeepsReferencedRows(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenSQLiteFile(t.TempDir() + "/old.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := store.Migrations(dialect.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	// The database as the first release left it, with a care task and an
	// attempt that points at it.
	init := all[0]
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version VARCHAR(255) PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`,
		init.SQL,
		`INSERT INTO schema_migrations VALUES ('` + init.Version + `', '2026-11-23 00:00:00')`,
		`INSERT INTO dealer_groups (id, created_at, updated_at, name, code) VALUES (1, '2026-11-23', '2026-11-23', 'G', 'G')`,
		`INSERT INTO owners (id, created_at, updated_at, dealer_group_id, name) VALUES (7, '2026-11-23', '2026-11-23', 1, 'Li')`,
		`INSERT INTO care_tasks (id, created_at, updated_at, dealership_id, channel, reason, due_at, owner_id)
		   VALUES (3, '2026-11-23', '2026-11-23', 1, 'phone', 'push failed', '2026-11-24', 7)`,
		`INSERT INTO contact_attempts (at, outcome, care_task_id) VALUES ('2026-11-24', 'no_answer', 3)`,
	} {
		if _, err := db.SQL.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if len(applied) != len(all)-1 {
		t.Errorf("applied %d migrations, want %d", len(applied), len(all)-1)
	}
	var attempts, fkOn int
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM contact_attempts a JOIN care_tasks c ON c.id = a.care_task_id`).Scan(&attempts); err != nil || attempts != 1 {
		t.Errorf("the attempt and its task after the upgrade: %d (%v)", attempts, err)
	}
	if err := db.SQL.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fkOn); err != nil || fkOn != 1 {
		t.Errorf("foreign keys are %d after migrating, want on (%v)", fkOn, err)
	}
}
