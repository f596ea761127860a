package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"aftercare/bench/benchdb"

	"github.com/jackc/pgx/v5"
)

func run(ctx context.Context, c *config) error {
	if c.setup {
		if err := setupDB(ctx, c); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	conn, err := pgx.Connect(ctx, c.dbURL())
	if err != nil {
		return fmt.Errorf("connect to %s: %w", c.db, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	store, _, err := storeOne(ctx, conn)
	if err != nil {
		return err
	}
	all, err := loadWorkOrders(ctx, conn, store)
	if err != nil {
		return err
	}
	nOwners := c.subs - c.boards
	if len(all) < nOwners+1 {
		return fmt.Errorf("%d open BENCH- work orders at store 1; need %d (-subs minus -boards, plus one spare): run with -setup -owners %d", len(all), nOwners+1, nOwners+1)
	}
	targets, spare := all[:nOwners], all[nOwners]

	var srv *server
	pid := c.pid
	if c.spawn != "" {
		logf("starting %s serve on port %d (log: %s/server.log)", c.spawn, c.port, c.dataDir)
		if srv, err = spawnServer(ctx, c); err != nil {
			return err
		}
		defer srv.stop()
		pid = srv.cmd.Process.Pid
	}

	// Tokens: staff from the CLI (they link the staff record), owners minted.
	tech, err := staffToken(ctx, c, "technician@pudong.hmg.example")
	if err != nil {
		return err
	}
	boardTokens := []string{}
	for _, email := range []string{"advisor@pudong.hmg.example", "service_manager@pudong.hmg.example"} {
		t, err := staffToken(ctx, c, email)
		if err != nil {
			return err
		}
		boardTokens = append(boardTokens, t)
	}
	f := &fleet{}
	now := time.Now()
	// Boards are spread evenly through the ramp.
	nb := 0
	for i := 0; i < c.subs; i++ {
		cl := &client{n: i}
		if c.boards > 0 && i%(c.subs/c.boards) == 0 && nb < c.boards {
			cl.board, cl.store, cl.token = true, store, boardTokens[nb%len(boardTokens)]
			nb++
		}
		f.clients = append(f.clients, cl)
	}
	w := 0
	for _, cl := range f.clients {
		if cl.board {
			continue
		}
		if w >= len(targets) { // more owner slots than targets cannot happen; keep it bounded anyway
			return errors.New("internal: owner slots exceed targets")
		}
		cl.wo = targets[w]
		if cl.token, err = ownerToken(c.secret, cl.wo.Owner, now); err != nil {
			return err
		}
		w++
	}

	time.Sleep(2 * time.Second) // let the server settle after start-up
	idle := sample(pid, c.db)
	logf("idle: server RSS %s, %d threads", mib(idle.RSSKiB), idle.Threads)

	// 1. Ramp up at c.rate connections per second, at most c.inflight unanswered.
	cctx, stopClients := context.WithCancel(ctx)
	defer stopClients()
	wsURL := "ws" + strings.TrimPrefix(c.url, "http") + "/graphql"
	sem := make(chan struct{}, c.inflight)
	rampStart := time.Now()
	interval := time.Duration(float64(time.Second) / c.rate)
	launched := 0
	for i, cl := range f.clients {
		if ctx.Err() != nil {
			break
		}
		if wait := time.Until(rampStart.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		f.wg.Add(1)
		launched++
		go func() {
			defer f.wg.Done()
			cl.run(cctx, wsURL, &f.cnt, func() { <-sem })
		}()
		if c.verbose && (i+1)%1000 == 0 {
			logf("ramp: %d launched, %d connection_ack, %d owner subscriptions answered, %d failed", i+1, f.cnt.connAcked.Load(), f.cnt.ownerAcked.Load(), f.cnt.failed.Load())
		}
	}
	dialDone := time.Since(rampStart)
	// Owners answer with their last stored event; boards answer only when a
	// work order of the store changes, so wait for owners, then warm up.
	ownersLaunched, boardsLaunched := int64(0), int64(0)
	for _, cl := range f.clients[:launched] {
		if cl.board {
			boardsLaunched++
		} else {
			ownersLaunched++
		}
	}
	deadline := time.Now().Add(c.ackWait)
	waitFor := func(done func() bool, until time.Time) error {
		for !done() && time.Now().Before(until) {
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	if err := waitFor(func() bool {
		failed := f.cnt.failed.Load()
		return f.cnt.ownerAcked.Load()+failed >= ownersLaunched && f.cnt.connAcked.Load()+failed >= int64(launched)
	}, deadline); err != nil {
		return err
	}
	rampDur := time.Since(rampStart)
	logf("ramp: %d launched in %s; %d connection_ack, %d owner subscriptions answered, %d failed, after %s",
		launched, dialDone.Round(time.Millisecond), f.cnt.connAcked.Load(), f.cnt.ownerAcked.Load(), f.cnt.failed.Load(), rampDur.Round(time.Millisecond))
	afterRamp := sample(pid, c.db)

	// Warm-up: one move of a spare work order reaches every board.
	time.Sleep(time.Second)
	techHC := &http.Client{Timeout: 30 * time.Second}
	var out map[string]any
	if err := graphQL(ctx, techHC, c.url+"/graphql", tech, advanceMutation, map[string]any{"in": map[string]any{
		"workOrderID": fmt.Sprint(spare.ID), "to": other(spare.Status)}}, &out); err != nil {
		return fmt.Errorf("warm-up move: %w", err)
	}
	if err := waitFor(func() bool {
		return f.cnt.boardAcked.Load()+f.cnt.ownerAcked.Load()+f.cnt.failed.Load() >= int64(launched)
	}, time.Now().Add(15*time.Second)); err != nil {
		return err
	}
	logf("subscriptions answered: %d owners of %d, %d boards of %d (%d failed)",
		f.cnt.ownerAcked.Load(), ownersLaunched, f.cnt.boardAcked.Load(), boardsLaunched, f.cnt.failed.Load())
	boardBase := f.cnt.boardNext.Load()
	acked := sample(pid, c.db)

	time.Sleep(c.settle)
	loaded := sample(pid, c.db)
	logf("loaded: server RSS %s, %d threads", mib(loaded.RSSKiB), loaded.Threads)

	// 2. Drive events, sampling the server every second.
	logf("driving %.0f events/s for %s over %d work orders", c.eps, c.duration, hotCount(c, targets))
	samples := make(chan procSample, 1)
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go func() {
		peak := procSample{}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				samples <- peak
				return
			case <-t.C:
				if s := sample(pid, c.db); s.RSSKiB > peak.RSSKiB {
					peak = s
				}
			}
		}
	}()
	beforeDrive := sample(pid, c.db)
	killed := make(chan string, 1)
	if c.killAt > 0 {
		go func() {
			select {
			case <-time.After(c.killAt):
			case <-sctx.Done():
				killed <- "not done (the drive ended first)"
				return
			}
			killed <- killListener(ctx, c)
		}()
	}
	boardBeforeDrive := f.cnt.boardNext.Load()
	dr := drive(ctx, c, tech, targets[:hotCount(c, targets)])
	afterDrive := sample(pid, c.db)
	logf("drive: %d offered, %d ok, %d errors, %d skipped (driver busy) in %s", dr.offered, dr.ok, dr.errs, dr.skipped, dr.elapsed.Round(time.Millisecond))
	if dr.firstErr != nil {
		logf("drive: first error: %v", dr.firstErr)
	}

	// 3. Expected deliveries come from the database: every event above the baseline.
	ids := make([]int64, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	final, err := benchdb.LastEventSeqs(ctx, conn, ids)
	if err != nil {
		return err
	}
	expected := int64(0)
	for _, t := range targets {
		expected += int64(final[t.ID] - t.Baseline)
	}
	drainStart := time.Now()
	for f.cnt.ownerNext.Load() < expected && time.Since(drainStart) < c.drain && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // late duplicates and board rows
	stopSampling()
	peak := <-samples
	killMsg := ""
	if c.killAt > 0 {
		killMsg = <-killed
		logf("listener kill: %s", killMsg)
	}
	boardAll := f.cnt.boardNext.Load() - boardBeforeDrive
	end := sample(pid, c.db)
	f.cnt.stopping.Store(true)
	var gTotal int
	var gBy map[string]int
	if c.dump && srv != nil {
		var err error
		if gTotal, gBy, err = srv.goroutineDump(); err != nil {
			logf("goroutine dump: %v", err)
		}
	}
	stopClients()
	waitTimeout(&f.wg, 30*time.Second)

	// 4. Analyse and report.
	rep := analyse(f, targets, final, dr, boardBase)
	fmt.Println()
	printReport(c, rep, dr, idle, afterRamp, acked, loaded, beforeDrive, afterDrive, peak, end, rampDur, dialDone, launched, expected, f)
	fmt.Printf("board rows, all orders     %d during the drive and drain (%.0f per board)\n", boardAll, float64(boardAll)/float64(max(1, c.boards)))
	if killMsg != "" {
		fmt.Printf("listener killed            %s\n", killMsg)
	}
	if gTotal > 0 {
		type kv struct {
			k string
			v int
		}
		var top []kv
		for k, v := range gBy {
			top = append(top, kv{k, v})
		}
		sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v })
		fmt.Printf("server goroutines        %d with %d connections (%.2f per connection); started by:\n", gTotal, launched, float64(gTotal)/float64(max(1, launched)))
		for i := 0; i < len(top) && i < 8; i++ {
			fmt.Printf("  %7d  %s\n", top[i].v, top[i].k)
		}
	}
	if srv != nil {
		logf("server log: %s", srv.log)
	}
	return nil
}

func hotCount(c *config, targets []watched) int {
	if c.hot > 0 && c.hot < len(targets) {
		return c.hot
	}
	return len(targets)
}

func other(status string) string {
	if status == "waiting_parts" {
		return "in_repair"
	}
	return "waiting_parts"
}

func waitTimeout(wg interface{ Wait() }, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		logf("some clients did not stop within %s", d)
	}
}

type report struct {
	latCreated, latSent, latResp, boardLat durations
	received, lost, dups, outOfOrder       int64
	ordersShort                            int
	boardRows, boardStale                  int64
	boardsChecked                          int
	clientErrs                             int
	errSamples                             []string
	ackDur                                 durations
}

func analyse(f *fleet, targets []watched, final map[int64]int, dr driveResult, boardBase int64) report {
	var r report
	errCount := map[string]int{}
	for _, cl := range f.clients {
		if cl.err != nil {
			r.clientErrs++
			msg := cl.err.Error()
			if len(msg) > 160 {
				msg = msg[:160]
			}
			errCount[msg]++
		}
		if cl.acked && cl.ackDur > 0 && !cl.board { // a board answers only at the warm-up move
			r.ackDur = append(r.ackDur, cl.ackDur)
		}
		if cl.board {
			continue
		}
		want := final[cl.wo.ID]
		seen := map[int]int{}
		last := 0
		for _, e := range cl.events {
			if e.Seq <= cl.wo.Baseline {
				continue // history, the subscription's answer
			}
			r.received++
			seen[e.Seq]++
			if e.Seq <= last {
				r.outOfOrder++
			}
			last = max(last, e.Seq)
			if !e.CreatedAt.IsZero() {
				r.latCreated = append(r.latCreated, e.Recv.Sub(e.CreatedAt))
			}
			if s, ok := dr.sent[eventKey{cl.wo.ID, e.Seq}]; ok {
				r.latSent = append(r.latSent, e.Recv.Sub(s.Send))
				r.latResp = append(r.latResp, e.Recv.Sub(s.Resp))
			}
		}
		short := false
		for seq := cl.wo.Baseline + 1; seq <= want; seq++ {
			switch n := seen[seq]; {
			case n == 0:
				r.lost++
				short = true
			case n > 1:
				r.dups += int64(n - 1)
			}
		}
		if short {
			r.ordersShort++
		}
	}
	// Boards: rows may coalesce (several moves of one order, one row with
	// the latest state), but each board must end with every driven order's
	// final event number.
	driven := map[int64]int{}
	for _, t := range targets {
		if final[t.ID] > t.Baseline {
			driven[t.ID] = final[t.ID]
		}
	}
	for _, cl := range f.clients {
		if !cl.board || !cl.acked || cl.failed {
			continue
		}
		r.boardsChecked++
		latest := map[int64]int{}
		for _, row := range cl.rows {
			latest[row.WO] = max(latest[row.WO], row.Seq)
			if _, ok := driven[row.WO]; ok {
				r.boardRows++
				r.boardLat = append(r.boardLat, row.Recv.Sub(row.UpdatedAt))
			}
		}
		for id, seq := range driven {
			if latest[id] < seq {
				r.boardStale++
			}
		}
	}
	type kv struct {
		k string
		v int
	}
	var errs []kv
	for k, v := range errCount {
		errs = append(errs, kv{k, v})
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].v > errs[j].v })
	for i := 0; i < len(errs) && i < 5; i++ {
		r.errSamples = append(r.errSamples, fmt.Sprintf("%d× %s", errs[i].v, errs[i].k))
	}
	return r
}

