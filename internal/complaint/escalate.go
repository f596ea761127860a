package complaint

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/complaint"
	"aftercare/ent/complaintstep"
	"aftercare/internal/auth"
)

// escalateBatch bounds one run; the next run takes the rest.
const escalateBatch = 500

// EscalateOverdue escalates every complaint whose step is past its
// escalation time: one level up the ladder (general manager, then group
// admin), recorded as a step. It returns how many it escalated.
//
// It is meant for a periodic scheduler (every minute is plenty). Each
// escalation is a conditional update in its own transaction: the row
// changes only if its escalation time and level are still the ones read,
// so instances running it at once, or a rerun after a crash, never
// escalate a step twice.
func EscalateOverdue(ctx context.Context, c *ent.Client, now time.Time) (int, error) {
	sys := auth.SystemContext(ctx)
	due, err := c.Complaint.Query().
		Where(complaint.EscalateAtLTE(now), complaint.StatusNEQ(Closed)).
		Order(ent.Asc(complaint.FieldEscalateAt), ent.Asc(complaint.FieldID)).Limit(escalateBatch).All(sys)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, cp := range due {
		done, err := escalateOne(sys, c, cp, now)
		if err != nil {
			return n, fmt.Errorf("escalate complaint %d: %w", cp.ID, err)
		}
		if done {
			n++
		}
	}
	return n, nil
}

func escalateOne(ctx context.Context, c *ent.Client, cp *ent.Complaint, now time.Time) (bool, error) {
	tx, err := c.Tx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after commit
	level := cp.EscalationLevel + 1
	upd := tx.Complaint.Update().Where(complaint.ID(cp.ID), complaint.EscalateAtEQ(*cp.EscalateAt),
		complaint.EscalationLevel(cp.EscalationLevel), complaint.StatusEQ(cp.Status)).
		SetEscalationLevel(level)
	if next, ok := NextEscalation(level, cp.DueAt); ok && next.After(now) {
		upd.SetEscalateAt(next)
	} else if ok {
		upd.SetEscalateAt(now.Add(escalationGap)) // long overdue: one level per run, not all at once
	} else {
		upd.ClearEscalateAt()
	}
	changed, err := upd.Save(ctx)
	if err != nil || changed == 0 {
		return false, err // someone else escalated it, or moved it on
	}
	note := fmt.Sprintf("%s step overdue since %s; escalated to %s", cp.Status, cp.DueAt.UTC().Format(time.RFC3339), ladder[level])
	if err := tx.ComplaintStep.Create().SetComplaintID(cp.ID).SetAction(complaintstep.ActionEscalated).
		SetToStatus(complaintstep.ToStatus(cp.Status)).SetActorKind(complaintstep.ActorKindSystem).
		SetEscalationLevel(level).SetNote(note).SetAt(now).Exec(ctx); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// ladder names who an escalation level reaches.
var ladder = map[int]string{1: "the general manager", 2: "the group admin"}
