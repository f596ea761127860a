package workorder

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/inspectionitem"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/store"
)

// Finding is one item of the digital health check.
type Finding struct {
	WorkOrderID             int
	Name, Note              string
	Rating                  inspectionitem.Rating
	LabourCents, PartsCents int64
}

// AddFinding records an inspection item while the car is being diagnosed
// or repaired. "OK" items need no decision.
func (s *Service) AddFinding(ctx context.Context, c *ent.Client, f Finding) (*ent.InspectionItem, error) {
	if !auth.FromContext(ctx).HasRole(roles(technicians, advisors, managers)...) {
		return nil, apperr.Forbiddenf("only the workshop records findings")
	}
	wo, err := lock(ctx, c, f.WorkOrderID)
	if err != nil {
		return nil, err
	}
	if wo.Status != Diagnosing && wo.Status != InRepair && wo.Status != AwaitingApproval {
		return nil, apperr.Conflictf("findings are recorded while diagnosing or repairing; the work order is %s", wo.Status)
	}
	create := c.InspectionItem.Create().SetWorkOrderID(wo.ID).SetName(f.Name).SetNote(f.Note).
		SetRating(f.Rating).SetLabourCents(f.LabourCents).SetPartsCents(f.PartsCents)
	if f.Rating == inspectionitem.RatingOk {
		create.SetDecision(inspectionitem.DecisionNotNeeded)
	}
	return create.Save(auth.SystemContext(ctx))
}

// Decide records the owner's approval or refusal of a recommended item:
// from the app by the owner, or by an advisor for an answer given by phone
// (with a note saying so). The decision, who made it and when are kept and
// shown live as an event.
func (s *Service) Decide(ctx context.Context, c *ent.Client, itemID int, approve bool, note string) (*ent.InspectionItem, error) {
	v := auth.FromContext(ctx)
	item, err := c.InspectionItem.Query().Where(inspectionitem.ID(itemID)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("inspection item not found")
	}
	if err != nil {
		return nil, err
	}
	if item.Rating == inspectionitem.RatingOk {
		return nil, apperr.Conflictf("nothing to decide: the item is fine")
	}
	if v.IsStaff() && !v.HasRole(roles(advisors, managers)...) {
		return nil, apperr.Forbiddenf("an advisor records the owner's decision")
	}
	if v.IsStaff() && note == "" {
		return nil, apperr.Input("note", "say how the owner gave the decision (e.g. by phone at 10:40)")
	}
	wo, err := lock(ctx, c, item.WorkOrderID)
	if err != nil {
		return nil, err
	}
	if !Open(wo.Status) {
		return nil, apperr.Conflictf("the work order is %s", wo.Status)
	}
	decided, err := s.saveDecision(ctx, c, item, approve, note)
	if err != nil {
		return nil, err
	}
	verb := map[bool]string{true: "approved", false: "declined"}[approve]
	_, err = s.record(ctx, c, wo, Move{WorkOrderID: wo.ID, To: wo.Status, Message: fmt.Sprintf("%s %s.", item.Name, verb)}, nil)
	return decided, err
}

func (s *Service) saveDecision(ctx context.Context, c *ent.Client, item *ent.InspectionItem, approve bool, note string) (*ent.InspectionItem, error) {
	v := auth.FromContext(ctx)
	decision := inspectionitem.DecisionDeclined
	if approve {
		decision = inspectionitem.DecisionApproved
	}
	upd := c.InspectionItem.UpdateOne(item).SetDecision(decision).SetDecidedAt(s.now()).SetDecisionNote(note)
	if v.IsStaff() {
		upd.SetDecidedBy(inspectionitem.DecidedByStaff).SetDecidedByStaffID(v.StaffID)
	} else {
		upd.SetDecidedBy(inspectionitem.DecidedByOwner)
	}
	return upd.Save(ctx)
}

// Delivery closes a visit.
type Delivery struct {
	WorkOrderID             int
	OdometerKm              int
	LabourCents, PartsCents int64
	Message                 string
}

// Deliver hands the car back: final odometer and totals, the vehicle's
// last service (read by reminders, surveys and KPIs) and the booking
// completed.
func (s *Service) Deliver(ctx context.Context, c *ent.Client, d Delivery) (*ent.WorkOrder, error) {
	if !auth.FromContext(ctx).HasRole(roles(advisors, managers)...) {
		return nil, apperr.Forbiddenf("only an advisor delivers a car")
	}
	wo, err := lock(ctx, c, d.WorkOrderID)
	if err != nil {
		return nil, err
	}
	if wo.Status != ReadyForPickup {
		return nil, apperr.Conflictf("a car is delivered once ready for pick-up; the work order is %s", wo.Status)
	}
	if d.OdometerKm < wo.OdometerInKm {
		return nil, apperr.Input("odometerKm", fmt.Sprintf("the odometer cannot be below the %d km at check-in", wo.OdometerInKm))
	}
	now := s.now()
	if err := closeVisit(ctx, c, wo, d.OdometerKm, now); err != nil {
		return nil, err
	}
	out, err := s.record(ctx, c, wo, Move{WorkOrderID: wo.ID, To: Delivered, Message: d.Message}, func(u *ent.WorkOrderUpdateOne) {
		u.SetOdometerOutKm(d.OdometerKm).SetLabourCents(d.LabourCents).SetPartsCents(d.PartsCents).
			SetTotalCents(d.LabourCents + d.PartsCents).SetDeliveredAt(now)
	})
	if err != nil || s.AfterDeliver == nil {
		return out, err
	}
	return out, s.AfterDeliver(ctx, c, out, now)
}

// serviceDate is the calendar date of the visit in UTC-midnight form.
func serviceDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