func printReport(c *config, r report, dr driveResult, idle, afterRamp, acked, loaded, beforeDrive, afterDrive, peak, end procSample,
	rampDur, dialDone time.Duration, launched int, expected int64, f *fleet) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	row := func(k string, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, args...))
	}
	host, _ := os.Hostname()
	row("machine", "%s, %d cores (client, server and PostgreSQL share them)", host, runtime.NumCPU())
	row("connections", "%d launched (%d owner, %d board); %d connection_ack; answered: %d owner, %d board subscriptions; %d failed",
		launched, launched-c.boards, c.boards, f.cnt.connAcked.Load(), f.cnt.ownerAcked.Load(), f.cnt.boardAcked.Load(), f.cnt.failed.Load())
	row("ramp", "dials done in %s at %.0f/s offered; all answered after %s; owner dial→first event %s",
		dialDone.Round(time.Millisecond), c.rate, rampDur.Round(time.Millisecond), r.ackDur.summary())
	row("events", "%d offered at %.0f/s for %s, %d committed, %d errors, %d skipped; mutation round trip %s",
		dr.offered, c.eps, c.duration, dr.ok, dr.errs, dr.skipped, dr.latency.summary())
	row("owner deliveries", "%d expected (from last_event_seq), %d received", expected, r.received)
	row("lost", "%d (work orders short: %d)", r.lost, r.ordersShort)
	row("duplicates", "%d (out of order: %d)", r.dups, r.outOfOrder)
	row("latency created_at→recv", "%s", r.latCreated.summary())
	row("latency send→recv", "%s", r.latSent.summary())
	row("latency response→recv", "%s", r.latResp.summary())
	row("board rows", "%d rows of driven orders over %d boards; final state missing: %d; updated_at→recv %s",
		r.boardRows, r.boardsChecked, r.boardStale, r.boardLat.summary())
	row("client errors", "%d clients; %s", r.clientErrs, strings.Join(r.errSamples, " | "))
	if idle.ServerSeen {
		perSub := float64(loaded.RSSKiB-idle.RSSKiB) / float64(max(1, f.cnt.connAcked.Load()))
		row("server RSS", "idle %s; after ramp %s; loaded %s; peak during drive %s; end %s; VmHWM %s",
			mib(idle.RSSKiB), mib(afterRamp.RSSKiB), mib(loaded.RSSKiB), mib(peak.RSSKiB), mib(end.RSSKiB), mib(end.HWMKiB))
		row("memory per subscription", "%.1f KiB ((loaded - idle) / connections, one subscription each)", perSub)
		row("server threads", "idle %d, loaded %d", idle.Threads, loaded.Threads)
	}
	span := func(a, b procSample) string {
		wall := b.At.Sub(a.At).Seconds()
		srvCPU, pgCPU, cliCPU := b.ServerCPU-a.ServerCPU, b.PGCPU-a.PGCPU, b.ClientCPU-a.ClientCPU
		mach := "n/a"
		if b.MachTotal > a.MachTotal {
			busy := b.MachBusy - a.MachBusy
			mach = fmt.Sprintf("%.0f%% (%.2f cores; not ours: %.2f cores)", 100*busy/(b.MachTotal-a.MachTotal),
				busy/wall, (busy-srvCPU-pgCPU-cliCPU)/wall)
		}
		return fmt.Sprintf("server %.2f s (%.2f cores), postgres %.2f s (%.2f cores), client %.2f s (%.2f cores) over %.1f s; machine busy %s; load %s→%s",
			srvCPU, srvCPU/wall, pgCPU, pgCPU/wall, cliCPU, cliCPU/wall, wall, mach, a.Load1, b.Load1)
	}
	row("CPU ramp", "%s", span(idle, afterRamp))
	row("CPU idle with subs", "%s", span(acked, loaded))
	row("CPU drive", "%s", span(beforeDrive, afterDrive))
	tw.Flush()
}

// killListener terminates the server's LISTEN connection to the database.
func killListener(ctx context.Context, c *config) string {
	conn, err := pgx.Connect(ctx, c.dbURL())
	if err != nil {
		return "failed: " + err.Error()
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = $1 AND application_name = 'aftercare' AND query ILIKE 'LISTEN%'`, c.db).Scan(&n)
	if err != nil {
		return "failed: " + err.Error()
	}
	return fmt.Sprintf("%d LISTEN connection(s) terminated at %s", n, time.Now().Format("15:04:05.000"))
}
