package progress

import (
	"context"
	"slices"

	"aftercare/ent"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
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
// after each change.
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
			ids := sub.Changed()
			q := c.WorkOrder.Query().Where(workorder.DealershipID(dealershipID))
			if !slices.Contains(ids, 0) { // 0: the listener reconnected, send the open board
				q = q.Where(workorder.IDIn(ids...))
			} else {
				q = q.Where(workorder.StatusNotIn(workorder.StatusDelivered, workorder.StatusCancelled))
			}
			orders, err := q.All(ctx)
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
