package kpi_test

import (
	"fmt"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/caretask"
	"aftercare/ent/complaint"
	"aftercare/ent/contactattempt"
	"aftercare/ent/reminder"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
	"aftercare/internal/apitest"
	"aftercare/internal/kpi"
	"aftercare/internal/seed"
	"aftercare/internal/testenv"
)

// month is the hand-built month: March 2026 in New York, a store west of
// UTC whose month also spans the change to summer time, so both the
// instant bounds (04:00/05:00 UTC) and the date bounds of due dates are
// tested.
const month = "2026-03"

// storeMonth is a store of its own (the demo stores have their own
// history) with a month in which every figure is known in advance.
type storeMonth struct {
	store, other *ent.Dealership
	rows         map[string]int // name -> id of the rows the lists must hold
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) time.Time { return at(s + "T00:00:00Z") }

// build writes the month. Comments give each row's part in the figures.
func build(t *testing.T, api *apitest.API) *storeMonth {
	ctx := apitest.SystemCtx()
	c := api.Client
	g := api.Demo.Group.ID
	m := &storeMonth{rows: map[string]int{}}
	m.store = c.Dealership.Create().SetDealerGroupID(g).SetName("KPI Store").SetCode("KPI-NY").SetTimeZone("America/New_York").SaveX(ctx)
	m.other = c.Dealership.Create().SetDealerGroupID(g).SetName("KPI Other").SetCode("KPI-OT").SaveX(ctx)
	S, O := m.store.ID, m.other.ID
	since := at("2025-01-10T12:00:00Z")

	n := 0
	newOwner := func(mod func(*ent.OwnerCreate)) *ent.Owner {
		n++
		oc := c.Owner.Create().SetDealerGroupID(g).SetHomeDealershipID(S).SetName(fmt.Sprintf("KPI owner %d", n)).
			SetPhone(fmt.Sprintf("+86135%08d", n)).SetCreatedAt(since)
		if mod != nil {
			mod(oc)
		}
		return oc.SaveX(ctx)
	}
	// Lapse base: 4 customers; a prospect, an erased owner and one who
	// joined after the month are not counted.
	owners := []*ent.Owner{newOwner(nil), newOwner(nil), newOwner(nil), newOwner(nil)}
	newOwner(func(oc *ent.OwnerCreate) { oc.SetProspect(true) })
	newOwner(func(oc *ent.OwnerCreate) { oc.SetErasedAt(at("2026-01-01T00:00:00Z")) })
	newOwner(func(oc *ent.OwnerCreate) { oc.SetCreatedAt(at("2026-05-01T00:00:00Z")) })
	oA, oB, oC := owners[0], owners[1], owners[2]

	vn := 0
	newVehicle := func(o *ent.Owner) *ent.Vehicle {
		vn++
		return c.Vehicle.Create().SetVin(seed.VIN("LKP", 700000+vn)).SetMake("VW").SetModel("Tiguan").SetModelYear(2025).
			SetFuelType(vehicle.FuelTypePetrol).SetDeliveryDate(day("2025-12-01")).SetOwnerID(o.ID).SaveX(ctx)
	}
	won := 0
	visit := func(store int, v *ent.Vehicle, opened string, mod func(*ent.WorkOrderCreate)) *ent.WorkOrder {
		won++
		wc := c.WorkOrder.Create().SetNumber(fmt.Sprintf("KPI-%d", won)).SetDealershipID(store).SetVehicleID(v.ID).
			SetOwnerID(*v.OwnerID).SetOdometerInKm(3000).SetOpenedAt(at(opened)).SetStatus(workorder.StatusDelivered)
		if mod != nil {
			mod(wc)
		}
		return wc.SaveX(ctx)
	}
	rn := 0
	remind := func(name string, store int, v *ent.Vehicle, o *ent.Owner, kind reminder.Kind, mod func(*ent.ReminderCreate)) {
		rn++
		rc := c.Reminder.Create().SetOwnerID(o.ID).SetDealershipID(store).SetKind(kind).SetCycle(fmt.Sprint(rn)).
			SetDedupeKey(fmt.Sprintf("kpi:%d", rn)).SetCategory(reminder.CategoryService).
			SetSendAt(at("2026-01-15T00:00:00Z")) // outside the month: not in reach
		if v != nil {
			rc.SetVehicleID(v.ID)
		}
		if mod != nil {
			mod(rc)
		}
		r := rc.SaveX(ctx)
		if name != "" {
			m.rows[name] = r.ID
		}
	}
	due := func(d string) func(*ent.ReminderCreate) {
		return func(rc *ent.ReminderCreate) { rc.SetDueDate(day(d)) }
	}

	// First service: 4 due in March, 2 done here.
	v1, v2, v3, v4, v5 := newVehicle(oA), newVehicle(oA), newVehicle(oB), newVehicle(oB), newVehicle(oC)
	remind("fs1", S, v1, oA, reminder.KindFirstService, due("2026-03-01"))
	visit(S, v1, "2026-02-15T10:00:00Z", nil) // early, within 30 days before the month: returned
	remind("fs2", S, v2, oA, reminder.KindFirstService, due("2026-03-31"))
	m.rows["visit-v2"] = visit(S, v2, "2026-04-01T03:00:00Z", nil).ID // 23:00 on 31 March in New York: returned, a March visit
	remind("fs3", S, v3, oB, reminder.KindFirstService, due("2026-03-15"))
	visit(O, v3, "2026-03-14T10:00:00Z", nil) // at another store: not returned
	remind("fs4", S, v4, oB, reminder.KindFirstService, due("2026-03-20"))
	visit(S, v4, "2026-03-19T10:00:00Z", func(wc *ent.WorkOrderCreate) { wc.SetStatus(workorder.StatusCancelled) })
	remind("", S, v5, oC, reminder.KindFirstService, due("2026-04-01")) // due in April
	remind("", S, v5, oC, reminder.KindFirstService, due("2026-02-28")) // due in February
	remind("", O, v3, oB, reminder.KindFirstService, due("2026-03-15")) // another store's
	else1 := c.CareTask.Create().SetOwnerID(oB.ID).SetDealershipID(S).SetChannel(caretask.ChannelPhone).SetKind(caretask.KindServiceCall).
		SetVehicleID(v3.ID).SetReason("first service call").SetDueAt(at("2026-03-10T00:00:00Z")).SetStatus(caretask.StatusDone).
		SetAnswerReason(caretask.AnswerReasonServicedElsewhere).SetElsewhereShop("=Quick Lube").SetElsewherePriceCents(38800).SaveX(ctx)
	m.rows["else1"] = else1.ID

	// Periodic service: 3 due, 1 done here.
	v6, v7, v8 := newVehicle(oA), newVehicle(oC), newVehicle(oA)
	remind("ps1", S, v6, oA, reminder.KindPeriodicService, due("2026-03-10"))
	visit(S, v6, "2026-04-02T12:00:00Z", nil) // after the month
	remind("ps2", S, v7, oC, reminder.KindPeriodicService, due("2026-03-10"))
	m.rows["visit-v7"] = visit(S, v7, "2026-03-09T15:00:00Z", nil).ID // returned
	remind("ps3", S, v8, oA, reminder.KindPeriodicService, due("2026-03-10"))
	visit(S, v8, "2026-01-01T10:00:00Z", nil) // too early to count

	// Appointments: 3 with a known outcome, 1 no-show; a booked visit.
	v9 := newVehicle(oA)
	an := 0
	book := func(starts string, status appointment.Status) *ent.Appointment {
		an++
		return c.Appointment.Create().SetReference(fmt.Sprintf("KPIAPPT%d", an)).SetDealershipID(S).
			SetOwnerID(oA.ID).SetVehicleID(v9.ID).SetServiceType(appointment.ServiceTypeRepair).SetStartsAt(at(starts)).
			SetEndsAt(at(starts).Add(time.Hour)).SetStatus(status).SetSource(appointment.SourceApp).SaveX(ctx)
	}
	a1 := book("2026-03-12T14:00:00Z", appointment.StatusCompleted)
	m.rows["a1"] = a1.ID
	m.rows["a2"] = book("2026-03-20T14:00:00Z", appointment.StatusNoShow).ID
	book("2026-03-21T14:00:00Z", appointment.StatusCancelled)
	book("2026-03-22T14:00:00Z", appointment.StatusConfirmed)
	m.rows["a5"] = book("2026-03-25T14:00:00Z", appointment.StatusCheckedIn).ID
	book("2026-04-02T14:00:00Z", appointment.StatusNoShow)
	m.rows["visit-v9"] = visit(S, v9, "2026-03-12T14:05:00Z", func(wc *ent.WorkOrderCreate) { wc.SetAppointmentID(a1.ID) }).ID

	// Lapse: 3 lapsing in March (2 local in warranty, 1 non-local out).
	lapse := func(o *ent.Owner, store int, mon string, class caretask.LapseClass) int {
		return c.CareTask.Create().SetOwnerID(o.ID).SetDealershipID(store).SetChannel(caretask.ChannelPhone).SetKind(caretask.KindLapse).
			SetLapseMonth(mon).SetLapseClass(class).SetDaysSinceVisit(120).SetReason("lapsing").SetDueAt(at("2026-03-05T00:00:00Z")).SaveX(ctx).ID
	}
	m.rows["lapse1"] = lapse(oA, S, month, caretask.LapseClassLocalInWarranty)
	m.rows["lapse2"] = lapse(oB, S, month, caretask.LapseClassLocalInWarranty)
	m.rows["lapse3"] = lapse(oC, S, month, caretask.LapseClassNonLocalOutOfWarranty)
	lapse(oA, S, "2026-02", caretask.LapseClassLocalInWarranty)
	lapse(oA, O, month, caretask.LapseClassLocalInWarranty)

	// Reach: 2 service/safety reminders due out in March, 1 sent.
	remind("reach1", S, v1, oA, reminder.KindWarrantyExpiry, func(rc *ent.ReminderCreate) {
		rc.SetSendAt(at("2026-03-05T02:00:00Z")).SetSentAt(at("2026-03-05T02:00:10Z")).SetStatus(reminder.StatusSent)
	})
	remind("reach2", S, v2, oA, reminder.KindInspection, func(rc *ent.ReminderCreate) {
		rc.SetCategory(reminder.CategorySafety).SetSendAt(at("2026-03-06T02:00:00Z")).SetStatus(reminder.StatusFailed)
	})
	remind("", S, v2, oA, reminder.KindInsuranceExpiry, func(rc *ent.ReminderCreate) {
		rc.SetSendAt(at("2026-03-07T02:00:00Z")).SetStatus(reminder.StatusCancelled)
	})
	remind("", S, nil, oA, reminder.KindBirthday, func(rc *ent.ReminderCreate) {
		rc.SetCategory(reminder.CategoryMarketing).SetSendAt(at("2026-03-08T02:00:00Z")).SetSentAt(at("2026-03-08T02:00:00Z"))
	})

	// Win-back: 2 offers in March; oB came back after theirs, oC only before.
	winback := func(name string, o *ent.Owner, sent string) {
		remind(name, S, nil, o, reminder.KindWinback, func(rc *ent.ReminderCreate) {
			rc.SetCategory(reminder.CategoryMarketing).SetSendAt(at(sent)).SetSentAt(at(sent)).SetStatus(reminder.StatusSent)
		})
	}
	winback("wb1", oB, "2026-03-03T01:00:00Z")
	winback("wb2", oC, "2026-03-25T01:00:00Z")
	winback("", oA, "2026-02-20T01:00:00Z")
	v10 := newVehicle(oB)
	m.rows["visit-v10"] = visit(S, v10, "2026-03-20T10:00:00Z", nil).ID // oB is back
	m.rows["visit-v5"] = visit(S, v5, "2026-03-10T10:00:00Z", nil).ID   // oC, before the offer

	// Calls: 2 phone tasks called in March, 1 reached.
	call := func(ch caretask.Channel, attempts map[string]contactattempt.Outcome) int {
		tk := c.CareTask.Create().SetOwnerID(oA.ID).SetDealershipID(S).SetChannel(ch).SetKind(caretask.KindUnansweredReminders).
			SetReason("two unanswered reminders").SetDueAt(at("2026-02-25T00:00:00Z")).SaveX(ctx)
		for when, out := range attempts {
			c.ContactAttempt.Create().SetCareTaskID(tk.ID).SetAt(at(when)).SetOutcome(out).ExecX(ctx)
		}
		return tk.ID
	}
	m.rows["call1"] = call(caretask.ChannelPhone, map[string]contactattempt.Outcome{
		"2026-03-02T02:00:00Z": contactattempt.OutcomeNoAnswer, "2026-03-03T07:00:00Z": contactattempt.OutcomeReached})
	m.rows["call2"] = call(caretask.ChannelPhone, map[string]contactattempt.Outcome{"2026-03-04T02:00:00Z": contactattempt.OutcomeBusy})
	call(caretask.ChannelPhone, map[string]contactattempt.Outcome{"2026-02-27T02:00:00Z": contactattempt.OutcomeReached})
	call(caretask.ChannelSms, map[string]contactattempt.Outcome{"2026-03-04T02:00:00Z": contactattempt.OutcomeSent})

	// Surveys: 3 answers in March, 2 very satisfied.
	tpl := c.SurveyTemplate.Query().FirstX(ctx)
	answer := func(score float64, submitted string) int {
		return c.SurveyResponse.Create().SetTemplateID(tpl.ID).SetOwnerID(oA.ID).SetDealershipID(S).SetIndexScore(score).SetAnswers([]schematype.SurveyAnswer{}).
			SetTopBox(score >= 80).SetSubmittedAt(at(submitted)).SaveX(ctx).ID
	}
	m.rows["sr1"] = answer(90, "2026-03-03T12:00:00Z")
	m.rows["sr2"] = answer(70, "2026-03-04T12:00:00Z")
	m.rows["sr3"] = answer(95, "2026-03-31T12:00:00Z")
	answer(100, "2026-04-01T12:00:00Z")

	// Complaints: 3 opened in March; 1 closed within 24 h (23 h 59 m),
	// 1 closed after 24 h 1 m, 1 still open.
	complain := func(opened string, closed time.Duration) int {
		cc := c.Complaint.Create().SetDealershipID(S).SetOwnerID(oA.ID).SetSource(complaint.SourcePhone).
			SetCategory(complaint.CategoryWaitingTime).SetSeverity(complaint.SeverityMedium).SetDescription("waited too long").
			SetDueAt(at(opened).Add(24 * time.Hour)).SetCreatedAt(at(opened))
		if closed > 0 {
			cc.SetStatus(complaint.StatusClosed).SetClosedAt(at(opened).Add(closed))
		}
		return cc.SaveX(ctx).ID
	}
	m.rows["k1"] = complain("2026-03-02T10:00:00Z", 23*time.Hour+59*time.Minute)
	m.rows["k2"] = complain("2026-03-05T10:00:00Z", 24*time.Hour+time.Minute)
	m.rows["k3"] = complain("2026-03-10T10:00:00Z", 0)
	complain("2026-02-27T10:00:00Z", time.Hour)
	return m
}

