// Package reminder runs the care calendar: a periodic sweep finds the
// reminders that are due (internal/reminder/rules says when), records each
// once, and hands pushes to the outbox and personal calls to the care call
// list. It also follows each reminder's lifecycle (sent, opened, converted
// into a booking) and escalates owners who leave two reminders unanswered.
//
// The sweep does not look at every vehicle every time. reminder_checks is
// its agenda: one row per vehicle with the next moment a reminder window
// opens for it (rules.NextCheck). A run reads only the rows that are due,
// through the index on next_at, and first makes due every vehicle whose
// facts changed since the last successful run (the vehicle's or its
// owner's updated_at). Everything it writes is keyed by business key
// (subject, kind, cycle), so a rerun after a crash, or two instances at
// once, write nothing twice.
package reminder

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/internal/auth"
	"aftercare/internal/reminder/rules"

	"entgo.io/ent/dialect"
)

// Sweeper finds due reminders and records them.
type Sweeper struct {
	Client  *ent.Client
	Dialect string
	Config  rules.Config
	Logger  *slog.Logger
	// Batch is how many vehicles one transaction handles.
	Batch int
	// AnswerWindow is how long after it was sent a reminder that was
	// neither opened nor acted on counts as unanswered.
	AnswerWindow time.Duration
	// AfterBatch, when set, is called after each committed batch (tests
	// use it to stop a sweep in the middle).
	AfterBatch func(done int) error
}

// Stats says what one run did.
type Stats struct {
	Vehicles  int // vehicles looked at
	Batches   int
	Reminders int // reminders found due (new or already recorded)
	Calls     int // follow-up call tasks found due
}

func (s *Sweeper) defaults() {
	if s.Batch == 0 {
		s.Batch = 1000
	}
	if s.AnswerWindow == 0 {
		s.AnswerWindow = 7 * 24 * time.Hour
	}
	if s.Config == (rules.Config{}) {
		s.Config = rules.DefaultConfig()
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
}

// Run is one sweep: since is the start of the last successful run (zero:
// look at every vehicle), now is the time it runs at.
func (s *Sweeper) Run(ctx context.Context, since, now time.Time) (Stats, error) {
	s.defaults()
	ctx = auth.SystemContext(ctx)
	now = now.UTC()
	var st Stats
	if err := s.markChanged(ctx, since, now); err != nil {
		return st, fmt.Errorf("mark changed vehicles: %w", err)
	}
	stores, err := loadStores(ctx, s.Client, s.Config)
	if err != nil {
		return st, err
	}
	if err := s.sweepAgenda(ctx, stores, now, &st); err != nil {
		return st, err
	}
	if err := s.greet(ctx, stores, since, now, &st); err != nil {
		return st, fmt.Errorf("holiday greetings: %w", err)
	}
	n, err := s.escalateUnanswered(ctx, stores, since, now)
	st.Calls += n
	if err != nil {
		return st, fmt.Errorf("unanswered reminders: %w", err)
	}
	return st, nil
}

// sweepAgenda handles the due agenda rows a batch at a time. Each batch
// moves its rows' next_at into the future, so the loop ends.
func (s *Sweeper) sweepAgenda(ctx context.Context, stores map[int]*store, now time.Time, st *Stats) error {
	for {
		ids, err := s.dueVehicles(ctx, now)
		if err != nil || len(ids) == 0 {
			return err
		}
		n, err := s.sweepBatch(ctx, ids, stores, now)
		if err != nil {
			return fmt.Errorf("batch: %w", err)
		}
		st.Vehicles += len(ids)
		st.Batches++
		st.Reminders += n
		if s.AfterBatch != nil {
			if err := s.AfterBatch(st.Vehicles); err != nil {
				return err
			}
		}
	}
}

// changeMargin widens "changed since the last run": a transaction that
// stamped updated_at before that run started but committed after it had
// looked is still picked up.
const changeMargin = 10 * time.Minute

// markChanged makes due every vehicle that changed, or whose owner
// changed, since the last successful run; the first run marks them all.
func (s *Sweeper) markChanged(ctx context.Context, since, now time.Time) error {
	q := s.sql()
	if !since.IsZero() {
		since = since.Add(-changeMargin)
	}
	upsert := " ON CONFLICT (vehicle_id) DO UPDATE SET next_at = excluded.next_at"
	if _, err := s.Client.ExecContext(ctx, q.f("INSERT INTO reminder_checks (vehicle_id, next_at) "+
		"SELECT id, %s FROM vehicles WHERE owner_id IS NOT NULL AND updated_at >= %s"+upsert, q.ts(1), q.ts(2)), now, since); err != nil {
		return err
	}
	_, err := s.Client.ExecContext(ctx, q.f("INSERT INTO reminder_checks (vehicle_id, next_at) "+
		"SELECT v.id, %s FROM vehicles v JOIN owners o ON o.id = v.owner_id WHERE o.updated_at >= %s"+upsert, q.ts(1), q.ts(2)), now, since)
	return err
}

func (s *Sweeper) dueVehicles(ctx context.Context, now time.Time) ([]int, error) {
	q := s.sql()
	return s.ids(ctx, q.f("SELECT vehicle_id FROM reminder_checks WHERE next_at <= %s ORDER BY next_at, vehicle_id LIMIT %d",
		q.ts(1), s.Batch), now)
}

// ids runs a query of one integer column.
func (s *Sweeper) ids(ctx context.Context, query string, args ...any) ([]int, error) {
	rows, err := s.Client.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// sqlDialect writes the little raw SQL the sweep needs for both stores.
type sqlDialect struct{ name string }

func (s *Sweeper) sql() sqlDialect { return sqlDialect{s.Dialect} }

func (d sqlDialect) f(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// p is the n-th placeholder.
func (d sqlDialect) p(n int) string {
	if d.name == dialect.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return fmt.Sprintf("?%d", n)
}

// ts is the n-th placeholder for a time; PostgreSQL must be told its type
// where nothing else in the statement says it.
func (d sqlDialect) ts(n int) string {
	if d.name == dialect.Postgres {
		return d.p(n) + "::timestamptz"
	}
	return d.p(n)
}

// caseUpdate builds "CASE col WHEN p THEN p ... END" over pairs of
// placeholders starting at n, for a batch update in one statement.
func (d sqlDialect) caseUpdate(col string, n, pairs int) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i := range pairs {
		fmt.Fprintf(&b, " WHEN %s THEN %s", d.p(n+2*i), d.ts(n+2*i+1))
	}
	b.WriteString(" END")
	return b.String()
}
