package kpi

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/caretask"
	"aftercare/ent/complaint"
	"aftercare/ent/owner"
	"aftercare/ent/reminder"
	"aftercare/ent/surveyresponse"
	"aftercare/ent/workorder"
)

// exportPage is how many rows the export reads per statement.
const exportPage = 1000

// Export writes list l as CSV: a header, then one row per item in id
// order. Ids are the API's global ids. Contacts (names, phones, e-mails)
// are left out: a spreadsheet travels further than the app, and the app
// shows them to those who may see them.
func Export(ctx context.Context, c *ent.Client, s Scope, l List, out io.Writer) error {
	w := csv.NewWriter(out)
	ex, err := exporter(c, s, l)
	if err != nil {
		return err
	}
	if err := w.Write(ex.header); err != nil {
		return err
	}
	for after := 0; ; {
		rows, last, err := ex.page(ctx, after)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := w.Write(safeCells(r)); err != nil {
				return err
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		if len(rows) < exportPage {
			return nil
		}
		after = last
	}
}

type export struct {
	header []string
	// page returns the rows with ids above after, and the last id.
	page func(ctx context.Context, after int) ([][]string, int, error)
}

func exporter(c *ent.Client, s Scope, l List) (export, error) {
	switch l.Rows() {
	case RowsReminder:
		p, err := s.Reminders(l)
		return export{reminderHeader, func(ctx context.Context, after int) ([][]string, int, error) {
			items, err := c.Reminder.Query().Where(p...).Where(reminder.IDGT(after)).Order(ent.Asc(reminder.FieldID)).Limit(exportPage).All(ctx)
			return pageRows(items, err, reminderRow, func(r *ent.Reminder) int { return r.ID })
		}}, err
	case RowsWorkOrder:
		p, err := s.WorkOrders(l)
		return export{workOrderHeader, func(ctx context.Context, after int) ([][]string, int, error) {
			items, err := c.WorkOrder.Query().Where(p...).Where(workorder.IDGT(after)).Order(ent.Asc(workorder.FieldID)).Limit(exportPage).All(ctx)
			return pageRows(items, err, workOrderRow, func(r *ent.WorkOrder) int { return r.ID })
		}}, err
	case RowsAppointment:
		p, err := s.Appointments(l)
		return export{appointmentHeader, func(ctx context.Context, after int) ([][]string, int, error) {
			items, err := c.Appointment.Query().Where(p...).Where(appointment.IDGT(after)).Order(ent.Asc(appointment.FieldID)).Limit(exportPage).All(ctx)
			return pageRows(items, err, appointmentRow, func(r *ent.Appointment) int { return r.ID })
		}}, err
	case RowsOwner:
		p, err := s.Owners(l)
		return export{ownerHeader, func(ctx context.Context, after int) ([][]string, int, error) {
			items, err := c.Owner.Query().Where(p...).Where(owner.IDGT(after)).Order(ent.Asc(owner.FieldID)).Limit(exportPage).All(ctx)
			return pageRows(items, err, ownerRow, func(r *ent.Owner) int { return r.ID })
		}}, err
	case RowsCareTask:
		p, err := s.CareTasks(l)
		return export{careTaskHeader, func(ctx context.Context, after int) ([][]string, int, error) {
			items, err := c.CareTask.Query().Where(p...).Where(caretask.IDGT(after)).Order(ent.Asc(caretask.FieldID)).Limit(exportPage).All(ctx)
			return pageRows(items, err, careTaskRow, func(r *ent.CareTask) int { return r.ID })
		}}, err
	case RowsSurveyResponse:
		p, err := s.SurveyResponses(l)
		return export{surveyHeader, func(ctx context.Context, after int) ([][]string, int, error) {
			items, err := c.SurveyResponse.Query().Where(p...).Where(surveyresponse.IDGT(after)).Order(ent.Asc(surveyresponse.FieldID)).Limit(exportPage).All(ctx)
			return pageRows(items, err, surveyRow, func(r *ent.SurveyResponse) int { return r.ID })
		}}, err
	default:
		p, err := s.Complaints(l)
		return export{complaintHeader, func(ctx context.Context, after int) ([][]string, int, error) {
			items, err := c.Complaint.Query().Where(p...).Where(complaint.IDGT(after)).Order(ent.Asc(complaint.FieldID)).Limit(exportPage).All(ctx)
			return pageRows(items, err, complaintRow, func(r *ent.Complaint) int { return r.ID })
		}}, err
	}
}

// pageRows formats one page of items.
func pageRows[T any](items []T, err error, row func(T) []string, id func(T) int) ([][]string, int, error) {
	if err != nil || len(items) == 0 {
		return nil, 0, err
	}
	out := make([][]string, len(items))
	for i, it := range items {
		out[i] = row(it)
	}
	return out, id(items[len(items)-1]), nil
}

var reminderHeader = []string{"id", "owner_id", "vehicle_id", "kind", "status", "due_date", "send_at", "sent_at", "opened_at", "converted_at", "appointment_id"}

func reminderRow(r *ent.Reminder) []string {
	return []string{itoa(r.ID), itoa(r.OwnerID), optInt(r.VehicleID), string(r.Kind), string(r.Status), optDate(r.DueDate),
		ts(r.SendAt), optTS(r.SentAt), optTS(r.OpenedAt), optTS(r.ConvertedAt), optInt(r.AppointmentID)}
}

var workOrderHeader = []string{"id", "number", "owner_id", "vehicle_id", "appointment_id", "status", "opened_at", "delivered_at", "total_cny"}

func workOrderRow(w *ent.WorkOrder) []string {
	return []string{itoa(w.ID), w.Number, itoa(w.OwnerID), itoa(w.VehicleID), optInt(w.AppointmentID), string(w.Status),
		ts(w.OpenedAt), optTS(w.DeliveredAt), cny(w.TotalCents)}
}

var appointmentHeader = []string{"id", "owner_id", "vehicle_id", "service_type", "source", "status", "starts_at"}

func appointmentRow(a *ent.Appointment) []string {
	return []string{itoa(a.ID), itoa(a.OwnerID), optInt(a.VehicleID), string(a.ServiceType), string(a.Source), string(a.Status), ts(a.StartsAt)}
}

var ownerHeader = []string{"id", "tier", "customer_since"}

func ownerRow(o *ent.Owner) []string {
	return []string{itoa(o.ID), string(o.Tier), ts(o.CreatedAt)}
}

var careTaskHeader = []string{"id", "owner_id", "vehicle_id", "kind", "channel", "status", "lapse_class", "days_since_visit",
	"answer_reason", "elsewhere_shop", "elsewhere_price_cny", "due_at"}

func careTaskRow(t *ent.CareTask) []string {
	var class, answer, price string
	if t.LapseClass != nil {
		class = string(*t.LapseClass)
	}
	if t.AnswerReason != nil {
		answer = string(*t.AnswerReason)
	}
	if t.ElsewherePriceCents != nil {
		price = cny(*t.ElsewherePriceCents)
	}
	return []string{itoa(t.ID), itoa(t.OwnerID), optInt(t.VehicleID), string(t.Kind), string(t.Channel), string(t.Status), class,
		optInt(t.DaysSinceVisit), answer, t.ElsewhereShop, price, ts(t.DueAt)}
}

var surveyHeader = []string{"id", "owner_id", "work_order_id", "advisor_id", "index", "top_box", "submitted_at"}

func surveyRow(r *ent.SurveyResponse) []string {
	return []string{itoa(r.ID), itoa(r.OwnerID), optInt(r.WorkOrderID), optInt(r.AdvisorID),
		strconv.FormatFloat(r.IndexScore, 'f', 1, 64), strconv.FormatBool(r.TopBox), ts(r.SubmittedAt)}
}

var complaintHeader = []string{"id", "owner_id", "work_order_id", "source", "category", "severity", "status", "opened_at", "closed_at", "escalation_level"}

func complaintRow(c *ent.Complaint) []string {
	return []string{itoa(c.ID), itoa(c.OwnerID), optInt(c.WorkOrderID), string(c.Source), string(c.Category), string(c.Severity),
		string(c.Status), ts(c.CreatedAt), optTS(c.ClosedAt), itoa(c.EscalationLevel)}
}

func itoa(n int) string { return strconv.Itoa(n) }

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return itoa(*n)
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func optTS(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

func optDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func cny(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// safeCells defuses text a spreadsheet would run as a formula (a shop name
// typed as "=HYPERLINK(...)"), by OWASP's rule: prefix it with a quote.
func safeCells(r []string) []string {
	for i, c := range r {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			r[i] = "'" + c
		}
	}
	return r
}
