// Package dispatch drains the outbox: it claims due messages with a lease
// (so several instances share the work and a crashed one's messages are
// taken over), applies the owner's consent, quiet hours and contact cap,
// pushes through notify.Sender to every device of the owner, forgets
// tokens FCM reports dead, and retries transient failures with backoff.
//
// Delivery is at least once: an instance that dies after FCM accepted a
// message but before recording it will have the message sent again when its
// lease lapses. The lease is short and the window small.
package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"aftercare/ent"
	"aftercare/ent/caretask"
	"aftercare/ent/device"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/owner"
	entreminder "aftercare/ent/reminder"
	"aftercare/internal/auth"
	"aftercare/internal/care"
	"aftercare/internal/notify"
	"aftercare/internal/reminder"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// Dispatcher sends outbox messages.
type Dispatcher struct {
	Client  *ent.Client
	Sender  notify.Sender
	Dialect string
	Logger  *slog.Logger
	Now     func() time.Time
	// Batch is how many messages one round claims (FCM sends 500 per call).
	Batch int
	// Lease is how long a claim lasts before another instance may take over.
	Lease time.Duration
	// Cap limits non-safety messages per owner (default 3 a day).
	Cap notify.Cap
	// MaxAttempts before a message is recorded as failed.
	MaxAttempts int
	// Metrics hears of rounds and pushes (internal/observe); nil: nobody.
	Metrics Metrics
}

// Metrics is told what the dispatcher does, for metrics and traces.
type Metrics interface {
	// Round is called when a round that started at start claimed n
	// messages; it returns the context to handle them in and a func to
	// call with the round's outcome.
	Round(ctx context.Context, start time.Time, n int) (context.Context, func(error))
	// Pushed counts one push to one device.
	Pushed(notify.Outcome)
}

type noMetrics struct{}

func (noMetrics) Round(ctx context.Context, _ time.Time, _ int) (context.Context, func(error)) {
	return ctx, func(error) {}
}
func (noMetrics) Pushed(notify.Outcome) {}

func (d *Dispatcher) defaults() {
	if d.Batch == 0 {
		d.Batch = 500
	}
	if d.Lease == 0 {
		d.Lease = 2 * time.Minute
	}
	if d.Cap == (notify.Cap{}) {
		d.Cap = notify.Cap{Max: 3, Per: 24 * time.Hour}
	}
	if d.MaxAttempts == 0 {
		// With backoff from 1 s doubling to an hour, 16 attempts keep a
		// message through about five hours of failures (an FCM outage).
		d.MaxAttempts = 16
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Metrics == nil {
		d.Metrics = noMetrics{}
	}
}

// Run sends due messages every interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Error("dispatch round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce claims and handles one batch of due messages; it returns how many
// it handled.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	d.defaults()
	ctx = auth.SystemContext(ctx)
	start := time.Now()
	msgs, err := d.claim(ctx)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	ctx, done := d.Metrics.Round(ctx, start, len(msgs))
	err = d.handleBatch(ctx, msgs)
	done(err)
	if err != nil {
		return 0, err
	}
	return len(msgs), nil
}

// claim leases due messages in a short transaction. On PostgreSQL rows
// another instance holds are skipped (FOR UPDATE SKIP LOCKED); SQLite's
// single writer needs no such care.
func (d *Dispatcher) claim(ctx context.Context) ([]*ent.OutboxMessage, error) {
	tx, err := d.Client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	now := d.Now()
	due, err := tx.OutboxMessage.Query().Where(
		outboxmessage.StatusEQ(outboxmessage.StatusPending),
		outboxmessage.SendAfterLTE(now),
		outboxmessage.Or(outboxmessage.ClaimedUntilIsNil(), outboxmessage.ClaimedUntilLT(now)),
	).Order(ent.Asc(outboxmessage.FieldSendAfter)).Limit(d.Batch).
		Modify(func(s *entsql.Selector) {
			if d.Dialect == dialect.Postgres {
				s.ForUpdate(entsql.WithLockAction(entsql.SkipLocked))
			}
		}).All(ctx)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	ids := make([]int, len(due))
	for i, m := range due {
		ids[i] = m.ID
	}
	if err := tx.OutboxMessage.Update().Where(outboxmessage.IDIn(ids...)).SetClaimedUntil(now.Add(d.Lease)).Exec(ctx); err != nil {
		return nil, err
	}
	return due, tx.Commit()
}

// round is what a batch of messages needs to know, read in three
// statements whatever the batch size.
type round struct {
	owners  map[int]*ent.Owner
	devices map[int][]*ent.Device
	recent  map[int][]time.Time // sends inside the contact cap's window
}

