// Command migrategen writes a new versioned migration for each dialect from
// the difference between the committed migrations and ent/schema.
//
//	go run ./internal/store/migrategen -name add_devices
//
// It replays the existing migrations into scratch databases (an in-memory
// SQLite, and a throw-away database on the PostgreSQL at DEV_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/postgres) and diffs them
// against the schema, so the output never depends on a live database's state.
//
// What ent/schema cannot express (a trigger) goes in a migration written by
// hand; `go run ./internal/store/migrategen -sum` then records it in each
// dialect's atlas.sum.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"aftercare/ent/migrate"
	"aftercare/internal/pgurl"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

func main() {
	name := flag.String("name", "", "name of the change, e.g. add_devices")
	sum := flag.Bool("sum", false, "only recompute atlas.sum, after adding a hand-written migration")
	devURL := flag.String("dev", envOr("DEV_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL server for a scratch database")
	flag.Parse()
	if *sum {
		for _, path := range []string{"migrations/sqlite", "migrations/postgres"} {
			if err := rehash(path); err != nil {
				log.Fatalf("%s: %v", path, err)
			}
		}
		return
	}
	if *name == "" {
		log.Fatal("-name is required")
	}
	ctx := context.Background()
	if err := diffSQLite(ctx, *name); err != nil {
		log.Fatalf("sqlite: %v", err)
	}
	if err := diffPostgres(ctx, *devURL, *name); err != nil {
		log.Fatalf("postgres: %v", err)
	}
}

func diffSQLite(ctx context.Context, name string) error {
	db, err := sql.Open("sqlite", "file:dev?mode=memory&_pragma=foreign_keys(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	return diff(ctx, entsql.OpenDB(dialect.SQLite, db), "migrations/sqlite", name)
}

func diffPostgres(ctx context.Context, devURL, name string) error {
	admin, err := sql.Open("pgx", devURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	scratch := fmt.Sprintf("aftercare_migrategen_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+scratch); err != nil {
		return err
	}
	defer admin.ExecContext(ctx, "DROP DATABASE "+scratch+" WITH (FORCE)")
	db, err := sql.Open("pgx", pgurl.WithDatabase(devURL, scratch))
	if err != nil {
		return err
	}
	defer db.Close()
	return diff(ctx, entsql.OpenDB(dialect.Postgres, db), "migrations/postgres", name)
}

func diff(ctx context.Context, drv dialect.Driver, path, name string) error {
	dir, err := atlas.NewLocalDir(path)
	if err != nil {
		return err
	}
	m, err := schema.NewMigrate(drv,
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(drv.Dialect()),
		schema.WithFormatter(atlas.DefaultFormatter),
		schema.WithDropIndex(true),
		schema.WithDropColumn(true),
	)
	if err != nil {
		return err
	}
	return m.NamedDiff(ctx, name, migrate.Tables...)
}

func rehash(path string) error {
	dir, err := atlas.NewLocalDir(path)
	if err != nil {
		return err
	}
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	return atlas.WriteSumFile(dir, sum)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
