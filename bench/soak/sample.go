package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// serverSample is what the server's /metrics says at one moment.
type serverSample struct {
	HeapMiB, RSSMiB float64 // Go heap in use by live objects; resident set
	Goroutines      float64
	Websockets      float64
	Subscriptions   float64
	GCs             float64
}

// wanted metric names and where they go.
var wanted = map[string]func(*serverSample, float64){
	"go_memstats_heap_alloc_bytes":     func(s *serverSample, v float64) { s.HeapMiB = v / (1 << 20) },
	"process_resident_memory_bytes":    func(s *serverSample, v float64) { s.RSSMiB = v / (1 << 20) },
	"go_goroutines":                    func(s *serverSample, v float64) { s.Goroutines = v },
	"aftercare_websocket_connections":  func(s *serverSample, v float64) { s.Websockets = v },
	"aftercare_subscriptions_active":   func(s *serverSample, v float64) { s.Subscriptions = v },
	"go_gc_duration_seconds_count":     func(s *serverSample, v float64) { s.GCs = v },
	"go_memstats_last_gc_time_seconds": func(*serverSample, float64) {},
}

// scrape reads /metrics (Prometheus text format; only unlabelled samples).
func scrape(ctx context.Context, client *http.Client, url, token string) (serverSample, error) {
	var s serverSample
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return s, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return s, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if set := wanted[name]; set != nil {
			if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
				set(&s, v)
			}
		}
	}
	return s, sc.Err()
}

// dbSample is what the database says: connections of the server, due
// messages not yet handled, reminders written, the sweep's last success.
type dbSample struct {
	Conns      int
	DuePending int
	Reminders  int
	LastSweep  time.Time
}

type dbSampler struct{ conn *pgx.Conn }

func openDBSampler(ctx context.Context, url string) (*dbSampler, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	return &dbSampler{conn: c}, nil
}

func (d *dbSampler) close() { d.conn.Close(context.Background()) }

func (d *dbSampler) sample(ctx context.Context) (dbSample, error) {
	var s dbSample
	var last *time.Time
	err := d.conn.QueryRow(ctx, `SELECT
  (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()),
  (SELECT count(*) FROM outbox_messages WHERE status = 'pending' AND send_after <= now() - interval '30 seconds'),
  (SELECT count(*) FROM reminders),
  (SELECT last_succeeded_at FROM job_leases WHERE name = 'reminder_sweep')`).Scan(&s.Conns, &s.DuePending, &s.Reminders, &last)
	if last != nil {
		s.LastSweep = *last
	}
	return s, err
}

// loadAvg is /proc/loadavg's first three fields.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func load1() float64 {
	f := strings.Fields(loadAvg())
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
