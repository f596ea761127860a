package progress

import (
	"context"
	"encoding/json"
	"fmt"

	"aftercare/ent"
)

// Channel is the PostgreSQL NOTIFY channel of work-order events.
const Channel = "aftercare_progress"

// Publisher announces a committed change.
type Publisher interface {
	// Publish must be called inside the transaction of the change (or
	// after it): the event is delivered only if that transaction commits.
	Publish(ctx context.Context, c *ent.Client, e Event) error
}

// PostgresPublisher sends NOTIFY in the change's transaction; PostgreSQL
// delivers it at commit to the listeners of every instance (this one too).
type PostgresPublisher struct{}

// Publish implements Publisher.
func (PostgresPublisher) Publish(ctx context.Context, c *ent.Client, e Event) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "SELECT pg_notify($1, $2)", Channel, string(payload)); err != nil {
		return fmt.Errorf("notify progress: %w", err)
	}
	return nil
}

// LocalPublisher dispatches in-process, after the change's transaction
// commits (SQLite: one process owns the database).
type LocalPublisher struct{ Hub *Hub }

// Publish implements Publisher.
func (p LocalPublisher) Publish(ctx context.Context, _ *ent.Client, e Event) error {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		p.Hub.Dispatch(e)
		return nil
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			p.Hub.Dispatch(e)
			return nil
		})
	})
	return nil
}
