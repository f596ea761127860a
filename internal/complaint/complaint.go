package complaint

import (
	"context"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/complaint"
	"aftercare/ent/complaintstep"
	"aftercare/ent/owner"
	"aftercare/ent/workorder"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/store"
)

// New is a complaint to open.
type New struct {
	StoreID          int
	OwnerID          int
	WorkOrderID      *int
	SurveyResponseID *int
	Source           complaint.Source
	Category         complaint.Category
	Severity         complaint.Severity
	Description      string
}

// Open logs a complaint, due to be planned within the first step's time.
// It is written under the caller's viewer, so the privacy policy checks
// that the owner, store and work order are theirs to name; c must be
// transactional.
func Open(ctx context.Context, c *ent.Client, n New, now time.Time) (*ent.Complaint, error) {
	n.Description = strings.TrimSpace(n.Description)
	if n.Description == "" {
		return nil, apperr.Input("description", "say what went wrong")
	}
	if len(n.Description) > 2000 {
		return nil, apperr.Input("description", "at most 2,000 characters")
	}
	if err := checkWorkOrder(ctx, c, n); err != nil {
		return nil, err
	}
	if n.Source == complaint.SourceApp {
		if err := checkServed(ctx, c, n); err != nil {
			return nil, err
		}
	}
	due, _ := Deadline(Logged, now)
	cp, err := c.Complaint.Create().SetDealershipID(n.StoreID).SetOwnerID(n.OwnerID).
		SetNillableWorkOrderID(n.WorkOrderID).SetNillableSurveyResponseID(n.SurveyResponseID).
		SetSource(n.Source).SetCategory(n.Category).SetSeverity(n.Severity).SetDescription(n.Description).
		SetDueAt(due).SetEscalateAt(due).Save(ctx)
	if err != nil {
		return nil, err
	}
	return cp, step(ctx, c, cp, complaintstep.ActionLogged, n.Description, now)
}

// checkWorkOrder: the work order concerned must be the owner's, at the
// store complained about. Whether the caller may see it at all is the
// privacy policy's check.
func checkWorkOrder(ctx context.Context, c *ent.Client, n New) error {
	if n.WorkOrderID == nil {
		return nil
	}
	wo, err := c.WorkOrder.Get(auth.SystemContext(ctx), *n.WorkOrderID)
	if ent.IsNotFound(err) || (err == nil && (wo.OwnerID != n.OwnerID || wo.DealershipID != n.StoreID)) {
		return apperr.Input("workOrderID", "the work order is not this owner's visit at this store")
	}
	return err
}

// checkServed: an owner complains from the app about a store that serves
// them (their home store, or one they booked or visited), so that the
// store's staff can also see who complained. Staff can only name owners
// their store serves anyway (the privacy policy's reference check).
func checkServed(ctx context.Context, c *ent.Client, n New) error {
	served, err := c.Owner.Query().Where(owner.ID(n.OwnerID), owner.Or(owner.HomeDealershipID(n.StoreID),
		owner.HasWorkOrdersWith(workorder.DealershipID(n.StoreID)),
		owner.HasAppointmentsWith(appointment.DealershipID(n.StoreID)))).Exist(auth.SystemContext(ctx))
	if err == nil && !served {
		return apperr.Input("dealershipID", "complaints go to a store you are a customer of")
	}
	return err
}

// Advance makes one move of the loop with the actor's note.
func Advance(ctx context.Context, c *ent.Client, id int, to complaint.Status, note string, now time.Time) (*ent.Complaint, error) {
	cp, note, err := lockWithNote(ctx, c, id, note)
	if err != nil {
		return nil, err
	}
	t, known, allowed := Lookup(cp.Status, to, auth.FromContext(ctx))
	switch {
	case !known:
		return nil, apperr.Conflictf("a complaint cannot go from %s to %s", cp.Status, to)
	case !allowed:
		return nil, apperr.Forbiddenf("your role cannot move a complaint from %s to %s", cp.Status, to)
	}
	return move(ctx, c, cp, to, t.Action, note, now, nil)
}

