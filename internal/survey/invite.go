package survey

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"aftercare/ent"
	"aftercare/ent/surveyinvitation"
	"aftercare/ent/surveytemplate"
	"aftercare/internal/auth"
	"aftercare/internal/outbox"
)

// Policy is when invitations go out and how long their links last.
type Policy struct {
	// Delay after delivery before the invitation is pushed (DOMAIN.md:
	// the next day, and within 3 days).
	Delay time.Duration
	// ReminderGap separates the invitation and each of its reminders.
	ReminderGap time.Duration
	// Reminders is how many reminders follow an unanswered invitation.
	Reminders int
	// Valid is how long after the invitation the link works.
	Valid time.Duration
}

// DefaultPolicy: pushed a day after delivery, reminded twice two days
// apart, answerable for a week.
var DefaultPolicy = Policy{Delay: 24 * time.Hour, ReminderGap: 48 * time.Hour, Reminders: 2, Valid: 7 * 24 * time.Hour}

// MaxReminders caps reminders: an owner is asked at most three times.
const MaxReminders = 2

// Inviter invites owners to a service survey after a delivery.
type Inviter struct {
	Policy Policy
}

// AfterDelivery invites the owner of a delivered work order to the store's
// current service survey, and plans the push and its reminders in the
// outbox, all in the delivery's transaction. A store without a service
// survey invites nobody; a second call for the same order does nothing.
func (in Inviter) AfterDelivery(ctx context.Context, c *ent.Client, wo *ent.WorkOrder, now time.Time) error {
	sys := auth.SystemContext(ctx)
	tpl, err := currentTemplate(sys, c, wo.DealershipID, surveytemplate.KindService)
	if err != nil || tpl == nil {
		return err
	}
	if exists, err := c.SurveyInvitation.Query().Where(surveyinvitation.WorkOrderID(wo.ID)).Exist(sys); err != nil || exists {
		return err
	}
	at := now.Add(in.Policy.Delay)
	inv, err := c.SurveyInvitation.Create().SetTemplateID(tpl.ID).SetOwnerID(wo.OwnerID).
		SetDealershipID(wo.DealershipID).SetWorkOrderID(wo.ID).SetNillableAdvisorID(wo.AdvisorID).
		SetInvitedAt(at).SetExpiresAt(at.Add(in.Policy.Valid)).Save(sys)
	if err != nil {
		return err
	}
	for i := 0; i <= min(in.Policy.Reminders, MaxReminders); i++ {
		if err := outbox.Enqueue(ctx, c, message(inv, i, at.Add(time.Duration(i)*in.Policy.ReminderGap))); err != nil {
			return err
		}
	}
	return nil
}

// message is the invitation push (i = 0) or its i-th reminder. It carries
// the invitation's id, never the link: outbox rows are readable by staff.
func message(inv *ent.SurveyInvitation, i int, at time.Time) outbox.Message {
	m := outbox.Message{OwnerID: inv.OwnerID, StoreID: inv.DealershipID, Kind: "survey_invitation",
		DedupeKey: dedupeKey(inv.ID, i), Title: "How was your visit?",
		Body:        "Tell us in two minutes how your service went.",
		Data:        map[string]string{"surveyInvitationId": strconv.Itoa(inv.ID)},
		WorkOrderID: inv.WorkOrderID, SendAfter: at}
	if i > 0 {
		m.Kind, m.Title = "survey_reminder", "A reminder: how was your visit?"
	}
	return m
}

func dedupeKey(invitationID, i int) string {
	if i == 0 {
		return fmt.Sprintf("survey:%d:invite", invitationID)
	}
	return fmt.Sprintf("survey:%d:reminder:%d", invitationID, i)
}

// withdrawReminders cancels the pushes not yet sent for an invitation.
func withdrawReminders(ctx context.Context, c *ent.Client, invitationID int) error {
	keys := make([]string, 0, MaxReminders+1)
	for i := 0; i <= MaxReminders; i++ {
		keys = append(keys, dedupeKey(invitationID, i))
	}
	return outbox.CancelPendingKeys(ctx, c, keys...)
}

// currentTemplate is the newest active template of a kind for a store: the
// store's own if it has one, else its group's.
func currentTemplate(ctx context.Context, c *ent.Client, storeID int, kind surveytemplate.Kind) (*ent.SurveyTemplate, error) {
	st, err := c.Dealership.Get(ctx, storeID)
	if err != nil {
		return nil, err
	}
	ts, err := c.SurveyTemplate.Query().Where(surveytemplate.DealerGroupID(st.DealerGroupID),
		surveytemplate.KindEQ(kind), surveytemplate.Active(true),
		surveytemplate.Or(surveytemplate.DealershipID(storeID), surveytemplate.DealershipIDIsNil())).
		Order(ent.Desc(surveytemplate.FieldVersion), ent.Desc(surveytemplate.FieldID)).All(ctx)
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	for _, t := range ts {
		if t.DealershipID != nil {
			return t, nil
		}
	}
	return ts[0], nil
}