func (d *Dispatcher) load(ctx context.Context, msgs []*ent.OutboxMessage, now time.Time) (*round, error) {
	ids := make([]int, 0, len(msgs))
	for _, m := range msgs {
		ids = append(ids, m.OwnerID)
	}
	r := &round{owners: map[int]*ent.Owner{}, devices: map[int][]*ent.Device{}, recent: map[int][]time.Time{}}
	owners, err := d.Client.Owner.Query().Where(owner.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range owners {
		r.owners[o.ID] = o
	}
	devs, err := d.Client.Device.Query().Where(device.OwnerIDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, dev := range devs {
		r.devices[dev.OwnerID] = append(r.devices[dev.OwnerID], dev)
	}
	sent, err := d.Client.OutboxMessage.Query().Where(outboxmessage.OwnerIDIn(ids...),
		outboxmessage.StatusEQ(outboxmessage.StatusSent), outboxmessage.SentAtGT(now.Add(-d.Cap.Per))).
		Select(outboxmessage.FieldOwnerID, outboxmessage.FieldSentAt).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range sent {
		r.recent[m.OwnerID] = append(r.recent[m.OwnerID], *m.SentAt)
	}
	return r, nil
}

// handleBatch decides every message of a round (not allowed, expired,
// deferred, capped, no device), then pushes the rest in one call: FCM
// takes up to 500 a request, and the sender runs requests in parallel.
func (d *Dispatcher) handleBatch(ctx context.Context, msgs []*ent.OutboxMessage) error {
	now := d.Now()
	r, err := d.load(ctx, msgs, now)
	if err != nil {
		return err
	}
	var push []*ent.OutboxMessage
	for _, m := range msgs {
		ok, err := d.decide(ctx, m, r, now)
		if err != nil {
			return fmt.Errorf("message %d: %w", m.ID, err)
		}
		if ok {
			push = append(push, m)
		}
	}
	return d.push(ctx, push, r)
}

// decide settles a message that is not to be pushed now, and reports
// whether it is.
func (d *Dispatcher) decide(ctx context.Context, m *ent.OutboxMessage, r *round, now time.Time) (bool, error) {
	o := r.owners[m.OwnerID]
	cat := notify.Category(m.Category)
	switch {
	case m.ExpiresAt != nil && !now.Before(*m.ExpiresAt):
		return false, d.finish(ctx, m, outboxmessage.StatusCancelled, whyExpired)
	case o == nil || o.ErasedAt != nil || !notify.Allowed(cat, notify.Consent{Marketing: o.ConsentMarketing, ServiceOptOut: !o.ConsentService}):
		return false, d.finish(ctx, m, outboxmessage.StatusCancelled, "no consent")
	}
	if next := quietHours(o).NextAllowed(now, ownerZone(o)); cat != notify.CategorySafety && next.After(now) {
		return false, d.postpone(ctx, m, next, "quiet hours")
	}
	if !notify.UnderCapFor(cat, r.recent[o.ID], now, d.Cap) {
		return false, d.postpone(ctx, m, now.Add(d.Cap.Per/2), "contact cap")
	}
	if len(r.devices[o.ID]) == 0 {
		// The escalation ladder (SMS, a care call) takes over from here.
		return false, d.finish(ctx, m, outboxmessage.StatusFailed, "no device")
	}
	if cat != notify.CategorySafety {
		r.recent[o.ID] = append(r.recent[o.ID], now) // counts toward the cap of the owner's next message
	}
	return true, nil
}

// postpone moves a message to a later send time (quiet hours, contact cap).
func (d *Dispatcher) postpone(ctx context.Context, m *ent.OutboxMessage, at time.Time, why string) error {
	if err := d.Client.OutboxMessage.UpdateOne(m).SetSendAfter(at).ClearClaimedUntil().Exec(ctx); err != nil {
		return err
	}
	return reminder.Follow(ctx, d.Client, m.ReminderID, entreminder.StatusDeferred, why)
}

// push sends every message to every device of its owner in one call, then
// records the outcomes: the sent ones in two statements, the rest one by
// one (retries, failures, dead tokens are the exception).
func (d *Dispatcher) push(ctx context.Context, msgs []*ent.OutboxMessage, r *round) error {
	if len(msgs) == 0 {
		return nil
	}
	var out []notify.Message
	var devs []*ent.Device
	of := make([]int, 0, len(msgs)) // of[i]: which message out[i] delivers
	for i, m := range msgs {
		for _, dev := range r.devices[m.OwnerID] {
			out = append(out, notify.Message{Token: dev.Token, Title: m.Title, Body: m.Body, Data: m.Data,
				Category: notify.Category(m.Category), CollapseKey: m.DedupeKey, TTL: ttl(m, d.Now())})
			devs = append(devs, dev)
			of = append(of, i)
		}
	}
	sendCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	results, err := d.Sender.Send(sendCtx, out)
	if err != nil && results == nil {
		for range out {
			d.Metrics.Pushed(notify.Retryable)
		}
		for _, m := range msgs {
			if err := d.retry(ctx, m, 0, err.Error()); err != nil {
				return err
			}
		}
		return nil
	}
	return d.record(ctx, msgs, devs, of, results)
}

func (d *Dispatcher) record(ctx context.Context, msgs []*ent.OutboxMessage, devs []*ent.Device, of []int, results []notify.Result) error {
	delivered := make([]bool, len(msgs))
	retry := make([]time.Duration, len(msgs))
	for i := range retry {
		retry[i] = -1
	}
	var dead []int
	for j, res := range results {
		d.Metrics.Pushed(res.Outcome)
		switch i := of[j]; res.Outcome {
		case notify.Delivered:
			delivered[i] = true
		case notify.TokenInvalid:
			dead = append(dead, devs[j].ID)
		case notify.Retryable:
			retry[i] = max(retry[i], res.RetryAfter)
		}
	}
	if len(dead) > 0 {
		if _, err := d.Client.Device.Delete().Where(device.IDIn(dead...)).Exec(ctx); err != nil {
			return err
		}
	}
	var sent, reminders []int
	for i, m := range msgs {
		var err error
		switch {
		case delivered[i]:
			sent = append(sent, m.ID)
			if m.ReminderID != nil {
				reminders = append(reminders, *m.ReminderID)
			}
		case retry[i] >= 0:
			err = d.retry(ctx, m, retry[i], "transient push failure")
		default:
			err = d.finish(ctx, m, outboxmessage.StatusFailed, "no device accepted the push")
		}
		if err != nil {
			return err
		}
	}
	return d.markSent(ctx, sent, reminders)
}

// markSent records delivered messages and their reminders.
func (d *Dispatcher) markSent(ctx context.Context, ids, reminders []int) error {
	if len(ids) == 0 {
		return nil
	}
	now := d.Now()
	if err := d.Client.OutboxMessage.Update().Where(outboxmessage.IDIn(ids...)).SetStatus(outboxmessage.StatusSent).
		SetSentAt(now).AddAttempts(1).ClearClaimedUntil().Exec(ctx); err != nil {
		return err
	}
	return reminder.FollowSent(ctx, d.Client, reminders, now)
}

// retry schedules another attempt with backoff, or gives up.
func (d *Dispatcher) retry(ctx context.Context, m *ent.OutboxMessage, hint time.Duration, why string) error {
	if m.Attempts+1 >= d.MaxAttempts {
		return d.finish(ctx, m, outboxmessage.StatusFailed, why)
	}
	return d.Client.OutboxMessage.UpdateOne(m).SetAttempts(m.Attempts + 1).SetLastError(why).
		SetSendAfter(d.Now().Add(notify.Backoff(m.Attempts, hint))).ClearClaimedUntil().Exec(ctx)
}

// finish records a message's end. A service or safety message that failed
// to reach the owner goes to the care call list: the escalation ladder
// takes over (marketing is not worth a call).
func (d *Dispatcher) finish(ctx context.Context, m *ent.OutboxMessage, status outboxmessage.Status, why string) error {
	if err := d.Client.OutboxMessage.UpdateOne(m).SetStatus(status).SetLastError(why).ClearClaimedUntil().Exec(ctx); err != nil {
		return err
	}
	if err := reminder.Follow(ctx, d.Client, m.ReminderID, reminderStatus(status, why), why); err != nil {
		return err
	}
	if status != outboxmessage.StatusFailed || m.Category == outboxmessage.CategoryMarketing {
		return nil
	}
	id := m.ID
	_, err := care.Open(ctx, d.Client, m.OwnerID, caretask.ChannelPhone, m.Title+" (push failed: "+why+")", &id, d.Now())
	return err
}

const whyExpired = "expired before it could be sent"

// reminderStatus is what a message's end means for its reminder.
func reminderStatus(s outboxmessage.Status, why string) entreminder.Status {
	switch {
	case s == outboxmessage.StatusFailed:
		return entreminder.StatusFailed
	case why == whyExpired:
		return entreminder.StatusExpired
	}
	return entreminder.StatusCancelled
}

// ttl keeps a message that expires (a birthday greeting) from reaching a
// device that comes online after its deadline.
func ttl(m *ent.OutboxMessage, now time.Time) time.Duration {
	if m.ExpiresAt == nil {
		return 0
	}
	return max(m.ExpiresAt.Sub(now), time.Second)
}
