package kpi

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/dealership"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"

	"golang.org/x/sync/errgroup"
)

// Rate is numerator out of denominator, each the size of a list.
type Rate struct {
	Numerator, Denominator         int
	NumeratorList, DenominatorList List
}

// Rate is Numerator / Denominator, or nil when nothing was counted.
func (r Rate) Rate() *float64 {
	if r.Denominator == 0 {
		return nil
	}
	x := float64(r.Numerator) / float64(r.Denominator)
	return &x
}

// LapseClass is the lapse rate of one of the classes.
type LapseClass struct {
	Class string
	Rate  Rate
}

// ComplaintLoopCounts are the month's complaints against the 24-hour loop.
type ComplaintLoopCounts struct {
	Opened, ClosedWithin24h, Overdue int
}

// Report is a store's month.
type Report struct {
	Scope
	FirstServiceReturn     Rate
	FirstServiceElsewhere  int
	PeriodicServiceReturn  Rate
	AppointmentRate        Rate
	NoShowRate             Rate
	LapseRate              Rate
	LapseClasses           []LapseClass
	ReminderReach          Rate
	CallSuccess            Rate
	WinBackRate            Rate
	TopBoxShare            Rate
	ComplaintLoop          ComplaintLoopCounts
	ComplaintsClosedOnTime Rate
}

// Compute counts every list of the scope. The counts are independent
// reads, run a few at a time.
func Compute(ctx context.Context, c *ent.Client, s Scope) (*Report, error) {
	lists := AllLists()
	counts := make([]int, len(lists))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelCounts)
	for i, l := range lists {
		g.Go(func() (err error) {
			counts[i], err = Count(gctx, c, s, l)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	n := make(map[List]int, len(lists))
	for i, l := range lists {
		n[l] = counts[i]
	}
	return report(s, n), nil
}

// AllLists are the lists of a report, in the order of the schema.
func AllLists() []List {
	return []List{FirstServiceDue, FirstServiceReturned, FirstServiceElsewhere, PeriodicServiceDue, PeriodicServiceReturned,
		Visits, BookedVisits, Appointments, NoShows, LapseBase, Lapsing,
		LapsingLocalInWarranty, LapsingLocalOut, LapsingNonLocalIn, LapsingNonLocalOut,
		RemindersDue, RemindersSent, Calls, CallsReached, WinbackOffers, WonBack,
		SurveyResponses, TopBoxResponses, ComplaintsOpened, ComplaintsClosedInTime, ComplaintsOverdue}
}

// parallelCounts is how many counts run at once: enough to overlap round
// trips, few enough to leave the pool to other requests.
const parallelCounts = 3

func report(s Scope, n map[List]int) *Report {
	rate := func(num, den List) Rate {
		return Rate{Numerator: n[num], Denominator: n[den], NumeratorList: num, DenominatorList: den}
	}
	r := &Report{
		Scope:                  s,
		FirstServiceReturn:     rate(FirstServiceReturned, FirstServiceDue),
		FirstServiceElsewhere:  n[FirstServiceElsewhere],
		PeriodicServiceReturn:  rate(PeriodicServiceReturned, PeriodicServiceDue),
		AppointmentRate:        rate(BookedVisits, Visits),
		NoShowRate:             rate(NoShows, Appointments),
		LapseRate:              rate(Lapsing, LapseBase),
		ReminderReach:          rate(RemindersSent, RemindersDue),
		CallSuccess:            rate(CallsReached, Calls),
		WinBackRate:            rate(WonBack, WinbackOffers),
		TopBoxShare:            rate(TopBoxResponses, SurveyResponses),
		ComplaintLoop:          ComplaintLoopCounts{Opened: n[ComplaintsOpened], ClosedWithin24h: n[ComplaintsClosedInTime], Overdue: n[ComplaintsOverdue]},
		ComplaintsClosedOnTime: rate(ComplaintsClosedInTime, ComplaintsOpened),
	}
	for _, l := range []List{LapsingLocalInWarranty, LapsingLocalOut, LapsingNonLocalIn, LapsingNonLocalOut} {
		r.LapseClasses = append(r.LapseClasses, LapseClass{Class: string(lapseClasses[l]), Rate: rate(l, LapseBase)})
	}
	return r
}

// Count is the number of rows in list l.
func Count(ctx context.Context, c *ent.Client, s Scope, l List) (int, error) {
	switch l.Rows() {
	case RowsReminder:
		p, err := s.Reminders(l)
		if err != nil {
			return 0, err
		}
		return c.Reminder.Query().Where(p...).Count(ctx)
	case RowsWorkOrder:
		p, err := s.WorkOrders(l)
		if err != nil {
			return 0, err
		}
		return c.WorkOrder.Query().Where(p...).Count(ctx)
	case RowsAppointment:
		p, err := s.Appointments(l)
		if err != nil {
			return 0, err
		}
		return c.Appointment.Query().Where(p...).Count(ctx)
	case RowsOwner:
		p, err := s.Owners(l)
		if err != nil {
			return 0, err
		}
		return c.Owner.Query().Where(p...).Count(ctx)
	case RowsCareTask:
		p, err := s.CareTasks(l)
		if err != nil {
			return 0, err
		}
		return c.CareTask.Query().Where(p...).Count(ctx)
	case RowsSurveyResponse:
		p, err := s.SurveyResponses(l)
		if err != nil {
			return 0, err
		}
		return c.SurveyResponse.Query().Where(p...).Count(ctx)
	default:
		p, err := s.Complaints(l)
		if err != nil {
			return 0, err
		}
		return c.Complaint.Query().Where(p...).Count(ctx)
	}
}

// Group computes month for every store of the viewer's group, by store
// name: group admins only.
func Group(ctx context.Context, c *ent.Client, month string, now time.Time) ([]*Report, error) {
	v := auth.FromContext(ctx)
	if !v.HasRole(auth.RoleGroupAdmin) {
		return nil, apperr.Forbiddenf("the group's KPIs are for group admins")
	}
	stores, err := c.Dealership.Query().Where(dealership.DealerGroupID(v.DealerGroupID)).
		Order(ent.Asc(dealership.FieldName), ent.Asc(dealership.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Report, 0, len(stores))
	for _, st := range stores {
		s, err := NewScope(st, month, now)
		if err != nil {
			return nil, err
		}
		r, err := Compute(ctx, c, s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
