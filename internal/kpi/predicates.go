package kpi

import (
	"fmt"
	"time"

	"aftercare/ent/appointment"
	"aftercare/ent/caretask"
	"aftercare/ent/complaint"
	"aftercare/ent/contactattempt"
	"aftercare/ent/owner"
	"aftercare/ent/predicate"
	"aftercare/ent/reminder"
	"aftercare/ent/surveyresponse"
	"aftercare/ent/workorder"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// VisitLead is how early a visit may come and still count for a service
// due in the month: a car due on the 3rd that came in on the 20th of the
// month before was serviced, not lost.
const VisitLead = 30 * 24 * time.Hour

// OfferDays is how long a win-back offer runs (DOMAIN.md: 30 days); a visit
// in that time after the offer counts as won back.
const OfferDays = 30

// ComplaintLoop is the time a complaint has to close (DOMAIN.md: 24 hours).
const ComplaintLoop = 24 * time.Hour

// phoneOutcomes are the outcomes of a call (the others are of SMS/e-mail).
var phoneOutcomes = []contactattempt.Outcome{contactattempt.OutcomeReached, contactattempt.OutcomeNoAnswer,
	contactattempt.OutcomeBusy, contactattempt.OutcomeWrongNumber}

var lapseClasses = map[List]caretask.LapseClass{
	LapsingLocalInWarranty: caretask.LapseClassLocalInWarranty,
	LapsingLocalOut:        caretask.LapseClassLocalOutOfWarranty,
	LapsingNonLocalIn:      caretask.LapseClassNonLocalInWarranty,
	LapsingNonLocalOut:     caretask.LapseClassNonLocalOutOfWarranty,
}

// Reminders is the predicate of a reminder list.
func (s Scope) Reminders(l List) ([]predicate.Reminder, error) {
	if err := l.expect(RowsReminder); err != nil {
		return nil, err
	}
	store := reminder.DealershipID(s.StoreID)
	switch l {
	case FirstServiceDue, FirstServiceReturned:
		p := []predicate.Reminder{store, reminder.KindEQ(reminder.KindFirstService), reminder.DueDateGTE(s.DayFrom), reminder.DueDateLT(s.DayTo)}
		if l == FirstServiceReturned {
			p = append(p, s.vehicleVisited())
		}
		return p, nil
	case PeriodicServiceDue, PeriodicServiceReturned:
		p := []predicate.Reminder{store, reminder.KindEQ(reminder.KindPeriodicService), reminder.DueDateGTE(s.DayFrom), reminder.DueDateLT(s.DayTo)}
		if l == PeriodicServiceReturned {
			p = append(p, s.vehicleVisited())
		}
		return p, nil
	case RemindersDue, RemindersSent:
		// Service and safety reminders that were to go out this month;
		// cancelled ones (the need went away) were never due.
		p := []predicate.Reminder{store, reminder.CategoryIn(reminder.CategoryService, reminder.CategorySafety),
			reminder.SendAtGTE(s.From), reminder.SendAtLT(s.To), reminder.StatusNEQ(reminder.StatusCancelled)}
		if l == RemindersSent {
			p = append(p, reminder.SentAtNotNil())
		}
		return p, nil
	default: // WinbackOffers, WonBack
		// Offers due out this month and sent (send_at is indexed; a
		// deferred offer goes out hours later, not in another month).
		p := []predicate.Reminder{store, reminder.KindEQ(reminder.KindWinback), reminder.SendAtGTE(s.From), reminder.SendAtLT(s.To),
			reminder.SentAtNotNil()}
		if l == WonBack {
			p = append(p, s.ownerCameBack())
		}
		return p, nil
	}
}

// vehicleVisited: the reminder's vehicle has a visit at the store from
// VisitLead before the month began to its end.
func (s Scope) vehicleVisited() predicate.Reminder {
	return func(sel *sql.Selector) {
		sel.Where(sql.Exists(s.visits(sel, reminder.FieldVehicleID, workorder.FieldVehicleID,
			sql.GTE(sql.Table(workorder.Table).C(workorder.FieldOpenedAt), s.From.Add(-VisitLead)),
			sql.LT(sql.Table(workorder.Table).C(workorder.FieldOpenedAt), s.To))))
	}
}

// ownerCameBack: the reminder's owner visited the store after the offer
// went out, up to OfferDays after the month's end.
func (s Scope) ownerCameBack() predicate.Reminder {
	return func(sel *sql.Selector) {
		wo := sql.Table(workorder.Table)
		sel.Where(sql.Exists(s.visits(sel, reminder.FieldOwnerID, workorder.FieldOwnerID,
			sql.ColumnsGTE(wo.C(workorder.FieldOpenedAt), sel.C(reminder.FieldSentAt)),
			sql.LT(wo.C(workorder.FieldOpenedAt), s.To.AddDate(0, 0, OfferDays)))))
	}
}

// visits selects the store's work orders (not cancelled) whose woCol
// equals the outer row's col, within the given bounds.
func (s Scope) visits(outer *sql.Selector, col, woCol string, bounds ...*sql.Predicate) *sql.Selector {
	wo := sql.Table(workorder.Table)
	where := append([]*sql.Predicate{
		sql.ColumnsEQ(wo.C(woCol), outer.C(col)),
		sql.EQ(wo.C(workorder.FieldDealershipID), s.StoreID),
		sql.NEQ(wo.C(workorder.FieldStatus), workorder.StatusCancelled),
	}, bounds...)
	return sql.Select(wo.C(workorder.FieldID)).From(wo).Where(sql.And(where...))
}

// WorkOrders is the predicate of a work-order list: the month's visits,
// and those that were booked.
func (s Scope) WorkOrders(l List) ([]predicate.WorkOrder, error) {
	if err := l.expect(RowsWorkOrder); err != nil {
		return nil, err
	}
	p := []predicate.WorkOrder{workorder.DealershipID(s.StoreID), workorder.OpenedAtGTE(s.From),
		workorder.OpenedAtLT(s.To), workorder.StatusNEQ(workorder.StatusCancelled)}
	if l == BookedVisits {
		p = append(p, workorder.AppointmentIDNotNil())
	}
	return p, nil
}

// Appointments is the predicate of an appointment list: the month's
// appointments whose outcome is known (the owner came, or did not), and the
// no-shows among them.
func (s Scope) Appointments(l List) ([]predicate.Appointment, error) {
	if err := l.expect(RowsAppointment); err != nil {
		return nil, err
	}
	p := []predicate.Appointment{appointment.DealershipID(s.StoreID), appointment.StartsAtGTE(s.From), appointment.StartsAtLT(s.To)}
	if l == NoShows {
		return append(p, appointment.StatusEQ(appointment.StatusNoShow)), nil
	}
	return append(p, appointment.StatusIn(appointment.StatusCheckedIn, appointment.StatusCompleted, appointment.StatusNoShow)), nil
}

// Owners is the predicate of the lapse base: the store's customers (not
// prospects, not erased) who were customers before the month ended.
func (s Scope) Owners(l List) ([]predicate.Owner, error) {
	if err := l.expect(RowsOwner); err != nil {
		return nil, err
	}
	return []predicate.Owner{owner.HomeDealershipID(s.StoreID), owner.Prospect(false), owner.ErasedAtIsNil(), owner.CreatedAtLT(s.To)}, nil
}

// CareTasks is the predicate of a care-task list.
func (s Scope) CareTasks(l List) ([]predicate.CareTask, error) {
	if err := l.expect(RowsCareTask); err != nil {
		return nil, err
	}
	store := caretask.DealershipID(s.StoreID)
	switch l {
	case FirstServiceElsewhere:
		// Calls in which an owner whose car was due for its first service
		// this month said it was done elsewhere (with the shop and price).
		return []predicate.CareTask{store, caretask.AnswerReasonEQ(caretask.AnswerReasonServicedElsewhere), s.firstServiceDueVehicle()}, nil
	case Calls:
		return []predicate.CareTask{store, caretask.ChannelEQ(caretask.ChannelPhone),
			caretask.HasAttemptsWith(contactattempt.AtGTE(s.From), contactattempt.AtLT(s.To), contactattempt.OutcomeIn(phoneOutcomes...))}, nil
	case CallsReached:
		return []predicate.CareTask{store, caretask.ChannelEQ(caretask.ChannelPhone),
			caretask.HasAttemptsWith(contactattempt.AtGTE(s.From), contactattempt.AtLT(s.To), contactattempt.OutcomeEQ(contactattempt.OutcomeReached))}, nil
	}
	p := []predicate.CareTask{store, caretask.KindEQ(caretask.KindLapse), caretask.LapseMonth(s.Month)}
	if c, ok := lapseClasses[l]; ok {
		p = append(p, caretask.LapseClassEQ(c))
	}
	return p, nil
}

// firstServiceDueVehicle: the task's vehicle has a first-service reminder
// due this month at the store.
func (s Scope) firstServiceDueVehicle() predicate.CareTask {
	return func(sel *sql.Selector) {
		r := sql.Table(reminder.Table)
		sel.Where(sql.In(sel.C(caretask.FieldVehicleID), sql.Select(r.C(reminder.FieldVehicleID)).From(r).Where(sql.And(
			sql.EQ(r.C(reminder.FieldDealershipID), s.StoreID),
			sql.EQ(r.C(reminder.FieldKind), reminder.KindFirstService),
			sql.GTE(r.C(reminder.FieldDueDate), s.DayFrom),
			sql.LT(r.C(reminder.FieldDueDate), s.DayTo)))))
	}
}

// SurveyResponses is the predicate of a survey list: the month's answers,
// and the very satisfied among them.
func (s Scope) SurveyResponses(l List) ([]predicate.SurveyResponse, error) {
	if err := l.expect(RowsSurveyResponse); err != nil {
		return nil, err
	}
	p := []predicate.SurveyResponse{surveyresponse.DealershipID(s.StoreID), surveyresponse.SubmittedAtGTE(s.From), surveyresponse.SubmittedAtLT(s.To)}
	if l == TopBoxResponses {
		p = append(p, surveyresponse.TopBox(true))
	}
	return p, nil
}

// Complaints is the predicate of a complaint list: those opened this
// month; those closed within the 24-hour loop; and those that missed it
// (closed late, or still open after 24 hours). Opened = closed in time +
// overdue + those still inside their 24 hours.
func (s Scope) Complaints(l List) ([]predicate.Complaint, error) {
	if err := l.expect(RowsComplaint); err != nil {
		return nil, err
	}
	p := []predicate.Complaint{complaint.DealershipID(s.StoreID), complaint.CreatedAtGTE(s.From), complaint.CreatedAtLT(s.To)}
	switch l {
	case ComplaintsClosedInTime:
		p = append(p, closedInTime())
	case ComplaintsOverdue:
		p = append(p, complaint.Or(complaint.ClosedAtIsNil(), complaint.Not(closedInTime())),
			complaint.CreatedAtLT(s.Now.Add(-ComplaintLoop)))
	}
	return p, nil
}

// closedInTime: closed_at within ComplaintLoop of created_at. Interval
// arithmetic is the one place the two dialects differ. SQLite keeps times
// as Go's text form ("2026-03-02 10:00:00.5 +0000 UTC"); the store writes
// UTC (as every time comparison on SQLite already assumes), so the first
// 19 characters are a time julianday reads.
func closedInTime() predicate.Complaint {
	return func(sel *sql.Selector) {
		closed, created := sel.C(complaint.FieldClosedAt), sel.C(complaint.FieldCreatedAt)
		hours := int(ComplaintLoop / time.Hour)
		if sel.Dialect() == dialect.Postgres {
			sel.Where(sql.ExprP(fmt.Sprintf("%s <= %s + interval '%d hours'", closed, created, hours)))
			return
		}
		sel.Where(sql.ExprP(fmt.Sprintf("julianday(substr(%s, 1, 19)) <= julianday(substr(%s, 1, 19)) + %d / 24.0", closed, created, hours)))
	}
}
