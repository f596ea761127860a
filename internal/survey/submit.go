package survey

import (
	"context"
	"fmt"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/ent/caretask"
	"aftercare/ent/complaint"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/surveyinvitation"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	complaints "aftercare/internal/complaint"
	"aftercare/internal/store"
)

// Service answers surveys.
type Service struct {
	Links Links
}

// Form is an invitation's survey as a one-time link shows it.
type Form struct {
	Invitation *ent.SurveyInvitation
	Template   *ent.SurveyTemplate
}

// ByToken opens the survey a link names. The link is the credential: the
// reads are the system's, limited to that invitation and its template.
func (s *Service) ByToken(ctx context.Context, c *ent.Client, token string, now time.Time) (*Form, error) {
	id, err := s.Links.Verify(token, now)
	if err != nil {
		return nil, err
	}
	sys := auth.SystemContext(ctx)
	inv, err := c.SurveyInvitation.Get(sys, id)
	if err != nil {
		return nil, apperr.Input("token", "the survey link is invalid or has expired")
	}
	tpl, err := c.SurveyTemplate.Get(sys, inv.TemplateID)
	if err != nil {
		return nil, err
	}
	return &Form{Invitation: inv, Template: tpl}, nil
}

// Token is the one-time link token of an invitation, for its owner.
func (s *Service) Token(inv *ent.SurveyInvitation) string {
	return s.Links.Token(inv.ID, inv.ExpiresAt)
}

// Submission is an owner's answers, to an invitation named by id (signed
// in) or by a link's token (anonymous).
type Submission struct {
	InvitationID int
	Token        string
	Answers      []schematype.SurveyAnswer
}

// Submit records the answers once, scored against the template version the
// invitation pinned, withdraws the unsent reminders and, when the answers
// are dissatisfied, opens a complaint in the same transaction. c must be
// transactional.
func (s *Service) Submit(ctx context.Context, c *ent.Client, sub Submission, now time.Time) (*ent.SurveyResponse, error) {
	inv, err := s.invitation(ctx, c, sub, now)
	if err != nil {
		return nil, err
	}
	sys := auth.SystemContext(ctx)
	tpl, err := c.SurveyTemplate.Get(sys, inv.TemplateID)
	if err != nil {
		return nil, err
	}
	res, err := Score(templateOf(tpl), sub.Answers)
	if err != nil {
		return nil, err
	}
	resp, err := c.SurveyResponse.Create().SetTemplateID(tpl.ID).SetOwnerID(inv.OwnerID).
		SetDealershipID(inv.DealershipID).SetNillableWorkOrderID(inv.WorkOrderID).
		SetNillableAdvisorID(inv.AdvisorID).SetInvitationID(inv.ID).SetAnswers(sub.Answers).
		SetIndexScore(res.Index).SetTopBox(res.TopBox).SetSubmittedAt(now).Save(sys)
	if ent.IsConstraintError(err) {
		return nil, apperr.Conflictf("this survey has already been answered")
	}
	if err != nil {
		return nil, err
	}
	if err := c.SurveyInvitation.UpdateOne(inv).SetStatus(surveyinvitation.StatusAnswered).
		SetAnsweredAt(now).Exec(sys); err != nil {
		return nil, err
	}
	if err := withdrawReminders(ctx, c, inv.ID); err != nil {
		return nil, err
	}
	if res.Hot {
		if err := hotAlert(sys, c, resp, res, now); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// invitation finds and locks the invitation being answered and checks
// that it may be: the caller's own (or the link's), not answered, not
// expired.
func (s *Service) invitation(ctx context.Context, c *ent.Client, sub Submission, now time.Time) (*ent.SurveyInvitation, error) {
	v := auth.FromContext(ctx)
	q := c.SurveyInvitation.Query()
	switch {
	case sub.Token != "":
		id, err := s.Links.Verify(sub.Token, now)
		if err != nil {
			return nil, err
		}
		q = q.Where(surveyinvitation.ID(id))
		ctx = auth.SystemContext(ctx) // the link is the credential
	case v.IsOwner() && sub.InvitationID != 0:
		q = q.Where(surveyinvitation.ID(sub.InvitationID)) // the owner's scope applies
	case v.IsOwner():
		return nil, apperr.Input("invitationID", "name the invitation, or answer through its link")
	default:
		return nil, apperr.Forbiddenf("only the owner answers a survey, signed in or through its link")
	}
	inv, err := q.Modify(store.ForUpdate).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, apperr.NotFoundf("survey invitation not found")
	case err != nil:
		return nil, err
	case inv.Status == surveyinvitation.StatusAnswered:
		return nil, apperr.Conflictf("this survey has already been answered")
	case !now.Before(inv.ExpiresAt):
		return nil, apperr.Conflictf("this survey has expired")
	}
	return inv, nil
}

func templateOf(t *ent.SurveyTemplate) Template {
	return Template{ScaleMax: t.ScaleMax, Aspects: t.Aspects, FreeText: t.FreeTextQuestions,
		AlertIndexBelow: t.AlertIndexBelow, AlertIndicatorBelow: t.AlertIndicatorBelow}
}

// hotAlert opens the complaint of a dissatisfied response and puts a call
// to the owner on the store's care list, where the care manager sees it.
func hotAlert(ctx context.Context, c *ent.Client, resp *ent.SurveyResponse, res Result, now time.Time) error {
	desc := fmt.Sprintf("Survey index %.1f; below the alert line: %s.", res.Index, strings.Join(res.Low, ", "))
	if text := freeText(resp.Answers); text != "" {
		desc += " The owner wrote: " + text
	}
	cp, err := complaints.Open(ctx, c, complaints.New{StoreID: resp.DealershipID, OwnerID: resp.OwnerID,
		WorkOrderID: resp.WorkOrderID, SurveyResponseID: &resp.ID, Source: complaint.SourceSurvey,
		Category: complaint.CategoryServiceQuality, Severity: complaint.SeverityHigh,
		Description: truncate(desc, 2000)}, now)
	if err != nil {
		return err
	}
	return c.CareTask.Create().SetOwnerID(resp.OwnerID).SetDealershipID(resp.DealershipID).
		SetChannel(caretask.ChannelPhone).SetReason(fmt.Sprintf("Dissatisfied survey: complaint %d", cp.ID)).
		SetDueAt(now).Exec(ctx)
}

func freeText(as []schematype.SurveyAnswer) string {
	var parts []string
	for _, a := range as {
		if t := strings.TrimSpace(a.Text); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " / ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
