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