func rate(num, den int, numList, denList kpi.List) kpi.Rate {
	return kpi.Rate{Numerator: num, Denominator: den, NumeratorList: numList, DenominatorList: denList}
}

// wantMarch is the month's report, worked out by hand from build.
func wantMarch() kpi.Report {
	return kpi.Report{
		FirstServiceReturn:    rate(2, 4, kpi.FirstServiceReturned, kpi.FirstServiceDue),
		FirstServiceElsewhere: 1,
		PeriodicServiceReturn: rate(1, 3, kpi.PeriodicServiceReturned, kpi.PeriodicServiceDue),
		// March visits at the store: v2 (31 March, local), v7, v9 (booked), v10, v5.
		AppointmentRate: rate(1, 5, kpi.BookedVisits, kpi.Visits),
		NoShowRate:      rate(1, 3, kpi.NoShows, kpi.Appointments),
		LapseRate:       rate(3, 4, kpi.Lapsing, kpi.LapseBase),
		LapseClasses: []kpi.LapseClass{
			{Class: "local_in_warranty", Rate: rate(2, 4, kpi.LapsingLocalInWarranty, kpi.LapseBase)},
			{Class: "local_out_of_warranty", Rate: rate(0, 4, kpi.LapsingLocalOut, kpi.LapseBase)},
			{Class: "non_local_in_warranty", Rate: rate(0, 4, kpi.LapsingNonLocalIn, kpi.LapseBase)},
			{Class: "non_local_out_of_warranty", Rate: rate(1, 4, kpi.LapsingNonLocalOut, kpi.LapseBase)},
		},
		ReminderReach:          rate(1, 2, kpi.RemindersSent, kpi.RemindersDue),
		CallSuccess:            rate(1, 2, kpi.CallsReached, kpi.Calls),
		WinBackRate:            rate(1, 2, kpi.WonBack, kpi.WinbackOffers),
		TopBoxShare:            rate(2, 3, kpi.TopBoxResponses, kpi.SurveyResponses),
		ComplaintLoop:          kpi.ComplaintLoopCounts{Opened: 3, ClosedWithin24h: 1, Overdue: 2},
		ComplaintsClosedOnTime: rate(1, 3, kpi.ComplaintsClosedInTime, kpi.ComplaintsOpened),
	}
}

