package workorder

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/inspectionitem"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/outbox"
	"aftercare/internal/progress"
	"aftercare/internal/store"
)

// Service changes work orders. Every method needs a transactional client:
// the order row is locked, the event numbered and the progress published
// in one transaction.
type Service struct {
	Publisher progress.Publisher
	Now       func() time.Time
	// AfterDeliver, when set, runs in the delivery's transaction (the
	// satisfaction survey invitation); its error undoes the delivery.
	AfterDeliver func(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, now time.Time) error
	// AfterCancel, when set, runs in the cancellation's transaction (points
	// redeemed on the order go back); its error undoes the cancellation.
	AfterCancel func(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, now time.Time) error
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Move is a status change with the owner-facing message.
type Move struct {
	WorkOrderID int
	To          workorder.Status
	Message     string
	// PromisedAt is the new promised time when it slips.
	PromisedAt *time.Time
}

// Advance moves a work order along the state machine.
func (s *Service) Advance(ctx context.Context, c *ent.Client, m Move) (*ent.WorkOrder, error) {
	wo, err := lock(ctx, c, m.WorkOrderID)
	if err != nil {
		return nil, err
	}
	v := auth.FromContext(ctx)
	known, allowed := mayMove(v, wo.Status, m.To)
	switch {
	case !known:
		return nil, apperr.Conflictf("a work order cannot go from %s to %s", wo.Status, m.To)
	case !allowed:
		return nil, apperr.Forbiddenf("your role cannot move a work order from %s to %s", wo.Status, m.To)
	}
	if err := guard(ctx, c, wo, m.To); err != nil {
		return nil, err
	}
	return s.record(ctx, c, wo, m, nil)
}

// guard checks what a move needs beyond the role.
func guard(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, to workorder.Status) error {
	switch to {
	case Diagnosing:
		ci := wo.CheckIn
		if !ci.FaultConfirmed || !ci.WorkConfirmed || !ci.PromisedTimeConfirmed {
			return apperr.Conflictf("work cannot start before the owner confirmed the fault, the work and estimate, and the promised time")
		}
	case AwaitingApproval:
		n, err := pendingFixNow(ctx, c, wo.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.Conflictf("there is no recommended item awaiting the owner's decision")
		}
	case InRepair:
		if wo.Status != AwaitingApproval {
			return nil
		}
		n, err := pendingFixNow(ctx, c, wo.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflictf("%d recommended items still await the owner's decision", n)
		}
	}
	return nil
}

func pendingFixNow(ctx context.Context, c *ent.Client, id int) (int, error) {
	return c.InspectionItem.Query().Where(inspectionitem.WorkOrderID(id),
		inspectionitem.RatingEQ(inspectionitem.RatingFixNow), inspectionitem.DecisionEQ(inspectionitem.DecisionPending)).
		Count(auth.SystemContext(ctx))
}

// lock reads the work order the viewer can see, locked until commit.
func lock(ctx context.Context, c *ent.Client, id int) (*ent.WorkOrder, error) {
	wo, err := c.WorkOrder.Query().Where(workorder.ID(id)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("work order not found")
	}
	return wo, err
}

// record writes the next event of a locked work order, applies upd, moves
// its status, notifies the owner where it matters and publishes progress.
// The event is written by the system on the actor's behalf: the actor's
// right to the move was checked by the caller.
func (s *Service) record(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, m Move, upd func(*ent.WorkOrderUpdateOne)) (*ent.WorkOrder, error) {
	v := auth.FromContext(ctx)
	sys := auth.SystemContext(ctx)
	seq := wo.LastEventSeq + 1
	msg := m.Message
	if msg == "" && (m.To != wo.Status || seq == 1) {
		msg = defaultMessages[m.To]
	}
	ev := c.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(seq).SetToStatus(workorderevent.ToStatus(m.To)).
		SetMessage(msg).SetNillablePromisedAt(m.PromisedAt).SetCreatedAt(s.now())
	if seq > 1 {
		ev.SetFromStatus(workorderevent.FromStatus(wo.Status))
	}
	switch {
	case v.IsStaff():
		ev.SetActorKind(workorderevent.ActorKindStaff).SetActorStaffID(v.StaffID)
	case v.IsOwner():
		ev.SetActorKind(workorderevent.ActorKindOwner)
	default:
		ev.SetActorKind(workorderevent.ActorKindSystem)
	}
	if err := ev.Exec(sys); err != nil {
		return nil, err
	}
	u := c.WorkOrder.UpdateOneID(wo.ID).SetStatus(m.To).SetLastEventSeq(seq).SetNillablePromisedAt(m.PromisedAt)
	if upd != nil {
		upd(u)
	}
	updated, err := u.Save(sys)
	if err != nil {
		return nil, err
	}
	if err := s.notifyOwner(ctx, c, updated, seq, m.To, wo.Status); err != nil {
		return nil, err
	}
	return updated, s.Publisher.Publish(ctx, c, progress.Event{WorkOrderID: wo.ID, DealershipID: wo.DealershipID, Seq: seq})
}

// pushWorthy are the moves the owner is pushed about (the rest show live
// in the app).
var pushWorthy = map[workorder.Status]string{
	AwaitingApproval: "Approval needed",
	ReadyForPickup:   "Your car is ready",
}

func (s *Service) notifyOwner(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, seq int, to, from workorder.Status) error {
	title, ok := pushWorthy[to]
	if !ok || to == from {
		return nil
	}
	id := wo.ID
	return outbox.Enqueue(ctx, c, outbox.Message{
		OwnerID: wo.OwnerID, StoreID: wo.DealershipID, Kind: "work_order_" + string(to),
		DedupeKey: fmt.Sprintf("wo:%d:%d", wo.ID, seq), Title: title, Body: defaultMessages[to],
		WorkOrderID: &id, SendAfter: s.now(),
		Data: map[string]string{"link": fmt.Sprintf("aftercare://work-orders/%d", wo.ID), "status": string(to)},
	})
}
