// Package outbox records messages to owners in the transaction of the
// change that causes them. A sender (internal/notify through the reminder
// scheduler) drains it; a message's dedupe key makes every enqueue
// idempotent, so retried requests and rerun sweeps never send twice.
package outbox

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/outboxmessage"
	"aftercare/internal/auth"
)

// Message is one message to enqueue.
type Message struct {
	OwnerID       int
	StoreID       int
	Kind          string
	DedupeKey     string
	Category      outboxmessage.Category
	Title, Body   string
	Data          map[string]string
	AppointmentID *int
	WorkOrderID   *int
	SendAfter     time.Time
}

// Enqueue stores m unless a message with its dedupe key exists. It writes
// as the system: the caller's own rules decided that the change may happen,
// and its messages follow from it.
func Enqueue(ctx context.Context, c *ent.Client, m Message) error {
	create := c.OutboxMessage.Create().SetOwnerID(m.OwnerID).SetKind(m.Kind).SetDedupeKey(m.DedupeKey).
		SetTitle(m.Title).SetBody(m.Body).SetData(m.Data).SetSendAfter(m.SendAfter.UTC()).
		SetNillableAppointmentID(m.AppointmentID).SetNillableWorkOrderID(m.WorkOrderID)
	if m.StoreID != 0 {
		create.SetDealershipID(m.StoreID)
	}
	if m.Category != "" {
		create.SetCategory(m.Category)
	}
	return create.OnConflictColumns(outboxmessage.FieldDedupeKey).DoNothing().Exec(auth.SystemContext(ctx))
}

// CancelPending withdraws the unsent messages of a kind about an
// appointment (a day-before reminder of a booking that moved).
func CancelPending(ctx context.Context, c *ent.Client, appointmentID int, kind string) error {
	_, err := c.OutboxMessage.Update().Where(
		outboxmessage.AppointmentID(appointmentID), outboxmessage.Kind(kind),
		outboxmessage.StatusEQ(outboxmessage.StatusPending),
	).SetStatus(outboxmessage.StatusCancelled).Save(auth.SystemContext(ctx))
	return err
}

// CancelPendingKeys withdraws the unsent messages with these dedupe keys
// (the reminders of a survey that has been answered).
func CancelPendingKeys(ctx context.Context, c *ent.Client, keys ...string) error {
	_, err := c.OutboxMessage.Update().Where(
		outboxmessage.DedupeKeyIn(keys...), outboxmessage.StatusEQ(outboxmessage.StatusPending),
	).SetStatus(outboxmessage.StatusCancelled).Save(auth.SystemContext(ctx))
	return err
}
