// Package schedule runs periodic jobs (the reminder sweep, the monthly lapse
// classification, deadline escalations) on one instance at a time.
//
// Every instance runs a Scheduler over the same jobs. Before a run, an
// instance takes the job's lease: a row in job_leases that it may take only
// when the job is due and nobody holds a live lease. It renews the lease
// while the job runs; an instance that dies simply lets it lapse, and
// another one takes over on its next tick. The row also remembers when the
// last successful run started, so a job can pick up what changed since,
// across restarts.
//
// A lease is an optimisation, not the guarantee of exactly once: every job
// must be idempotent (the sweeps write each business key once, through
// unique keys), because a paused instance can outlive its lease.
package schedule

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"aftercare/ent"
	"aftercare/ent/joblease"
	"aftercare/internal/auth"
)

// Job is one periodic job.
type Job struct {
	Name  string
	Every time.Duration
	// Run does the work. since is the start of the last run that succeeded
	// (zero the first time); now is this run's start.
	Run func(ctx context.Context, since, now time.Time) error
}

// Scheduler runs jobs when they are due, on one instance at a time.
type Scheduler struct {
	Client *ent.Client
	Jobs   []Job
	Logger *slog.Logger
	// Holder names this instance in the lease (default: host and pid).
	Holder string
	// Lease is how long a run holds its job before another instance may
	// take it over; it is renewed every Lease/3 while the job runs.
	Lease time.Duration
	Now   func() time.Time
}

func (s *Scheduler) defaults() {
	if s.Holder == "" {
		host, _ := os.Hostname()
		s.Holder = fmt.Sprintf("%s:%d:%d", host, os.Getpid(), time.Now().UnixNano()%1e6)
	}
	if s.Lease == 0 {
		s.Lease = time.Minute
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
}

// Run looks for due jobs every tick until ctx ends.
func (s *Scheduler) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		for _, j := range s.Jobs {
			if _, err := s.RunDue(ctx, j); err != nil && ctx.Err() == nil {
				s.Logger.Error("scheduled job failed", "job", j.Name, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue runs j if it is due and this instance gets its lease; ran says
// whether it did.
func (s *Scheduler) RunDue(ctx context.Context, j Job) (ran bool, err error) {
	s.defaults()
	ctx = auth.SystemContext(ctx)
	start := s.Now().UTC()
	since, ok, err := s.acquire(ctx, j, start)
	if err != nil || !ok {
		return false, err
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := s.keepLease(runCtx, cancel, j.Name)
	err = j.Run(runCtx, since, start)
	stop()
	if cause := context.Cause(runCtx); err != nil && errors.Is(cause, errLeaseLost) {
		err = fmt.Errorf("%w: %w", cause, err)
	}
	return true, s.release(ctx, j.Name, start, err)
}

var errLeaseLost = errors.New("lease lost to another instance")

// acquire takes the job's lease if the job is due (its last run started at
// least Every ago) and no live lease is held.
func (s *Scheduler) acquire(ctx context.Context, j Job, now time.Time) (since time.Time, ok bool, err error) {
	err = s.Client.JobLease.Create().SetName(j.Name).
		OnConflictColumns(joblease.FieldName).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) { // ErrNoRows: the row was there already
		return time.Time{}, false, err
	}
	n, err := s.Client.JobLease.Update().Where(
		joblease.Name(j.Name),
		joblease.Or(joblease.LeaseUntilIsNil(), joblease.LeaseUntilLT(now)),
		joblease.Or(joblease.LastStartedAtIsNil(), joblease.LastStartedAtLTE(now.Add(-j.Every))),
	).SetHolder(s.Holder).SetLeaseUntil(now.Add(s.Lease)).SetLastStartedAt(now).Save(ctx)
	if err != nil || n == 0 {
		return time.Time{}, false, err
	}
	l, err := s.Client.JobLease.Query().Where(joblease.Name(j.Name)).Only(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	if l.LastSucceededAt != nil {
		since = *l.LastSucceededAt
	}
	return since, true, nil
}

// keepLease renews the lease until stop is called; if another instance has
// taken the job over, the run's context is cancelled.
func (s *Scheduler) keepLease(ctx context.Context, cancel context.CancelCauseFunc, name string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(s.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n, err := s.Client.JobLease.Update().Where(joblease.Name(name), joblease.Holder(s.Holder)).
				SetLeaseUntil(s.Now().Add(s.Lease)).Save(ctx)
			if err == nil && n == 0 {
				cancel(errLeaseLost)
				return
			}
		}
	}()
	return func() { close(done); <-finished }
}

// release ends the run: on success it records the run's start as the point
// the next run picks up from.
func (s *Scheduler) release(ctx context.Context, name string, start time.Time, runErr error) error {
	upd := s.Client.JobLease.Update().Where(joblease.Name(name), joblease.Holder(s.Holder)).ClearLeaseUntil()
	if runErr == nil {
		upd.SetLastSucceededAt(start).SetLastError("")
	} else {
		msg := runErr.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		upd.SetLastError(msg)
	}
	_, err := upd.Save(context.WithoutCancel(ctx))
	return errors.Join(runErr, err)
}