// Every KPI of the hand-built month has the value worked out in advance,
// on SQLite and on PostgreSQL.
func TestHandBuiltMonth(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			api := apitest.Start(t, d, apitest.Options{Owners: 2})
			m := build(t, api)
			s, err := kpi.NewScope(m.store, month, at("2026-12-01T00:00:00Z"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := kpi.Compute(apitest.SystemCtx(), api.Client, s)
			if err != nil {
				t.Fatal(err)
			}
			want := wantMarch()
			want.Scope = s
			if diff := compare(*got, want); diff != "" {
				t.Error(diff)
			}
			if !s.From.Equal(at("2026-03-01T05:00:00Z")) || !s.To.Equal(at("2026-04-01T04:00:00Z")) {
				t.Errorf("March in New York is %v to %v", s.From, s.To)
			}
		})
	}
}

// compare lists the figures that differ, by name.
func compare(got, want kpi.Report) string {
	g, w := figures(got), figures(want)
	out := ""
	for k, v := range w {
		if g[k] != v {
			out += fmt.Sprintf("%s = %v, want %v\n", k, g[k], v)
		}
	}
	return out
}

func figures(r kpi.Report) map[string]string {
	f := map[string]string{
		"firstServiceReturn": fmt.Sprint(r.FirstServiceReturn), "firstServiceElsewhere": fmt.Sprint(r.FirstServiceElsewhere),
		"periodicServiceReturn": fmt.Sprint(r.PeriodicServiceReturn), "appointmentRate": fmt.Sprint(r.AppointmentRate),
		"noShowRate": fmt.Sprint(r.NoShowRate), "lapseRate": fmt.Sprint(r.LapseRate), "reminderReach": fmt.Sprint(r.ReminderReach),
		"callSuccess": fmt.Sprint(r.CallSuccess), "winBackRate": fmt.Sprint(r.WinBackRate), "topBoxShare": fmt.Sprint(r.TopBoxShare),
		"complaintLoop": fmt.Sprint(r.ComplaintLoop), "complaintsClosedOnTime": fmt.Sprint(r.ComplaintsClosedOnTime),
	}
	for _, c := range r.LapseClasses {
		f["lapse "+c.Class] = fmt.Sprint(c.Rate)
	}
	return f
}

