package benchdb

import (
	"context"
	"sync/atomic"

	"aftercare/internal/pgurl"
	"aftercare/internal/store"

	"github.com/jackc/pgx/v5"
)

// Open opens database name on the server at admin, re-created empty first
// when recreate is set, and migrated. The counter counts the statements
// run through the ent client (the figures' "statements per run").
func Open(ctx context.Context, admin, name string, recreate bool, maxConns int32) (*store.DB, *atomic.Int64, error) {
	if recreate {
		if err := Recreate(ctx, admin, name); err != nil {
			return nil, nil, err
		}
	}
	var stmts atomic.Int64
	db, err := store.Open(ctx, store.Config{DatabaseURL: pgurl.WithDatabase(admin, name), MaxConns: maxConns,
		Observe: func(context.Context, string) { stmts.Add(1) }})
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, &stmts, nil
}

// LastEventSeqs reads each work order's last event number, for the
// subscription benchmarks' lost-event checks.
func LastEventSeqs(ctx context.Context, conn *pgx.Conn, ids []int64) (map[int64]int, error) {
	rows, err := conn.Query(ctx, `SELECT id, last_event_seq FROM work_orders WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(ids))
	for rows.Next() {
		var id, seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = int(seq)
	}
	return out, rows.Err()
}
