// Command sweep measures the reminder sweep (issue #6) on PostgreSQL: the
// first sweep over every vehicle, a sweep when nothing changed, a sweep
// after 1% of the vehicles changed, and the monthly lapse classification,
// with their time and SQL statements.
//
//	go run ./bench/sweep -setup -owners 667000   # about 1,000,000 vehicles
//	go run ./bench/sweep                         # again on the same data
//
// It uses its own database (aftercare_bench_sweep) on the server at -pg,
// and touches nothing else.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"aftercare/bench/benchdb"
	"aftercare/internal/reminder"
	"aftercare/internal/seed"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func main() {
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server (admin database)")
	name := flag.String("db", "aftercare_bench_sweep", "database to use")
	setup := flag.Bool("setup", false, "create the database and seed it")
	owners := flag.Int("owners", 667000, "owners to seed with -setup (vehicles are 1.5x)")
	batch := flag.Int("batch", 1000, "vehicles per sweep batch")
	flag.Parse()
	ctx := context.Background()
	db, stmts, err := benchdb.Open(ctx, *pg, *name, *setup, 8)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if *setup {
		start := time.Now()
		if _, err := seed.Run(ctx, db.Client, seed.Options{Owners: *owners}); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("seeded %d owners in %s\n", *owners, time.Since(start).Round(time.Second))
		if _, err := db.SQL.ExecContext(ctx, "TRUNCATE reminders, reminder_checks, job_leases"); err != nil {
			log.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, "ANALYZE"); err != nil {
			log.Fatal(err)
		}
	}
	var vehicles int
	if err := db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM vehicles").Scan(&vehicles); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("vehicles: %d\n", vehicles)
	s := &reminder.Sweeper{Client: db.Client, Dialect: db.Dialect, Batch: *batch,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	measure := func(label string, run func() (reminder.Stats, error)) {
		stmts.Store(0)
		start := time.Now()
		st, err := run()
		if err != nil {
			log.Fatalf("%s: %v", label, err)
		}
		took := time.Since(start)
		fmt.Printf("| %s | %d | %d | %s | %d | %.1f |\n", label, st.Vehicles, st.Reminders, took.Round(10*time.Millisecond),
			stmts.Load(), float64(st.Vehicles)/max(took.Seconds(), 1e-9))
	}
	fmt.Println("| run | vehicles looked at | reminders due | time | SQL statements | vehicles/s |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: |")
	// The sweeps run on a clock 11 minutes ahead, then 15 and 30 more, so
	// that the seed is older than the sweep's 10-minute margin for late
	// commits, as it would be in service.
	first := time.Now().Add(11 * time.Minute)
	second, third := first.Add(15*time.Minute), first.Add(30*time.Minute)
	measure("first sweep (every vehicle)", func() (reminder.Stats, error) { return s.Run(ctx, time.Time{}, first) })
	measure("next sweep, nothing changed", func() (reminder.Stats, error) { return s.Run(ctx, first, second) })
	if _, err := db.SQL.ExecContext(ctx, "UPDATE vehicles SET updated_at = $1 WHERE id % 100 = 0", second.Add(time.Minute)); err != nil {
		log.Fatal(err)
	}
	measure("after 1% of vehicles changed", func() (reminder.Stats, error) { return s.Run(ctx, second, third) })
	measure("monthly lapse classification", func() (reminder.Stats, error) {
		n, err := s.ClassifyLapses(ctx, time.Now())
		return reminder.Stats{Reminders: n}, err
	})
}
