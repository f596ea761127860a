package main

import (
	"aftercare/bench/latency"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soakConfig is one soak against a running server.
type soakConfig struct {
	base         string // http://127.0.0.1:port
	metricsToken string
	dbURL        string // the server's database (fixture, checks, samples)
	secret       string // AUTH_LOCAL_SECRET of the server

	rate            float64       // operations per second; 0: measure capacity first
	fraction        float64       // of the measured capacity
	capacity        time.Duration // length of the saturation run
	capacityWorkers int
	duration        time.Duration
	interval        time.Duration // one row of the table
	sampleEvery     time.Duration
	drain           time.Duration
	maxInFlight     int

	owners, watch, boardsPerStore int

	// Judgement bounds.
	heapGrowth, p99Factor float64
	p99SlackMs            float64

	out io.Writer // the table and verdict
	log func(format string, args ...any)
}

func (c *soakConfig) defaults() {
	if c.fraction == 0 {
		c.fraction = 0.7
	}
	if c.capacityWorkers == 0 {
		c.capacityWorkers = 16
	}
	if c.interval == 0 {
		c.interval = time.Minute
		if c.duration < 5*time.Minute {
			c.interval = max(c.duration/4, time.Second)
		}
	}
	if c.sampleEvery == 0 {
		c.sampleEvery = min(5*time.Second, max(c.interval/6, 500*time.Millisecond))
	}
	if c.capacity == 0 {
		c.capacity = min(30*time.Second, max(c.duration/4, 3*time.Second))
	}
	if c.drain == 0 {
		c.drain = 5 * time.Second
	}
	if c.maxInFlight == 0 {
		c.maxInFlight = 512
	}
	if c.heapGrowth == 0 {
		c.heapGrowth = 1.3
	}
	if c.p99Factor == 0 {
		c.p99Factor = 2
	}
	if c.p99SlackMs == 0 {
		c.p99SlackMs = 25
	}
	if c.log == nil {
		c.log = func(string, ...any) {}
	}
}

// window is one row's requests.
type window struct {
	lat        latency.Hist
	ops, errs  int
	byOp       map[string]int
	errsByOp   map[string]int
	samples    []serverSample
	db         []dbSample
	load       []float64
	start, end time.Time
}

type opTotal struct {
	lat       latency.Hist
	ops, errs int
	firstErr  string
	byKind    map[string]int // errors by code (or client-side cause)
}

// errKind is an error's code, or a short name of a client-side failure.
func errKind(err error) string {
	var oe *opError
	switch {
	case errors.As(err, &oe) && oe.code != "":
		return oe.code
	case errors.As(err, &oe):
		return fmt.Sprintf("HTTP %d", oe.status)
	case strings.Contains(err.Error(), "in flight"):
		return "client overloaded"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Timeout"):
		return "timeout"
	}
	return "transport"
}

// recorder collects the drive's results by window and by operation.
type recorder struct {
	mu       sync.Mutex
	t0       time.Time
	interval time.Duration
	windows  []*window
	totals   map[string]*opTotal
	inFlight atomic.Int64
}

func newRecorder(t0 time.Time, d, interval time.Duration) *recorder {
	n := int(math.Ceil(float64(d) / float64(interval)))
	r := &recorder{t0: t0, interval: interval, totals: map[string]*opTotal{}}
	for i := range n {
		s := t0.Add(time.Duration(i) * interval)
		r.windows = append(r.windows, &window{byOp: map[string]int{}, errsByOp: map[string]int{}, start: s, end: s.Add(interval)})
	}
	return r
}

func (r *recorder) at(t time.Time) *window {
	i := int(t.Sub(r.t0) / r.interval)
	return r.windows[min(max(i, 0), len(r.windows)-1)]
}

func (r *recorder) add(name string, el time.Duration, err error) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.at(now)
	w.lat.Add(el)
	w.ops++
	w.byOp[name]++
	t := r.totals[name]
	if t == nil {
		t = &opTotal{}
		r.totals[name] = t
	}
	t.lat.Add(el)
	t.ops++
	if err != nil {
		w.errs++
		w.errsByOp[name]++
		t.errs++
		if t.firstErr == "" {
			t.firstErr = err.Error()
		}
		if t.byKind == nil {
			t.byKind = map[string]int{}
		}
		t.byKind[errKind(err)]++
	}
}