// A rate with nothing counted is null, not 0 or NaN.
func TestRateWithoutDenominator(t *testing.T) {
	tests := []struct {
		num, den int
		want     *float64
	}{
		{0, 0, nil},
		{1, 4, ptr(0.25)},
		{3, 3, ptr(1)},
	}
	for _, tt := range tests {
		got := kpi.Rate{Numerator: tt.num, Denominator: tt.den}.Rate()
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("%d/%d = %v, want %v", tt.num, tt.den, got, tt.want)
		}
	}
}

func ptr(f float64) *float64 { return &f }

// A month is YYYY-MM and has begun.
func TestScopeMonth(t *testing.T) {
	st := &ent.Dealership{ID: 1, TimeZone: "Asia/Shanghai"}
	now := at("2026-12-01T00:00:00Z")
	for _, bad := range []string{"", "2026-13", "2026-3", "March", "2026-12-01", "2027-01"} {
		if _, err := kpi.NewScope(st, bad, now); err == nil {
			t.Errorf("month %q was accepted", bad)
		}
	}
	s, err := kpi.NewScope(st, "2026-11", now)
	if err != nil {
		t.Fatal(err)
	}
	if !s.From.Equal(at("2026-10-31T16:00:00Z")) || !s.DayFrom.Equal(day("2026-11-01")) || !s.DayTo.Equal(day("2026-12-01")) {
		t.Errorf("November in Shanghai: %+v", s)
	}
}
