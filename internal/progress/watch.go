package progress

import (
	"context"
	"fmt"
	"slices"

	"aftercare/ent"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/auth"
)

// WatchOrder streams a work order's events numbered above after: first
// those already stored, then each new one as it is committed. It subscribes
// before reading, so nothing committed in between is missed, and tracks the
// last number sent, so nothing is sent twice. Reads run under ctx's viewer.
// The channel closes when ctx ends (the client unsubscribed or left).
func WatchOrder(ctx context.Context, hub *Hub, c *ent.Client, workOrderID, after int) <-chan *ent.WorkOrderEvent {
	sub := hub.SubscribeOrder(workOrderID)
	out := make(chan *ent.WorkOrderEvent, 16)
	go func() {
		defer close(out)
		defer sub.Close()
		last := after
		for {
			events, err := c.WorkOrderEvent.Query().
				Where(workorderevent.WorkOrderID(workOrderID), workorderevent.SeqGT(last)).
				Order(ent.Asc(workorderevent.FieldSeq)).All(ctx)
			if err != nil {
				return // the database is gone or ctx ended; the client reconnects with after=last
			}
			for _, e := range events {
				select {
				case out <- e:
					last = e.Seq
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-sub.Wake:
			}
		}
	}()
	return out
}

// WatchStore streams every work order of a store that changes, re-read
// after each change. All board subscribers of a store are woken by the
// same event with the same changed ids, so they share one read (see
// readBoard) instead of each querying the database.
func WatchStore(ctx context.Context, hub *Hub, c *ent.Client, dealershipID int) <-chan *ent.WorkOrder {
	sub := hub.SubscribeStore(dealershipID)
	out := make(chan *ent.WorkOrder, 16)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.Wake:
			}
			orders, err := hub.readBoard(ctx, c, dealershipID, sub.Changed())
			if err != nil {
				return
			}
			for _, o := range orders {
				select {
				case out <- o:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// readBoard loads the changed work orders of a store (ids; 0 means "the
// listener reconnected: the whole open board"). Concurrent calls for the
// same store and ids share one query. The read runs as the system and
// outlives any one caller: every board subscriber was authorised for the
// store when it subscribed, and their own viewer still applies to every
// field they select below the work order. The rows are shared read-only.
func (h *Hub) readBoard(ctx context.Context, c *ent.Client, dealershipID int, ids []int) ([]*ent.WorkOrder, error) {
	slices.Sort(ids)
	key := fmt.Sprint(dealershipID, ids)
	rows, err, _ := h.boardReads.Do(key, func() (any, error) {
		q := c.WorkOrder.Query().Where(workorder.DealershipID(dealershipID))
		if slices.Contains(ids, 0) {
			q = q.Where(workorder.StatusNotIn(workorder.StatusDelivered, workorder.StatusCancelled))
		} else {
			q = q.Where(workorder.IDIn(ids...))
		}
		return q.All(auth.SystemContext(context.WithoutCancel(ctx)))
	})
	if err != nil {
		return nil, err
	}
	return rows.([]*ent.WorkOrder), nil
}
