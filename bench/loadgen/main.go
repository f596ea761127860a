// Command loadgen drives one GraphQL endpoint with a file of requests, at a
// fixed rate (open loop) or at saturation (closed loop), and writes one JSON
// line of results: throughput, latency percentiles, errors, the server's
// CPU-seconds per 1,000 requests and peak RSS, PostgreSQL backend CPU, and
// SQL statements per request from pg_stat_statements. bench/compare/run.sh
// runs it; `loadgen -report results.jsonl` prints the markdown table.
//
// It only talks to loopback addresses, and every run is bounded by
// -duration (and, with -once, by the number of requests in the file).
package main

import (
	"aftercare/bench/latency"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

type config struct {
	url, requests, label, scenario, out, pgURL, pgData string
	rate                                               float64
	workers, maxInFlight, serverPID                    int
	duration, warmup                                   time.Duration
	once                                               bool
}

func main() {
	var c config
	flag.StringVar(&c.url, "url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint (loopback only)")
	flag.StringVar(&c.requests, "requests", "", "JSON lines of {token, body}")
	flag.StringVar(&c.label, "target", "", "target name for the report (aftercare, postgraphile, rawpgx)")
	flag.StringVar(&c.scenario, "scenario", "", "scenario name for the report")
	flag.StringVar(&c.out, "out", "", "append the result line to this file (default stdout)")
	flag.StringVar(&c.pgURL, "pg", "", "PostgreSQL URL for pg_stat_statements (statements per request)")
	flag.StringVar(&c.pgData, "pgdata", "", "data directory of that cluster (backend CPU via postmaster.pid)")
	flag.Float64Var(&c.rate, "rate", 0, "requests per second; 0 = closed loop at saturation")
	flag.IntVar(&c.workers, "workers", 32, "closed loop: concurrent requests")
	flag.IntVar(&c.maxInFlight, "max-inflight", 1000, "open loop: outstanding requests before the client counts errors")
	flag.IntVar(&c.serverPID, "pid", 0, "server process id (CPU and RSS)")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "measured time")
	flag.DurationVar(&c.warmup, "warmup", 3*time.Second, "unmeasured closed-loop warm-up (4 workers)")
	flag.BoolVar(&c.once, "once", false, "send each request at most once (mutations)")
	report := flag.String("report", "", "print the markdown table of a results file and exit")
	flag.Parse()
	if *report != "" {
		if err := printReport(os.Stdout, *report); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

// result is one scenario against one target.
type result struct {
	Target, Scenario, Mode, LoadAvg, FirstError string
	Rate                                        float64 `json:",omitempty"`
	Workers                                     int     `json:",omitempty"`
	Requests, Errors                            int
	Seconds, RPS, P50, P95, P99, Max            float64
	ServerCPUPer1k, PGCPUPer1k                  float64
	PeakRSSMiB, HWMMiB                          float64
	StatementsPerReq                            float64
	Start                                       time.Time
}

func run(c config) error {
	if err := loopbackOnly(c.url); err != nil {
		return err
	}
	reqs, err := readRequests(c.requests)
	if err != nil || len(reqs) == 0 {
		return fmt.Errorf("requests %q: %v (%d lines)", c.requests, err, len(reqs))
	}
	workers := max(c.workers, 4)
	d := &driver{url: c.url, reqs: reqs, once: c.once, client: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: max(workers, 256), MaxIdleConns: 2048},
	}}
	if c.warmup > 0 && !c.once {
		wctx, cancel := context.WithTimeout(context.Background(), c.warmup)
		d.closedLoop(wctx, 4)
		cancel()
		// Forget the warm-up's figures; the file goes on where it stopped.
		d.lat, d.first = latency.Hist{}, ""
		d.errs.Store(0)
	}
	stats, err := openStatements(c.pgURL)
	if err != nil {
		return err
	}
	defer stats.close()
	r := result{Target: c.label, Scenario: c.scenario, LoadAvg: loadAvg(), Start: time.Now().UTC()}
	pm := postmasterPID(c.pgData)
	pg0, cpu0 := childCPU(pm), cpuSeconds(c.serverPID)
	peak := sampleRSS(c.serverPID)
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	t0 := time.Now()
	if c.rate > 0 {
		r.Mode, r.Rate = "fixed", c.rate
		r.Requests = d.openLoop(ctx, c.rate, c.maxInFlight)
	} else {
		r.Mode, r.Workers = "saturation", workers
		r.Requests = d.closedLoop(ctx, workers)
	}
	cancel()
	r.Seconds = time.Since(t0).Seconds()
	cpu1, pg1 := cpuSeconds(c.serverPID), childCPU(pm)
	r.PeakRSSMiB = float64(peak()) / 1024
	r.HWMMiB = float64(memKiB(c.serverPID, "VmHWM")) / 1024
	if r.StatementsPerReq, err = stats.perRequest(r.Requests); err != nil {
		return err
	}
	fill(&r, d, cpu1-cpu0, backendDelta(pg0, pg1))
	return write(c.out, r)
}

func fill(r *result, d *driver, serverCPU, pgCPU float64) {
	r.Errors, r.FirstError = int(d.errs.Load()), d.first
	r.RPS = float64(r.Requests-r.Errors) / r.Seconds
	r.P50, r.P95, r.P99 = d.lat.Quantile(0.50), d.lat.Quantile(0.95), d.lat.Quantile(0.99)
	r.Max = d.lat.MaxMs()
	if r.Requests > 0 {
		r.ServerCPUPer1k = serverCPU * 1000 / float64(r.Requests)
		r.PGCPUPer1k = pgCPU * 1000 / float64(r.Requests)
	}
}

// backendDelta sums the CPU each backend spent between two samples.
func backendDelta(before, after map[int]float64) float64 {
	total := 0.0
	for pid, a := range after {
		total += a - before[pid]
	}
	return total
}

// sampleRSS polls VmRSS every 100 ms until the returned func is called.
func sampleRSS(pid int) func() int64 {
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var hi int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			hi = max(hi, memKiB(pid, "VmRSS"))
			select {
			case <-done:
				peak <- hi
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(done); return <-peak }
}

func write(path string, r result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%-12s %-8s %-10s %6.0f rps  p50 %6.1f  p99 %7.1f ms  err %d  stmts/req %.1f  cpu/1k %.2f s\n",
		r.Target, r.Scenario, r.Mode, r.RPS, r.P50, r.P99, r.Errors, r.StatementsPerReq, r.ServerCPUPer1k)
	if path == "" {
		_, err = fmt.Println(string(b))
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintln(f, string(b))
	return err
}

// loopbackOnly refuses any target that is not on this machine.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address", u.Host)
		}
	}
	return nil
}
