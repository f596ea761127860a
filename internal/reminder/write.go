package reminder

import (
	"context"
	"fmt"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/ent/caretask"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/reminder"
	"aftercare/internal/reminder/rules"
)

// kindHoliday is the store's holiday greeting; it is not a calendar rule.
const kindHoliday = "holiday"

// due is one reminder found due, with what it is sent about.
type due struct {
	r       rules.Reminder
	ownerID int
	storeID int
	vehicle *ent.Vehicle // nil for owner-level reminders
	// title/body/data override the calendar's message (greetings).
	title, body string
	data        map[string]string
}

func (d due) key() string {
	return fmt.Sprintf("%s:%d:%s", d.r.SubjectType, d.r.Subject, d.r.Cycle)
}

// sweepBatch looks at one batch of vehicles and writes what is due, with
// their next checks, in one transaction.
func (s *Sweeper) sweepBatch(ctx context.Context, ids []int, stores map[int]*store, now time.Time) (int, error) {
	b, err := loadBatch(ctx, s.Client, ids, now, s.AnswerWindow)
	if err != nil {
		return 0, err
	}
	next := make(map[int]time.Time, len(ids))
	for _, id := range ids {
		next[id] = now.Add(rules.MaxCheckInterval) // gone, erased or storeless: look again later
	}
	var found []due
	for _, v := range b.vehicles {
		o := b.owners[*v.OwnerID]
		if o == nil || o.ErasedAt != nil {
			continue
		}
		st := storeOf(v, o, stores)
		if st == nil {
			continue
		}
		rv, ro := calendarFacts(v, o, b, st)
		for _, r := range rules.Due(rv, ro, st.cal, st.cfg, now) {
			d := due{r: r, ownerID: o.ID, storeID: st.id}
			if r.SubjectType == rules.SubjectVehicle {
				d.vehicle = v
			}
			found = append(found, d)
		}
		next[v.ID] = rules.NextCheck(rv, ro, st.cal, st.cfg, now)
	}
	tx, err := s.Client.Tx(ctx)
	if err != nil {
		return 0, err
	}
	if err := s.record(ctx, tx.Client(), found); err != nil {
		return 0, rollback(tx, err)
	}
	if err := s.reschedule(ctx, tx.Client(), next, now); err != nil {
		return 0, rollback(tx, err)
	}
	return len(found), tx.Commit()
}

func rollback(tx *ent.Tx, err error) error {
	_ = tx.Rollback()
	return err
}

// record writes the reminders (each once, by key), then their pushes to
// the outbox or, for the personal call before a service, a call task.
// Pushes and tasks are keyed by their reminder, so a reminder recorded by
// an earlier run is not sent again.
func (s *Sweeper) record(ctx context.Context, c *ent.Client, found []due) error {
	if len(found) == 0 {
		return nil
	}
	found = unique(found)
	creates := make([]*ent.ReminderCreate, len(found))
	keys := make([]string, len(found))
	for i, d := range found {
		keys[i] = d.key()
		creates[i] = c.Reminder.Create().SetOwnerID(d.ownerID).SetDealershipID(d.storeID).
			SetKind(reminder.Kind(d.r.Kind)).SetCycle(d.r.Cycle).SetDedupeKey(keys[i]).
			SetCategory(reminder.Category(d.r.Category)).SetSendAt(d.r.SendAt).
			SetNillableDueDate(nonZero(d.r.DueAt)).SetNillableExpiresAt(nonZero(d.r.Expires))
		if d.vehicle != nil {
			creates[i].SetVehicleID(d.vehicle.ID)
		}
	}
	if err := c.Reminder.CreateBulk(creates...).OnConflictColumns(reminder.FieldDedupeKey).DoNothing().Exec(ctx); err != nil {
		return err
	}
	saved, err := c.Reminder.Query().Where(reminder.DedupeKeyIn(keys...)).Select(reminder.FieldID, reminder.FieldDedupeKey).All(ctx)
	if err != nil {
		return err
	}
	idOf := make(map[string]int, len(saved))
	for _, r := range saved {
		idOf[r.DedupeKey] = r.ID
	}
	return s.deliver(ctx, c, found, idOf)
}

func (s *Sweeper) deliver(ctx context.Context, c *ent.Client, found []due, idOf map[string]int) error {
	var pushes []*ent.OutboxMessageCreate
	var calls []*ent.CareTaskCreate
	for _, d := range found {
		id := idOf[d.key()]
		key := "reminder:" + d.key()
		if d.r.Kind == rules.KindServiceCall {
			calls = append(calls, c.CareTask.Create().SetOwnerID(d.ownerID).SetDealershipID(d.storeID).
				SetChannel(caretask.ChannelPhone).SetKind(caretask.KindServiceCall).SetDedupeKey(key).
				SetReason("Personal call: service due "+d.r.DueAt.Format(time.DateOnly)).SetReminderID(id).
				SetNillableVehicleID(vehicleID(d)).SetDueAt(d.r.SendAt))
			continue
		}
		title, body, data := d.title, d.body, d.data
		if title == "" {
			title, body, data = message(d.r, d.vehicle)
		}
		data["reminderId"] = fmt.Sprint(id)
		pushes = append(pushes, c.OutboxMessage.Create().SetOwnerID(d.ownerID).SetDealershipID(d.storeID).
			SetKind("reminder_"+string(d.r.Kind)).SetDedupeKey(key).SetCategory(outboxmessage.Category(d.r.Category)).
			SetTitle(title).SetBody(body).SetData(data).SetSendAfter(d.r.SendAt).
			SetNillableExpiresAt(nonZero(d.r.Expires)).SetReminderID(id))
	}
	if len(pushes) > 0 {
		if err := c.OutboxMessage.CreateBulk(pushes...).OnConflictColumns(outboxmessage.FieldDedupeKey).DoNothing().Exec(ctx); err != nil {
			return err
		}
	}
	if len(calls) > 0 {
		return c.CareTask.CreateBulk(calls...).OnConflictColumns(caretask.FieldDedupeKey).DoNothing().Exec(ctx)
	}
	return nil
}

// unique drops owner-level reminders found once per vehicle of the owner.
func unique(found []due) []due {
	seen := make(map[string]bool, len(found))
	out := found[:0]
	for _, d := range found {
		if !seen[d.key()] {
			seen[d.key()] = true
			out = append(out, d)
		}
	}
	return out
}

// reschedule moves each vehicle's agenda row to its next check, in one
// statement.
func (s *Sweeper) reschedule(ctx context.Context, c *ent.Client, next map[int]time.Time, now time.Time) error {
	q := s.sql()
	args := []any{now}
	ids := make([]string, 0, len(next))
	for id, at := range next {
		ids = append(ids, q.p(2+len(args)-1))
		args = append(args, id, at.UTC())
	}
	stmt := q.f("UPDATE reminder_checks SET checked_at = %s, next_at = %s WHERE vehicle_id IN (%s)",
		q.ts(1), q.caseUpdate("vehicle_id", 2, len(next)), strings.Join(ids, ", "))
	_, err := c.ExecContext(ctx, stmt, args...)
	return err
}

func vehicleID(d due) *int {
	if d.vehicle == nil {
		return nil
	}
	return &d.vehicle.ID
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
