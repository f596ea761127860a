package progress

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Listen relays NOTIFY events from PostgreSQL to the hub until ctx ends.
// When its connection drops it reconnects with backoff and then wakes every
// subscriber, which re-reads from the database whatever it missed. ready,
// if not nil, is closed once the first LISTEN is in place.
func Listen(ctx context.Context, pool *pgxpool.Pool, hub *Hub, logger *slog.Logger, ready chan<- struct{}) {
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		err := listenOnce(ctx, pool, hub, func() {
			backoff = 100 * time.Millisecond
			if first && ready != nil {
				close(ready)
			}
			if !first {
				hub.WakeAll()
			}
			first = false
		})
		if ctx.Err() != nil {
			return
		}
		logger.Warn("progress listener lost its connection; reconnecting", "err", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func listenOnce(ctx context.Context, pool *pgxpool.Pool, hub *Hub, listening func()) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection carries LISTEN state: never return it to the pool.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx))
	if _, err := pc.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	listening()
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var e Event
		if json.Unmarshal([]byte(n.Payload), &e) == nil {
			hub.Dispatch(e)
		}
	}
}
