// Package pglisten keeps one PostgreSQL session per instance that LISTENs on
// the channels other instances (and database triggers) NOTIFY: live repair
// progress and sign-in changes. One session serves every channel, so the
// connection budget grows by one per instance, not one per channel.
package pglisten

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is one NOTIFY channel and what the instance does with it.
type Channel struct {
	Name string
	// Notify receives each notification's payload, in commit order.
	Notify func(payload string)
	// Listening is called each time LISTEN is in place: at start and after
	// every reconnect, when whatever was missed must be re-read.
	Listening func()
	// Lost is called when the session drops; notifications are missed from
	// then until the next Listening. Nil when missing them needs no action
	// until then.
	Lost func()
}

// Run listens on chans until ctx ends, reconnecting with backoff. ready, if
// not nil, is closed once the first LISTEN is in place.
func Run(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger, chans []Channel, ready chan<- struct{}) {
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		err := listenOnce(ctx, pool, chans, func() {
			backoff = 100 * time.Millisecond
			for _, c := range chans {
				if c.Listening != nil {
					c.Listening()
				}
			}
			if first && ready != nil {
				close(ready)
			}
			first = false
		})
		for _, c := range chans {
			if c.Lost != nil {
				c.Lost()
			}
		}
		if ctx.Err() != nil {
			return
		}
		logger.Warn("listener lost its connection; reconnecting", "err", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func listenOnce(ctx context.Context, pool *pgxpool.Pool, chans []Channel, listening func()) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection carries LISTEN state: never return it to the pool.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx))
	byName := make(map[string]Channel, len(chans))
	for _, c := range chans {
		if _, err := pc.Exec(ctx, "LISTEN "+c.Name); err != nil {
			return err
		}
		byName[c.Name] = c
	}
	listening()
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if c, ok := byName[n.Channel]; ok {
			c.Notify(n.Payload)
		}
	}
}
