package schedule_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftercare/internal/apitest"
	"aftercare/internal/schedule"
	"aftercare/internal/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Several instances tick at once: the job runs on one of them, then not
// again until it is due; a failed run is retried when it is next due, and
// a successful run hands its start to the next run as "since".
func TestJobRunsOnOneInstanceAtATime(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{Owners: 1})
			clk := &clock{now: time.Date(2027, 3, 10, 2, 0, 0, 0, time.UTC)}
			var runs atomic.Int32
			var sinces []time.Time
			var mu sync.Mutex
			fail := atomic.Bool{}
			job := schedule.Job{Name: "test_job", Every: 10 * time.Minute, Run: func(_ context.Context, since, now time.Time) error {
				runs.Add(1)
				mu.Lock()
				sinces = append(sinces, since)
				mu.Unlock()
				time.Sleep(50 * time.Millisecond) // long enough for the others to try
				if fail.Load() {
					return errors.New("boom")
				}
				return nil
			}}
			instance := func(name string) *schedule.Scheduler {
				return &schedule.Scheduler{Client: api.Client, Holder: name, Logger: quiet, Now: clk.Now, Lease: time.Minute}
			}
			tick := func() int {
				var wg sync.WaitGroup
				var ran atomic.Int32
				for _, n := range []string{"a", "b", "c"} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if ok, _ := instance(n).RunDue(context.Background(), job); ok {
							ran.Add(1)
						}
					}()
				}
				wg.Wait()
				return int(ran.Load())
			}
			if n := tick(); n != 1 {
				t.Fatalf("first tick: the job ran on %d instances", n)
			}
			clk.Add(5 * time.Minute)
			if n := tick(); n != 0 {
				t.Fatalf("ran again before it was due (%d)", n)
			}
			clk.Add(5 * time.Minute)
			fail.Store(true)
			if n := tick(); n != 1 {
				t.Fatalf("second run on %d instances", n)
			}
			fail.Store(false)
			clk.Add(10 * time.Minute)
			if n := tick(); n != 1 {
				t.Fatalf("retry ran on %d instances", n)
			}
			first := time.Date(2027, 3, 10, 2, 0, 0, 0, time.UTC)
			if len(sinces) != 3 || !sinces[0].IsZero() || !sinces[1].Equal(first) || !sinces[2].Equal(first) {
				t.Fatalf("since per run = %v: want zero, then the first run's start twice (the second run failed)", sinces)
			}
		})
	}
}

// An instance that dies while holding the lease blocks the job only until
// the lease lapses.
func TestDeadHoldersLeaseLapses(t *testing.T) {
	d := testenv.SQLite(t)
	api := apitest.Start(t, d, apitest.Options{Owners: 1})
	clk := &clock{now: time.Date(2027, 3, 10, 2, 0, 0, 0, time.UTC)}
	var ran atomic.Int32
	block := make(chan struct{})
	job := schedule.Job{Name: "sweep", Every: time.Minute, Run: func(ctx context.Context, _, _ time.Time) error {
		if ran.Add(1) == 1 {
			<-block // the first holder hangs: it is paused or dead
		}
		return nil
	}}
	dying := &schedule.Scheduler{Client: api.Client, Holder: "dying", Logger: quiet, Now: clk.Now, Lease: time.Hour}
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _, _ = dying.RunDue(ctx, job); close(done) }()
	for ran.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	other := &schedule.Scheduler{Client: api.Client, Holder: "other", Logger: quiet, Now: clk.Now, Lease: time.Hour}
	clk.Add(30 * time.Minute)
	if ok, err := other.RunDue(context.Background(), job); ok || err != nil {
		t.Fatalf("took a live lease: %v %v", ok, err)
	}
	clk.Add(31 * time.Minute)
	if ok, err := other.RunDue(context.Background(), job); !ok || err != nil {
		t.Fatalf("did not take over a lapsed lease: %v %v", ok, err)
	}
	kill()
	close(block)
	<-done
}
