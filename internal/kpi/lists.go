package kpi

import (
	"fmt"
	"io"
	"strconv"

	"aftercare/internal/apperr"
)

// List names the rows behind one figure. Its GraphQL enum is KpiList.
type List string

// Rows is the kind of row a list holds.
type Rows string

// The row kinds.
const (
	RowsReminder       Rows = "Reminder"
	RowsWorkOrder      Rows = "WorkOrder"
	RowsAppointment    Rows = "Appointment"
	RowsCareTask       Rows = "CareTask"
	RowsOwner          Rows = "Owner"
	RowsSurveyResponse Rows = "SurveyResponse"
	RowsComplaint      Rows = "Complaint"
)

// The lists. DOMAIN.md names the figures; the definitions are ours and are
// written out in docs/API.md ("Monthly KPIs").
const (
	FirstServiceDue         List = "FIRST_SERVICE_DUE"
	FirstServiceReturned    List = "FIRST_SERVICE_RETURNED"
	FirstServiceElsewhere   List = "FIRST_SERVICE_ELSEWHERE"
	PeriodicServiceDue      List = "PERIODIC_SERVICE_DUE"
	PeriodicServiceReturned List = "PERIODIC_SERVICE_RETURNED"
	Visits                  List = "VISITS"
	BookedVisits            List = "BOOKED_VISITS"
	Appointments            List = "APPOINTMENTS"
	NoShows                 List = "NO_SHOWS"
	LapseBase               List = "LAPSE_BASE"
	Lapsing                 List = "LAPSING"
	LapsingLocalInWarranty  List = "LAPSING_LOCAL_IN_WARRANTY"
	LapsingLocalOut         List = "LAPSING_LOCAL_OUT_OF_WARRANTY"
	LapsingNonLocalIn       List = "LAPSING_NON_LOCAL_IN_WARRANTY"
	LapsingNonLocalOut      List = "LAPSING_NON_LOCAL_OUT_OF_WARRANTY"
	RemindersDue            List = "REMINDERS_DUE"
	RemindersSent           List = "REMINDERS_SENT"
	Calls                   List = "CALLS"
	CallsReached            List = "CALLS_REACHED"
	WinbackOffers           List = "WINBACK_OFFERS"
	WonBack                 List = "WON_BACK"
	SurveyResponses         List = "SURVEY_RESPONSES"
	TopBoxResponses         List = "TOP_BOX_RESPONSES"
	ComplaintsOpened        List = "COMPLAINTS_OPENED"
	ComplaintsClosedInTime  List = "COMPLAINTS_CLOSED_WITHIN_24H"
	ComplaintsOverdue       List = "COMPLAINTS_OVERDUE"
)

// rowsOf says what each list holds; it is also the set of valid lists.
var rowsOf = map[List]Rows{
	FirstServiceDue: RowsReminder, FirstServiceReturned: RowsReminder, FirstServiceElsewhere: RowsCareTask,
	PeriodicServiceDue: RowsReminder, PeriodicServiceReturned: RowsReminder,
	Visits: RowsWorkOrder, BookedVisits: RowsWorkOrder,
	Appointments: RowsAppointment, NoShows: RowsAppointment,
	LapseBase: RowsOwner, Lapsing: RowsCareTask,
	LapsingLocalInWarranty: RowsCareTask, LapsingLocalOut: RowsCareTask,
	LapsingNonLocalIn: RowsCareTask, LapsingNonLocalOut: RowsCareTask,
	RemindersDue: RowsReminder, RemindersSent: RowsReminder,
	Calls: RowsCareTask, CallsReached: RowsCareTask,
	WinbackOffers: RowsReminder, WonBack: RowsReminder,
	SurveyResponses: RowsSurveyResponse, TopBoxResponses: RowsSurveyResponse,
	ComplaintsOpened: RowsComplaint, ComplaintsClosedInTime: RowsComplaint, ComplaintsOverdue: RowsComplaint,
}

// Rows is the kind of row l holds ("" for an unknown list).
func (l List) Rows() Rows { return rowsOf[l] }

// Valid reports whether l is a known list.
func (l List) Valid() bool { return l.Rows() != "" }

// expect refuses a list whose rows are not want: asking the work-order
// drill-down for reminders is the client's mistake.
func (l List) expect(want Rows) error {
	if got := l.Rows(); got != want {
		return apperr.Input("list", fmt.Sprintf("%s lists %s rows, not %s rows", l, got, want))
	}
	return nil
}

// UnmarshalGQL implements graphql.Unmarshaler.
func (l *List) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || !List(s).Valid() {
		return apperr.Input("list", fmt.Sprintf("%v is not a KPI list", v))
	}
	*l = List(s)
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (l List) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(l))) }