// execOp runs one op and records it (a skip is not recorded).
func execOp(ctx context.Context, rec *recorder, o *op, r *rand.Rand, since time.Time) bool {
	err := o.run(ctx, r)
	if errors.Is(err, errSkip) {
		return false
	}
	if rec != nil {
		rec.add(o.name, time.Since(since), err)
	}
	return true
}

// saturate keeps `workers` operations in flight for d: the capacity.
func saturate(ctx context.Context, m *mix, rec *recorder, workers int, d time.Duration) float64 {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), uint64(t0.UnixNano())))
			for ctx.Err() == nil {
				start := time.Now()
				if execOp(context.WithoutCancel(ctx), rec, m.pick(r), r, start) {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(t0).Seconds()
}

// openLoop starts operations at rate per second for d, whatever the
// answers do; latency counts from the intended start.
func openLoop(ctx context.Context, m *mix, rec *recorder, rate float64, d time.Duration, maxInFlight int) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	var wg sync.WaitGroup
	seed := uint64(start.UnixNano())
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			select {
			case <-ctx.Done():
				wg.Wait()
				return
			case <-time.After(wait):
			}
		} else if ctx.Err() != nil {
			wg.Wait()
			return
		}
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		o := m.pick(r)
		if rec.inFlight.Add(1) > int64(maxInFlight) {
			rec.inFlight.Add(-1)
			rec.add(o.name, 0, fmt.Errorf("client: over %d operations in flight", maxInFlight))
			continue
		}
		wg.Go(func() {
			defer rec.inFlight.Add(-1)
			execOp(context.WithoutCancel(ctx), rec, o, r, at)
		})
	}
}

// report is the outcome of a soak.
type report struct {
	Capacity, Rate float64
	Rows           []row
	Ops            map[string]*opTotal
	Subs           subCheck
	SubErrors      int64
	SubFirstErr    string
	Resumes        int64
	Bookings       int64
	Cancels        int64
	Moves          int64
	SampleErrors   int
	FirstSampleErr string
	Checks         []check
	Info           []string
	// The server idle with the subscriptions open, before the load and
	// after it.
	IdleBefore, IdleAfter serverSample
	LoadStart             string
	LoadEnd               string
}

type row struct {
	Index                     int
	Ops                       int
	RPS, P50, P99, MaxMs      float64
	Errors                    int
	HeapMiB, HeapMaxMiB       float64
	RSSMiB                    float64
	Goroutines, GoroutinesMax float64
	Websockets, Subs          float64
	PGConns, DuePending, Rems int
	Load                      float64
	LastSweep                 time.Time
}

type check struct {
	Name, Detail string
	OK           bool
}