// Reopen sends a confirmed or closed complaint back to the start of the
// loop: the owner is not satisfied after all.
func Reopen(ctx context.Context, c *ent.Client, id int, note string, now time.Time) (*ent.Complaint, error) {
	cp, note, err := lockWithNote(ctx, c, id, note)
	if err != nil {
		return nil, err
	}
	if !mayReopen(auth.FromContext(ctx), cp.OwnerID) {
		return nil, apperr.Forbiddenf("only the owner or care staff reopen a complaint")
	}
	if !CanReopen(cp.Status) {
		return nil, apperr.Conflictf("a complaint that is %s is still open", cp.Status)
	}
	return move(ctx, c, cp, Logged, complaintstep.ActionReopened, note, now, func(u *ent.ComplaintUpdateOne) {
		u.AddReopenedCount(1).ClearClosedAt().ClearResolutionRating().ClearResolutionComment()
	})
}

// Rate records the owner's rating (1-5) of the resolution, once it has
// been confirmed with them.
func Rate(ctx context.Context, c *ent.Client, id, rating int, comment string, now time.Time) (*ent.Complaint, error) {
	v := auth.FromContext(ctx)
	cp, err := lock(ctx, c, id)
	if err != nil {
		return nil, err
	}
	switch {
	case !v.IsOwner() || v.OwnerID != cp.OwnerID:
		return nil, apperr.Forbiddenf("only the owner rates the resolution")
	case cp.Status != Confirmed && cp.Status != Closed:
		return nil, apperr.Conflictf("a complaint is rated once it is resolved; it is %s", cp.Status)
	case cp.ResolutionRating != nil:
		return nil, apperr.Conflictf("the resolution is already rated")
	case rating < 1 || rating > 5:
		return nil, apperr.Input("rating", "a rating from 1 to 5")
	case len(comment) > 1000:
		return nil, apperr.Input("comment", "at most 1,000 characters")
	}
	updated, err := c.Complaint.UpdateOne(cp).SetResolutionRating(rating).SetResolutionComment(comment).
		Save(auth.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	return updated, step(ctx, c, updated, complaintstep.ActionRated, comment, now)
}

func lockWithNote(ctx context.Context, c *ent.Client, id int, note string) (*ent.Complaint, string, error) {
	note = strings.TrimSpace(note)
	if note == "" || len(note) > 2000 {
		return nil, "", apperr.Input("note", "every step needs a note of up to 2,000 characters")
	}
	cp, err := lock(ctx, c, id)
	return cp, note, err
}

// lock reads the complaint the viewer can see, locked until commit.
func lock(ctx context.Context, c *ent.Client, id int) (*ent.Complaint, error) {
	cp, err := c.Complaint.Query().Where(complaint.ID(id)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("complaint not found")
	}
	return cp, err
}

// move writes the new status with its deadline, resets the escalation of
// the step left behind, and records the step. It writes as the system: the
// caller checked the actor's right to the move.
func move(ctx context.Context, c *ent.Client, cp *ent.Complaint, to complaint.Status, action complaintstep.Action,
	note string, now time.Time, extra func(*ent.ComplaintUpdateOne)) (*ent.Complaint, error) {
	upd := c.Complaint.UpdateOne(cp).SetStatus(to).SetEscalationLevel(0)
	if due, ok := Deadline(to, now); ok {
		upd.SetDueAt(due).SetEscalateAt(due)
	} else {
		upd.SetDueAt(now).ClearEscalateAt().SetClosedAt(now)
	}
	if extra != nil {
		extra(upd)
	}
	updated, err := upd.Save(auth.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	return updated, step(ctx, c, updated, action, note, now)
}

// step records what just happened to cp, by the viewer in ctx.
func step(ctx context.Context, c *ent.Client, cp *ent.Complaint, action complaintstep.Action, note string, now time.Time) error {
	v := auth.FromContext(ctx)
	create := c.ComplaintStep.Create().SetComplaintID(cp.ID).SetAction(action).
		SetToStatus(complaintstep.ToStatus(cp.Status)).SetNote(note).SetAt(now).
		SetEscalationLevel(cp.EscalationLevel)
	switch {
	case v.IsStaff():
		create.SetActorKind(complaintstep.ActorKindStaff).SetStaffID(v.StaffID)
	case v.IsOwner():
		create.SetActorKind(complaintstep.ActorKindOwner)
	default:
		create.SetActorKind(complaintstep.ActorKindSystem)
	}
	if !Terminal(cp.Status) && action != complaintstep.ActionRated {
		create.SetDueAt(cp.DueAt)
	}
	return create.Exec(auth.SystemContext(ctx))
}
