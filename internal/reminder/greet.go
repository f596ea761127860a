package reminder

import (
	"context"
	"time"

	"aftercare/ent/owner"
	"aftercare/internal/reminder/rules"
)

// greetLookahead: a greeting is queued from the day before, so a sweep at
// any hour queues it in time for the store's opening on the day.
const greetLookahead = 24 * time.Hour

// greetDeadline: a greeting not sent by noon of the holiday is dropped.
const greetDeadline = 12 * time.Hour

// greet queues each store's holiday greetings for its owners who accepted
// marketing messages, a page of owners per transaction. A greeting is
// queued by the first run that succeeds inside its window: later runs (since
// after the window opened) leave it alone.
func (s *Sweeper) greet(ctx context.Context, stores map[int]*store, since, now time.Time, st *Stats) error {
	for _, sto := range stores {
		for _, g := range sto.greet {
			open := time.Date(g.date.Year(), g.date.Month(), g.date.Day(), 0, 0, 0, int(sto.cal.Opening), sto.loc)
			deadline := time.Date(g.date.Year(), g.date.Month(), g.date.Day(), 0, 0, 0, int(greetDeadline), sto.loc)
			from := open.Add(-greetLookahead)
			if now.Before(from) || !now.Before(deadline) || since.After(from) {
				continue
			}
			sendAt := open
			if now.After(open) {
				sendAt = now
			}
			n, err := s.greetOwners(ctx, sto.id, g, sendAt, deadline)
			st.Reminders += n
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Sweeper) greetOwners(ctx context.Context, storeID int, g greeting, sendAt, deadline time.Time) (int, error) {
	total, after := 0, 0
	for {
		ids, err := s.Client.Owner.Query().Where(owner.HomeDealershipID(storeID), owner.ConsentMarketing(true),
			owner.ErasedAtIsNil(), owner.IDGT(after)).Order(owner.ByID()).Limit(s.Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		found := make([]due, len(ids))
		for i, id := range ids {
			title, body, data := greetingMessage(g.name)
			found[i] = due{ownerID: id, storeID: storeID, title: title, body: body, data: data, r: rules.Reminder{
				Kind: kindHoliday, SubjectType: rules.SubjectOwner, Subject: id,
				Cycle: "holiday:" + g.date.Format(time.DateOnly), DueAt: g.date, SendAt: sendAt, Expires: deadline,
				Category: rules.CategoryMarketing,
			}}
		}
		tx, err := s.Client.Tx(ctx)
		if err != nil {
			return total, err
		}
		if err := s.record(ctx, tx.Client(), found); err != nil {
			return total, rollback(tx, err)
		}
		if err := tx.Commit(); err != nil {
			return total, err
		}
		total += len(ids)
		after = ids[len(ids)-1]
	}
}