// Passed is true when every check held.
func (r *report) Passed() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// soak runs the whole thing against c.base.
func soak(ctx context.Context, c soakConfig) (*report, error) {
	c.defaults()
	rep := &report{LoadStart: loadAvg()}
	f, err := loadFixture(ctx, c.dbURL, signer{[]byte(c.secret)}, c.owners, c.watch)
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	c.log("fixture: %d stores, %d sign-in owners, %d watched work orders", len(f.stores), len(f.owners), len(f.watched))
	g := newGQL(c.base)
	m := newMix(g, f)
	if err := m.widgetKeys(ctx); err != nil {
		return nil, err
	}
	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	ws := &watchers{base: wsURL(c.base)}
	if err := ws.start(subCtx, f, c.boardsPerStore); err != nil {
		return nil, err
	}
	c.log("subscriptions: %d owners, %d boards", len(ws.owners), len(ws.boards))
	httpc := &http.Client{Timeout: 10 * time.Second}
	// The idle server with every subscription open, before any load: what
	// it must come back to after the drive.
	time.Sleep(time.Second)
	if rep.IdleBefore, err = scrape(ctx, httpc, c.base+"/metrics", c.metricsToken); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}

	rep.Rate = c.rate
	if c.rate == 0 {
		c.log("capacity: %d workers for %s (load %s)", c.capacityWorkers, c.capacity, loadAvg())
		capRec := newRecorder(time.Now(), c.capacity, c.capacity)
		rep.Capacity = saturate(ctx, m, capRec, c.capacityWorkers, c.capacity)
		w := capRec.windows[0]
		c.log("capacity: %.1f ops/s, p50 %.1f ms, p99 %.1f ms, %d errors (load %s)", rep.Capacity, w.lat.Quantile(.5), w.lat.Quantile(.99), w.errs, loadAvg())
		if w.errs > 0 {
			for name, t := range capRec.totals {
				if t.errs > 0 {
					c.log("capacity: %s: %d errors, first: %s", name, t.errs, t.firstErr)
				}
			}
		}
		rep.Rate = math.Max(1, math.Round(rep.Capacity*c.fraction))
		// Let the queue of the saturation run drain before the clock starts.
		time.Sleep(2 * time.Second)
	}
	c.log("drive: %.0f ops/s for %s, a row every %s", rep.Rate, c.duration, c.interval)

	sampler, err := openDBSampler(ctx, c.dbURL)
	if err != nil {
		return nil, err
	}
	defer sampler.close()
	t0 := time.Now()
	rec := newRecorder(t0, c.duration, c.interval)
	sampleCtx, stopSampling := context.WithCancel(ctx)
	var sampling sync.WaitGroup
	sampling.Go(func() {
		tick := time.NewTicker(c.sampleEvery)
		defer tick.Stop()
		printed := 0
		for {
			select {
			case <-sampleCtx.Done():
				return
			case now := <-tick.C:
				s, serr := scrape(sampleCtx, httpc, c.base+"/metrics", c.metricsToken)
				d, derr := sampler.sample(sampleCtx)
				rec.mu.Lock()
				w := rec.at(now)
				if err := errors.Join(serr, derr); err != nil {
					// A scrape cut short by the end of the drive is no failure,
					// but its zeros are no sample either.
					if sampleCtx.Err() == nil {
						rep.SampleErrors++
						if rep.FirstSampleErr == "" {
							rep.FirstSampleErr = err.Error()
						}
					}
				} else {
					w.samples = append(w.samples, s)
					w.db = append(w.db, d)
				}
				w.load = append(w.load, load1())
				// A row is printed once its window has ended.
				for printed < len(rec.windows) && now.After(rec.windows[printed].end) {
					r := makeRow(printed, rec.windows[printed], c.interval)
					c.log("%s", r.line())
					printed++
				}
				rec.mu.Unlock()
			}
		}
	})
	openLoop(ctx, m, rec, rep.Rate, c.duration, c.maxInFlight)
	stopSampling()
	sampling.Wait()
	c.log("drive done; draining %s", c.drain)
	select {
	case <-time.After(c.drain):
	case <-ctx.Done():
	}
	final, err := finalSeqs(ctx, c.dbURL, f.watched)
	if err != nil {
		return nil, err
	}
	// Idle again: the client's keep-alive connections closed, the
	// subscriptions still open.
	g.client.CloseIdleConnections()
	time.Sleep(2 * time.Second)
	if rep.IdleAfter, err = scrape(ctx, httpc, c.base+"/metrics", c.metricsToken); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	stopSubs()
	ws.wg.Wait()
	rep.Subs = ws.check(final)
	rep.SubErrors, rep.SubFirstErr, rep.Resumes = ws.errs.Load(), ws.firstErr, ws.resumes.Load()
	rep.Bookings, rep.Cancels, rep.Moves = m.bookings.Load(), m.cancels.Load(), m.moves.Load()
	rep.Ops = rec.totals
	for i, w := range rec.windows {
		rep.Rows = append(rep.Rows, makeRow(i, w, c.interval))
	}
	rep.LoadEnd = loadAvg()
	rep.judge(c)
	rep.print(c.out)
	return rep, nil
}

