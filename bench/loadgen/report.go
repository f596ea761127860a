package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// printReport prints one markdown row per result line, in file order.
func printReport(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintln(w, "| scenario | target | load | req/s | p50 / p95 / p99 ms | errors | server CPU-s / 1k req | PG CPU-s / 1k req | peak RSS MiB | SQL stmts / req | load avg at start |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return err
		}
		load := "saturation"
		if r.Mode == "fixed" {
			load = fmt.Sprintf("%.0f/s", r.Rate)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.0f | %.1f / %.1f / %.1f | %d | %.2f | %.2f | %.0f | %.1f | %s |\n",
			r.Scenario, r.Target, load, r.RPS, r.P50, r.P95, r.P99, r.Errors,
			r.ServerCPUPer1k, r.PGCPUPer1k, r.PeakRSSMiB, r.StatementsPerReq, r.LoadAvg)
	}
	return sc.Err()
}
