package observe

import (
	"context"
	"sync"
	"time"

	"aftercare/ent"
	"aftercare/ent/outboxmessage"
	"aftercare/internal/auth"
	"aftercare/internal/notify"
	"aftercare/internal/store"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// WatchDB exposes the connection pools (database/sql's, and pgx's on
// PostgreSQL) and the outbox's depth and lag.
func (o *Observer) WatchDB(db *store.DB) {
	o.reg.MustRegister(collectors.NewDBStatsCollector(db.SQL, "aftercare"),
		&outboxCollector{client: db.Client, ttl: outboxTTL})
	if db.Pool != nil {
		o.reg.MustRegister(poolCollector{db.Pool})
	}
}

// Pushed counts one push to one device (called by the dispatcher).
func (o *Observer) Pushed(outcome notify.Outcome) {
	label := "failed"
	switch outcome {
	case notify.Delivered:
		label = "sent"
	case notify.TokenInvalid:
		label = "token_invalid"
	case notify.Retryable:
		label = "retried"
	}
	o.pushes.WithLabelValues(label).Inc()
}

// outboxTTL is how long an outbox reading is reused: scrapes from several
// Prometheus servers, or a fast scrape interval, cost at most two indexed
// queries per TTL.
const outboxTTL = 10 * time.Second

var (
	outboxPending = prometheus.NewDesc("aftercare_outbox_pending",
		"Outbox messages waiting to be sent (pending, due or not).", nil, nil)
	outboxLag = prometheus.NewDesc("aftercare_outbox_oldest_due_age_seconds",
		"How long the oldest due pending message has been due (0 if none): the dispatcher's lag.", nil, nil)
)

type outboxCollector struct {
	client *ent.Client
	ttl    time.Duration

	mu         sync.Mutex
	readAt     time.Time
	pending    int
	lagSeconds float64
	err        error
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- outboxPending; ch <- outboxLag }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.readAt) >= c.ttl {
		c.read()
		c.readAt = time.Now()
	}
	if c.err != nil {
		ch <- prometheus.NewInvalidMetric(outboxPending, c.err)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxPending, prometheus.GaugeValue, float64(c.pending))
	ch <- prometheus.MustNewConstMetric(outboxLag, prometheus.GaugeValue, c.lagSeconds)
}

// read counts as the system (the outbox belongs to no viewer), with a short
// timeout so a struggling database cannot hold scrapes.
func (c *outboxCollector) read() {
	ctx, cancel := context.WithTimeout(auth.SystemContext(context.Background()), 2*time.Second)
	defer cancel()
	pending := outboxmessage.StatusEQ(outboxmessage.StatusPending)
	c.pending, c.err = c.client.OutboxMessage.Query().Where(pending).Count(ctx)
	if c.err != nil {
		return
	}
	now := time.Now()
	oldest, err := c.client.OutboxMessage.Query().Where(pending, outboxmessage.SendAfterLTE(now)).
		Order(ent.Asc(outboxmessage.FieldSendAfter)).Select(outboxmessage.FieldSendAfter).First(ctx)
	switch {
	case ent.IsNotFound(err):
		c.lagSeconds = 0
	case err != nil:
		c.err = err
	default:
		c.lagSeconds = now.Sub(oldest.SendAfter).Seconds()
	}
}

var (
	poolAcquired = prometheus.NewDesc("aftercare_pgxpool_acquired_conns", "PostgreSQL connections in use.", nil, nil)
	poolIdle     = prometheus.NewDesc("aftercare_pgxpool_idle_conns", "Idle PostgreSQL connections.", nil, nil)
	poolTotal    = prometheus.NewDesc("aftercare_pgxpool_total_conns", "PostgreSQL connections open or opening.", nil, nil)
	poolMax      = prometheus.NewDesc("aftercare_pgxpool_max_conns", "Pool size limit (DB_MAX_CONNS).", nil, nil)
	poolAcquires = prometheus.NewDesc("aftercare_pgxpool_acquires_total", "Connections taken from the pool.", nil, nil)
	poolWaits    = prometheus.NewDesc("aftercare_pgxpool_empty_acquires_total", "Acquires that had to wait for a connection.", nil, nil)
	poolWaitSecs = prometheus.NewDesc("aftercare_pgxpool_acquire_duration_seconds_total", "Time spent acquiring connections.", nil, nil)
)

// poolCollector reads pgxpool.Stat at scrape time (it is a few atomic loads).
type poolCollector struct{ pool *pgxpool.Pool }

func (p poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolAcquired, poolIdle, poolTotal, poolMax, poolAcquires, poolWaits, poolWaitSecs} {
		ch <- d
	}
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.pool.Stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(poolAcquired, float64(s.AcquiredConns()))
	gauge(poolIdle, float64(s.IdleConns()))
	gauge(poolTotal, float64(s.TotalConns()))
	gauge(poolMax, float64(s.MaxConns()))
	counter(poolAcquires, float64(s.AcquireCount()))
	counter(poolWaits, float64(s.EmptyAcquireCount()))
	counter(poolWaitSecs, s.AcquireDuration().Seconds())
}
