package care

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/caretask"
	"aftercare/ent/contactattempt"
	"aftercare/ent/dealership"
	"aftercare/ent/owner"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/store"
)

// Open puts a contact on the store's call list, due now. It is written by
// the system (the dispatcher, or a sweep), on the owner's home store.
func Open(ctx context.Context, c *ent.Client, ownerID int, channel caretask.Channel, reason string, outboxID *int, now time.Time) (*ent.CareTask, error) {
	sys := auth.SystemContext(ctx)
	o, err := c.Owner.Get(sys, ownerID)
	if err != nil {
		return nil, err
	}
	if o.HomeDealershipID == nil || (channel == caretask.ChannelPhone && o.PhoneInvalid) {
		return nil, nil // no store to call from, or a number known to be wrong
	}
	return c.CareTask.Create().SetOwnerID(ownerID).SetDealershipID(*o.HomeDealershipID).SetChannel(channel).
		SetReason(reason).SetNillableOutboxMessageID(outboxID).SetDueAt(now).Save(sys)
}

// Answer is what an owner said when reached: why they stopped coming, and
// where they had the service done instead.
type Answer struct {
	Reason              caretask.AnswerReason
	ElsewhereShop       string
	ElsewherePriceCents *int64
}

func checkAnswer(outcome Outcome, a *Answer) error {
	if a == nil {
		return nil
	}
	if outcome != Reached {
		return apperr.Input("answer", "an answer is recorded only when the owner was reached")
	}
	if err := caretask.AnswerReasonValidator(a.Reason); err != nil {
		return apperr.Input("answer.reason", "unknown reason")
	}
	elsewhere := a.ElsewhereShop != "" || a.ElsewherePriceCents != nil
	if elsewhere && a.Reason != caretask.AnswerReasonServicedElsewhere {
		return apperr.Input("answer.elsewhereShop", "the shop and price go with the reason serviced_elsewhere")
	}
	if len(a.ElsewhereShop) > 200 {
		return apperr.Input("answer.elsewhereShop", "at most 200 characters")
	}
	if a.ElsewherePriceCents != nil && *a.ElsewherePriceCents < 0 {
		return apperr.Input("answer.elsewherePriceCents", "a price is not negative")
	}
	return nil
}

// LogAttempt records a care agent's attempt and moves the task along the
// ladder, with the owner's answer when they were reached. c must be
// transactional.
func LogAttempt(ctx context.Context, c *ent.Client, taskID int, outcome Outcome, note string, answer *Answer, now time.Time) (*ent.CareTask, error) {
	if err := checkAnswer(outcome, answer); err != nil {
		return nil, err
	}
	v := auth.FromContext(ctx)
	t, err := c.CareTask.Query().Where(caretask.ID(taskID)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("care task not found")
	}
	if err != nil {
		return nil, err
	}
	if t.Status != caretask.StatusOpen {
		return nil, apperr.Conflictf("the task is %s", t.Status)
	}
	if err := checkOutcome(t.Channel, outcome); err != nil {
		return nil, err
	}
	step, err := nextStep(ctx, c, t, outcome, now)
	if err != nil {
		return nil, err
	}
	if err := c.ContactAttempt.Create().SetCareTaskID(t.ID).SetStaffID(v.StaffID).SetAt(now).
		SetOutcome(contactattempt.Outcome(outcome)).SetNote(note).Exec(ctx); err != nil {
		return nil, err
	}
	return apply(ctx, c, t, step, answer, now)
}

func checkOutcome(ch caretask.Channel, o Outcome) error {
	phone := o == Reached || o == NoAnswer || o == Busy || o == WrongNumber
	message := o == Sent || o == Bounced
	if (ch == caretask.ChannelPhone && !phone) || (ch != caretask.ChannelPhone && !message) {
		return apperr.Input("outcome", "that outcome does not fit a "+string(ch)+" task")
	}
	return nil
}

func nextStep(ctx context.Context, c *ent.Client, t *ent.CareTask, o Outcome, now time.Time) (Step, error) {
	if t.Channel != caretask.ChannelPhone {
		return AfterMessage(o), nil
	}
	sys := auth.SystemContext(ctx)
	prior, err := c.ContactAttempt.Query().Where(contactattempt.CareTaskID(t.ID)).
		Order(ent.Asc(contactattempt.FieldAt)).All(sys)
	if err != nil {
		return Step{}, err
	}
	times := make([]time.Time, len(prior))
	for i, a := range prior {
		times[i] = a.At
	}
	o2, err := c.Owner.Query().Where(owner.ID(t.OwnerID)).Only(sys)
	if err != nil {
		return Step{}, err
	}
	return AfterCall(times, o, now, storeZone(sys, c, t.DealershipID), o2.Email != ""), nil
}

// apply writes the step: the task's new state, a flagged number, and the
// task that takes over.
func apply(ctx context.Context, c *ent.Client, t *ent.CareTask, s Step, a *Answer, now time.Time) (*ent.CareTask, error) {
	sys := auth.SystemContext(ctx)
	upd := c.CareTask.UpdateOne(t)
	if a != nil {
		upd.SetAnswerReason(a.Reason).SetElsewhereShop(a.ElsewhereShop).SetNillableElsewherePriceCents(a.ElsewherePriceCents)
	}
	switch {
	case s.Done:
		upd.SetStatus(caretask.StatusDone)
	case s.Failed != "":
		upd.SetStatus(caretask.StatusFailed).SetFailureReason(s.Failed)
	default:
		upd.SetDueAt(s.NextAt)
	}
	updated, err := upd.Save(sys)
	if err != nil {
		return nil, err
	}
	if s.FlagNumber {
		if err := c.Owner.UpdateOneID(t.OwnerID).SetPhoneInvalid(true).Exec(sys); err != nil {
			return nil, err
		}
	}
	if s.Then != "" {
		if err := c.CareTask.Create().SetOwnerID(t.OwnerID).SetDealershipID(t.DealershipID).
			SetChannel(caretask.Channel(s.Then)).SetReason(t.Reason).SetNillableOutboxMessageID(t.OutboxMessageID).
			SetDueAt(now).Exec(sys); err != nil {
			return nil, err
		}
	}
	return updated, nil
}

func storeZone(ctx context.Context, c *ent.Client, id int) *time.Location {
	d, err := c.Dealership.Query().Where(dealership.ID(id)).Only(ctx)
	if err == nil {
		if loc, err := time.LoadLocation(d.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}