func makeRow(i int, w *window, interval time.Duration) row {
	r := row{Index: i + 1, Ops: w.ops, RPS: float64(w.ops) / interval.Seconds(), Errors: w.errs,
		P50: w.lat.Quantile(.5), P99: w.lat.Quantile(.99), MaxMs: w.lat.MaxMs()}
	for _, s := range w.samples {
		r.HeapMiB += s.HeapMiB / float64(len(w.samples))
		r.Goroutines += s.Goroutines / float64(len(w.samples))
		r.HeapMaxMiB = max(r.HeapMaxMiB, s.HeapMiB)
		r.GoroutinesMax = max(r.GoroutinesMax, s.Goroutines)
	}
	if n := len(w.samples); n > 0 {
		last := w.samples[n-1]
		r.RSSMiB, r.Websockets, r.Subs = last.RSSMiB, last.Websockets, last.Subscriptions
	}
	if n := len(w.db); n > 0 {
		last := w.db[n-1]
		r.PGConns, r.DuePending, r.Rems, r.LastSweep = last.Conns, last.DuePending, last.Reminders, last.LastSweep
	}
	for _, l := range w.load {
		r.Load += l / float64(len(w.load))
	}
	return r
}

func (r row) line() string {
	sweep := "-"
	if !r.LastSweep.IsZero() {
		sweep = r.LastSweep.UTC().Format("15:04:05")
	}
	return fmt.Sprintf("| %3d | %6d | %6.1f | %7.1f | %7.1f | %7.0f | %4d | %6.1f / %6.1f | %6.1f | %6.0f / %6.0f | %4.0f / %4.0f | %3d | %5d | %6d | %8s | %5.1f |",
		r.Index, r.Ops, r.RPS, r.P50, r.P99, r.MaxMs, r.Errors, r.HeapMiB, r.HeapMaxMiB, r.RSSMiB,
		r.Goroutines, r.GoroutinesMax, r.Websockets, r.Subs, r.PGConns, r.DuePending, r.Rems, sweep, r.Load)
}

const tableHead = "| row | ops | ops/s | p50 ms | p99 ms | max ms | errors | heap avg / max MiB | RSS MiB | goroutines avg / max | websockets / subs | PG conns | due unsent | reminders | last sweep | load 1m |\n" +
	"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"

