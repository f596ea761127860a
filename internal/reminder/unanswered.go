package reminder

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/caretask"
	"aftercare/ent/owner"
	"aftercare/ent/reminder"
	"aftercare/ent/vehicle"
	"aftercare/internal/reminder/rules"
)

// escalateUnanswered opens a one-to-one call for every owner who has left
// cfg.EscalateAfterUnanswered reminders in a row unanswered. Only owners
// with a reminder that went unanswered since the last run are looked at.
// The task is keyed by the reminder that made the run long enough, so one
// run of silence gives one call however long it grows and however often
// the sweep runs. Their vehicles are
// made due too: an unanswered reminder can make a win-back offer due.
func (s *Sweeper) escalateUnanswered(ctx context.Context, stores map[int]*store, since, now time.Time) (int, error) {
	from := now.AddDate(-1, 0, 0)
	if lapsed := since.Add(-s.AnswerWindow); lapsed.After(from) {
		from = lapsed
	}
	var ownerIDs []int
	err := s.Client.Reminder.Query().Where(reminder.StatusEQ(reminder.StatusSent),
		reminder.SentAtGT(from), reminder.SentAtLTE(now.Add(-s.AnswerWindow))).
		Unique(true).Select(reminder.FieldOwnerID).Scan(ctx, &ownerIDs)
	if err != nil || len(ownerIDs) == 0 {
		return 0, err
	}
	opened := 0
	for start := 0; start < len(ownerIDs); start += s.Batch {
		page := ownerIDs[start:min(start+s.Batch, len(ownerIDs))]
		n, err := s.escalateOwners(ctx, stores, page, now)
		opened += n
		if err != nil {
			return opened, err
		}
	}
	return opened, nil
}

func (s *Sweeper) escalateOwners(ctx context.Context, stores map[int]*store, ownerIDs []int, now time.Time) (int, error) {
	runs, err := unansweredRuns(ctx, s.Client, ownerIDs, now, s.AnswerWindow)
	if err != nil {
		return 0, err
	}
	owners, err := s.Client.Owner.Query().Where(owner.IDIn(ownerIDs...)).All(ctx)
	if err != nil {
		return 0, err
	}
	var calls []*ent.CareTaskCreate
	for _, o := range owners {
		if o.HomeDealershipID == nil || stores[*o.HomeDealershipID] == nil || o.PhoneInvalid || o.ErasedAt != nil {
			continue
		}
		cfg, u := stores[*o.HomeDealershipID].cfg, runs[o.ID]
		if !rules.NeedsPersonalCall(len(u), cfg) {
			continue
		}
		trigger := u.trigger(cfg.EscalateAfterUnanswered)
		calls = append(calls, s.Client.CareTask.Create().SetOwnerID(o.ID).SetDealershipID(*o.HomeDealershipID).
			SetChannel(caretask.ChannelPhone).SetKind(caretask.KindUnansweredReminders).
			SetDedupeKey(fmt.Sprintf("unanswered:%d", trigger)).SetReminderID(trigger).
			SetReason(fmt.Sprintf("%d reminders in a row unanswered: call one to one", len(u))).SetDueAt(now))
	}
	if len(calls) > 0 {
		if err := s.Client.CareTask.CreateBulk(calls...).OnConflictColumns(caretask.FieldDedupeKey).DoNothing().Exec(ctx); err != nil {
			return 0, err
		}
	}
	vs, err := s.Client.Vehicle.Query().Where(vehicle.OwnerIDIn(ownerIDs...)).IDs(ctx)
	if err != nil || len(vs) == 0 {
		return len(calls), err
	}
	return len(calls), s.makeDue(ctx, vs, now)
}

// makeDue puts vehicles on the agenda now.
func (s *Sweeper) makeDue(ctx context.Context, vehicleIDs []int, now time.Time) error {
	creates := make([]*ent.ReminderCheckCreate, len(vehicleIDs))
	for i, id := range vehicleIDs {
		creates[i] = s.Client.ReminderCheck.Create().SetVehicleID(id).SetNextAt(now)
	}
	return s.Client.ReminderCheck.CreateBulk(creates...).OnConflictColumns("vehicle_id").UpdateNextAt().Exec(ctx)
}
