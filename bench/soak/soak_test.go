package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"aftercare/internal/apitest"
	"aftercare/internal/config"
	"aftercare/internal/testenv"
)

// TestSoakSmoke runs the soak's whole logic for a few seconds against the
// API in-process on a fresh PostgreSQL database (the demo data), with the
// dispatcher and the periodic jobs running, so the tool cannot rot: the
// fixture SQL, every operation of the mix, the subscriptions and their
// check against the database, the /metrics samples and the judgement.
// Growth and p99 need minutes, so here they are only reported.
func TestSoakSmoke(t *testing.T) {
	d, ok := testenv.Postgres(t)
	if !ok {
		t.Skip("no PostgreSQL")
	}
	api := apitest.Start(t, d, apitest.Options{Owners: 40, Config: func(c *config.Config) {
		c.RatePerWidgetKey = 0
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	if err := api.App.RunBackground(bg); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep, err := soak(ctx, soakConfig{
		base: api.URL, dbURL: d.URL, secret: "test-secret-test-secret-test-secret-0123",
		rate: 25, duration: 6 * time.Second, interval: 2 * time.Second, sampleEvery: 500 * time.Millisecond,
		drain: 2 * time.Second, owners: 40, watch: 8, boardsPerStore: 2,
		out: &out, log: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
	must := map[string]bool{"no request errors": true, "no subscription errors": true, "no lost events": true,
		"boards up to date": true, "metrics read": true, "goroutines not growing (idle before and after)": true}
	for _, c := range rep.Checks {
		if must[c.Name] && !c.OK {
			t.Errorf("%s: %s", c.Name, c.Detail)
		}
		delete(must, c.Name)
	}
	for name := range must {
		t.Errorf("check %q was not made", name)
	}
	for _, name := range []string{"home", "node", "day", "slots", "book", "progress"} {
		if rep.Ops[name] == nil || rep.Ops[name].ops == 0 {
			t.Errorf("operation %s never ran", name)
		}
	}
	if rep.Moves == 0 || rep.Subs.Expected == 0 || rep.Subs.Received < rep.Subs.Expected {
		t.Errorf("moves %d, events committed %d, received %d", rep.Moves, rep.Subs.Expected, rep.Subs.Received)
	}
	if len(rep.Rows) != 3 {
		t.Errorf("%d rows, want 3", len(rep.Rows))
	}
	for _, r := range rep.Rows {
		// 12 sockets: 8 owners and 2 boards at each of the 2 stores.
		if r.Goroutines == 0 || r.HeapMiB == 0 || r.RSSMiB == 0 || r.Websockets != 12 || r.PGConns == 0 {
			t.Errorf("row %d lacks server samples: %+v", r.Index, r)
		}
	}
}