// judge decides: no errors, no lost events, heap and goroutines not
// growing, p99 steady. The first row is warm-up; heap growth compares the
// average of the last k rows with the k after warm-up (k = 3 for a 10-row
// run, fewer for short runs); goroutines are compared idle, with the
// subscriptions open, before the load and after it.
func (r *report) judge(c soakConfig) {
	add := func(name string, ok bool, format string, args ...any) {
		r.Checks = append(r.Checks, check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}
	errs := 0
	var which []string
	for name, t := range r.Ops {
		errs += t.errs
		if t.errs > 0 {
			which = append(which, fmt.Sprintf("%s %d %v (first: %s)", name, t.errs, t.byKind, t.firstErr))
		}
	}
	sort.Strings(which)
	add("no request errors", errs == 0, "%d errors %s", errs, strings.Join(which, "; "))
	add("no subscription errors", r.SubErrors == 0 && r.Resumes == 0, "%d errors, %d resumptions %s", r.SubErrors, r.Resumes, r.SubFirstErr)
	s := r.Subs
	add("no lost events", s.Lost == 0 && s.Dups == 0 && s.Gaps == 0 && s.Expected > 0,
		"%d orders: %d events committed, %d received, %d lost, %d duplicates, %d gaps", s.Orders, s.Expected, s.Received, s.Lost, s.Dups, s.Gaps)
	add("boards up to date", s.BoardsBehind == 0, "%d boards, %d missing a final state", s.Boards, s.BoardsBehind)
	add("metrics read", r.SampleErrors == 0, "%d failed samples %s", r.SampleErrors, r.FirstSampleErr)
	b, a := r.IdleBefore, r.IdleAfter
	add("goroutines not growing (idle before and after)", a.Goroutines <= b.Goroutines+10,
		"idle with %.0f websockets: %.0f goroutines before the load, %.0f after (bound +10)", a.Websockets, b.Goroutines, a.Goroutines)

	n := len(r.Rows)
	if n < 3 {
		add("enough rows", false, "%d rows: need at least 3 (warm-up, first, last)", n)
		return
	}
	k := min(3, (n-1)/2)
	first, last := r.Rows[1:1+k], r.Rows[n-k:]
	avg := func(rows []row, f func(row) float64) float64 {
		t := 0.0
		for _, x := range rows {
			t += f(x)
		}
		return t / float64(len(rows))
	}
	h0, h1 := avg(first, func(x row) float64 { return x.HeapMiB }), avg(last, func(x row) float64 { return x.HeapMiB })
	add("heap not growing", h1 <= h0*c.heapGrowth, "last %d rows %.1f MiB vs rows 2-%d %.1f MiB (bound x%.2f)", k, h1, 1+k, h0, c.heapGrowth)
	// Under load the goroutine count follows the requests in flight and
	// the client's keep-alive connections (one server goroutine each, kept
	// for 90 s), so it rises with latency; a leak shows when the server is
	// idle again (the check above). This row is information.
	g0, g1 := avg(first, func(x row) float64 { return x.Goroutines }), avg(last, func(x row) float64 { return x.Goroutines })
	r.Info = append(r.Info, fmt.Sprintf("goroutines under load: last %d rows %.0f vs rows 2-%d %.0f (x%.2f; in flight and keep-alive connections, not judged)", k, g1, 1+k, g0, g1/g0))
	p99s := make([]float64, 0, n)
	for _, x := range r.Rows {
		p99s = append(p99s, x.P99)
	}
	slices.Sort(p99s)
	med := p99s[len(p99s)/2]
	lp := r.Rows[n-1].P99
	bound := max(med*c.p99Factor, med+c.p99SlackMs)
	add("p99 steady", lp <= bound, "last row %.1f ms vs median row %.1f ms (bound %.1f ms: x%.0f, or +%.0f ms)", lp, med, bound, c.p99Factor, c.p99SlackMs)
}

func (r *report) print(w io.Writer) {
	if w == nil {
		return
	}
	if r.Capacity > 0 {
		fmt.Fprintf(w, "\ncapacity (saturation): %.1f ops/s; driven at %.0f ops/s\n", r.Capacity, r.Rate)
	} else {
		fmt.Fprintf(w, "\ndriven at %.0f ops/s (given)\n", r.Rate)
	}
	fmt.Fprintf(w, "load average: start %s, end %s\n\n%s\n", r.LoadStart, r.LoadEnd, tableHead)
	for _, x := range r.Rows {
		fmt.Fprintln(w, x.line())
	}
	fmt.Fprintf(w, "\n| operation | count | p50 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|\n")
	names := make([]string, 0, len(r.Ops))
	for n := range r.Ops {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t := r.Ops[n]
		fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.0f | %d |\n", n, t.ops, t.lat.Quantile(.5), t.lat.Quantile(.99), t.lat.MaxMs(), t.errs)
	}
	fmt.Fprintf(w, "\nidle server with the subscriptions open, before / after the load: goroutines %.0f / %.0f, heap %.1f / %.1f MiB, RSS %.1f / %.1f MiB\n",
		r.IdleBefore.Goroutines, r.IdleAfter.Goroutines, r.IdleBefore.HeapMiB, r.IdleAfter.HeapMiB, r.IdleBefore.RSSMiB, r.IdleAfter.RSSMiB)
	fmt.Fprintf(w, "work-order moves %d, widget bookings %d, cancelled by advisors %d\n", r.Moves, r.Bookings, r.Cancels)
	fmt.Fprintf(w, "subscriptions: %d owners, %d boards; %d events committed, %d received, %d lost, %d duplicates; %d resumptions\n\n",
		r.Subs.Orders, r.Subs.Boards, r.Subs.Expected, r.Subs.Received, r.Subs.Lost, r.Subs.Dups, r.Resumes)
	for _, i := range r.Info {
		fmt.Fprintf(w, "info  %s\n", i)
	}
	for _, c := range r.Checks {
		mark := "PASS"
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s  %s: %s\n", mark, c.Name, c.Detail)
	}
	if r.Passed() {
		fmt.Fprintln(w, "\nverdict: PASS")
	} else {
		fmt.Fprintln(w, "\nverdict: FAIL")
	}
}
