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

	// outage is set in a round once a push failed as a whole for a
	// transient reason (FCM down, network): the round's other messages
	// then wait for the next probe instead of each waiting out the SDK's
	// own retries, which would hold their claims past the lease.
	outage bool
}

// outagePause is how long the rest of a round waits when FCM is down.
const outagePause = 30 * time.Second

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
	d.outage = false
	for _, m := range msgs {
		handle := d.handle
		if d.outage {
			handle = func(ctx context.Context, m *ent.OutboxMessage) error {
				return d.postpone(ctx, m, d.Now().Add(outagePause), "push service unavailable")
			}
		}
		if err := handle(ctx, m); err != nil {
			err = fmt.Errorf("message %d: %w", m.ID, err)
			done(err)
			return 0, err
		}
	}
	done(nil)
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

// handle decides one message: not allowed, deferred, capped, sent or retried.
func (d *Dispatcher) handle(ctx context.Context, m *ent.OutboxMessage) error {
	o, err := d.Client.Owner.Get(ctx, m.OwnerID)
	if err != nil {
		return err
	}
	now := d.Now()
	cat := notify.Category(m.Category)
	if m.ExpiresAt != nil && !now.Before(*m.ExpiresAt) {
		return d.finish(ctx, m, outboxmessage.StatusCancelled, whyExpired)
	}
	if o.ErasedAt != nil || !notify.Allowed(cat, notify.Consent{Marketing: o.ConsentMarketing, ServiceOptOut: !o.ConsentService}) {
		return d.finish(ctx, m, outboxmessage.StatusCancelled, "no consent")
	}
	if next := quietHours(o).NextAllowed(now, ownerZone(o)); cat != notify.CategorySafety && next.After(now) {
		return d.postpone(ctx, m, next, "quiet hours")
	}
	if capped, err := d.overCap(ctx, m, cat, now); err != nil || capped {
		return err
	}
	devs, err := d.Client.Device.Query().Where(device.OwnerID(o.ID)).All(ctx)
	if err != nil {
		return err
	}
	if len(devs) == 0 {
		// The escalation ladder (SMS, a care call) takes over from here.
		return d.finish(ctx, m, outboxmessage.StatusFailed, "no device")
	}
	return d.send(ctx, m, devs)
}

// overCap defers a message that would exceed the owner's contact cap to
// the next day.
func (d *Dispatcher) overCap(ctx context.Context, m *ent.OutboxMessage, cat notify.Category, now time.Time) (bool, error) {
	recent, err := d.Client.OutboxMessage.Query().Where(outboxmessage.OwnerID(m.OwnerID),
		outboxmessage.StatusEQ(outboxmessage.StatusSent), outboxmessage.SentAtGT(now.Add(-d.Cap.Per))).
		Select(outboxmessage.FieldSentAt).All(ctx)
	if err != nil {
		return false, err
	}
	times := make([]time.Time, 0, len(recent))
	for _, r := range recent {
		times = append(times, *r.SentAt)
	}
	if notify.UnderCapFor(cat, times, now, d.Cap) {
		return false, nil
	}
	return true, d.postpone(ctx, m, now.Add(d.Cap.Per/2), "contact cap")
}

// postpone moves a message to a later send time (quiet hours, contact cap).
func (d *Dispatcher) postpone(ctx context.Context, m *ent.OutboxMessage, at time.Time, why string) error {
	if err := d.Client.OutboxMessage.UpdateOne(m).SetSendAfter(at).ClearClaimedUntil().Exec(ctx); err != nil {
		return err
	}
	return reminder.Follow(ctx, d.Client, m.ReminderID, entreminder.StatusDeferred, why, d.Now())
}

func (d *Dispatcher) send(ctx context.Context, m *ent.OutboxMessage, devs []*ent.Device) error {
	msgs := make([]notify.Message, len(devs))
	for i, dev := range devs {
		msgs[i] = notify.Message{Token: dev.Token, Title: m.Title, Body: m.Body, Data: m.Data,
			Category: notify.Category(m.Category), CollapseKey: m.DedupeKey, TTL: ttl(m, d.Now())}
	}
	sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	results, err := d.Sender.Send(sendCtx, msgs)
	if err != nil && results == nil {
		for range msgs {
			d.Metrics.Pushed(notify.Retryable)
		}
		d.outage = true
		return d.retry(ctx, m, 0, err.Error())
	}
	delivered, retry := false, time.Duration(-1)
	for i, r := range results {
		d.Metrics.Pushed(r.Outcome)
		switch r.Outcome {
		case notify.Delivered:
			delivered = true
		case notify.TokenInvalid:
			if err := d.Client.Device.DeleteOne(devs[i]).Exec(ctx); err != nil {
				return err
			}
		case notify.Retryable:
			retry = max(retry, r.RetryAfter)
		}
	}
	switch {
	case delivered:
		now := d.Now()
		if err := d.Client.OutboxMessage.UpdateOne(m).SetStatus(outboxmessage.StatusSent).SetSentAt(now).
			SetAttempts(m.Attempts + 1).ClearClaimedUntil().Exec(ctx); err != nil {
			return err
		}
		return reminder.Follow(ctx, d.Client, m.ReminderID, entreminder.StatusSent, "", now)
	case retry >= 0:
		d.outage = d.outage || allRetryable(results)
		return d.retry(ctx, m, retry, "transient push failure")
	}
	return d.finish(ctx, m, outboxmessage.StatusFailed, "no device accepted the push")
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
	if err := reminder.Follow(ctx, d.Client, m.ReminderID, reminderStatus(status, why), why, d.Now()); err != nil {
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

// allRetryable: no device took the push and none refused it for good.
func allRetryable(results []notify.Result) bool {
	for _, r := range results {
		if r.Outcome != notify.Retryable {
			return false
		}
	}
	return len(results) > 0
}

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
