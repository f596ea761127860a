package rules

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// birthdayLookahead: the birthday window is only two hours long, so the
// greeting is returned from a day before its send time. A scheduler that
// runs at least once a day, at any hour, then always queues it in time.
const birthdayLookahead = 24 * time.Hour

// Due returns every reminder that should exist at now for this vehicle and
// its owner, ordered by SendAt then Kind. Call it for each of an owner's
// vehicles: owner-level reminders (birthday, win-back) come out identical
// each time and are deduplicated by their key.
func Due(v Vehicle, o Owner, store Store, cfg Config, now time.Time) []Reminder {
	var out []Reminder
	for _, oc := range occurrences(v, o, store, cfg, now) {
		if r, ok := oc.w.remind(now, oc.r); ok {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Reminder) int {
		if c := a.SendAt.Compare(b.SendAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Kind, b.Kind)
	})
	return out
}

// MaxCheckInterval bounds NextCheck: projections move as the calendar
// turns (the odometer rate is measured over a sliding window), so every
// vehicle is looked at again at least this often.
const MaxCheckInterval = 30 * 24 * time.Hour

// NextCheck returns when the care calendar of this vehicle must next be
// looked at: the earliest moment after now at which a reminder's window
// opens, and no later than now + MaxCheckInterval. A scheduler that calls
// Due at each NextCheck (and again whenever the facts change) misses no
// reminder, without looking at every vehicle every day.
func NextCheck(v Vehicle, o Owner, store Store, cfg Config, now time.Time) time.Time {
	next := now.Add(MaxCheckInterval)
	for _, oc := range occurrences(v, o, store, cfg, now) {
		if oc.w.from.After(now) && oc.w.from.Before(next) {
			next = oc.w.from
		}
	}
	return next
}

// occurrence is a reminder with its window, whether or not now falls in it.
type occurrence struct {
	r Reminder
	w window
}

// occurrences lists the current or next occurrence of every reminder kind.
func occurrences(v Vehicle, o Owner, store Store, cfg Config, now time.Time) []occurrence {
	v = v.withProjection(now, cfg)
	out := make([]occurrence, 0, 10)
	add := func(oc occurrence, ok bool) {
		if ok {
			out = append(out, oc)
		}
	}
	add(firstServiceReminder(v, store, cfg, now))
	add(periodicReminder(v, store, cfg, now))
	add(serviceCallReminder(v, store, cfg, now))
	add(warrantyReminder(v, store, cfg, now))
	add(dateReminder(KindInsuranceExpiry, v.ID, v.InsuranceExpiry, cfg.InsuranceLeadMonths, store))
	add(dateReminder(KindInspection, v.ID, v.NextInspection, cfg.InspectionLeadMonths, store))
	add(birthdayReminder(o, store, cfg, now))
	add(winBackReminder(o, v, store, cfg))
	add(campaignReminder(KindSpringCampaign, cfg.SpringCampaignMonth, v, store, now))
	add(campaignReminder(KindAutumnCampaign, cfg.AutumnCampaignMonth, v, store, now))
	return out
}

// firstServiceReminder: DOMAIN.md reminds new owners in the window 2-3
// months after delivery. A car driven hard reaches 3,000 km sooner, so the
// window opens on the projected due date when that comes first; it still
// closes 3 months after delivery, after which the lapse rules take over.
func firstServiceReminder(v Vehicle, store Store, cfg Config, now time.Time) (occurrence, bool) {
	due, ok := FirstServiceDue(v, cfg, now)
	if !ok {
		return occurrence{}, false
	}
	delivery := dateOf(v.DeliveryDate)
	start := earliest(AddMonths(delivery, cfg.FirstServiceFromMonths), due)
	end := AddMonths(delivery, cfg.FirstServiceToMonths)
	r := newReminder(KindFirstService, v.ID, "first_service", due)
	return occurrence{r, dateWindow(store, start, end)}, true
}

// periodicReminder starts PeriodicLeadWorkingDays before the due date and
// stays until a service is recorded (which starts the next cycle): an
// overdue service is still worth a reminder.
func periodicReminder(v Vehicle, store Store, cfg Config, now time.Time) (occurrence, bool) {
	due, ok := PeriodicServiceDue(v, cfg, now)
	if !ok {
		return occurrence{}, false
	}
	base, _, _ := periodicBase(v)
	start := AddWorkingDays(due, -cfg.PeriodicLeadWorkingDays, store)
	r := newReminder(KindPeriodicService, v.ID, "periodic:"+base.Format(civilLayout), due)
	return occurrence{r, dateWindow(store, start, time.Time{})}, true
}

// serviceCallReminder is the personal call a week before the periodic
// service is due, moved back to a working day because staff make it.
func serviceCallReminder(v Vehicle, store Store, cfg Config, now time.Time) (occurrence, bool) {
	due, ok := PeriodicServiceDue(v, cfg, now)
	if !ok {
		return occurrence{}, false
	}
	base, _, _ := periodicBase(v)
	start := workingDayOnOrBefore(due.AddDate(0, 0, -cfg.ServiceCallLeadDays), store)
	r := newReminder(KindServiceCall, v.ID, "service_call:"+base.Format(civilLayout), due)
	return occurrence{r, dateWindow(store, start, time.Time{})}, true
}

// warrantyReminder runs up to the last covered day, by date or projected
// km. Its cycle is the contract (end date and km), so buying an extension
// starts a new one while a moving km projection does not.
func warrantyReminder(v Vehicle, store Store, cfg Config, now time.Time) (occurrence, bool) {
	end, ok := WarrantyEnds(v, cfg, now)
	if !ok {
		return occurrence{}, false
	}
	cycle := fmt.Sprintf("warranty:%s:%dkm", civil(v.WarrantyEnd), v.WarrantyEndKm)
	r := newReminder(KindWarrantyExpiry, v.ID, cycle, end)
	return occurrence{r, dateWindow(store, AddMonths(end, -cfg.WarrantyLeadMonths), end)}, true
}

// dateReminder covers a fixed date reminded leadMonths ahead, up to and
// including the date itself (insurance, inspection). A renewal changes the
// date and so the cycle.
func dateReminder(k Kind, vehicleID int, date time.Time, leadMonths int, store Store) (occurrence, bool) {
	if date.IsZero() {
		return occurrence{}, false
	}
	due := dateOf(date)
	r := newReminder(k, vehicleID, fmt.Sprintf("%s:%s", k, civil(due)), due)
	return occurrence{r, dateWindow(store, AddMonths(due, -leadMonths), due)}, true
}

// birthdayReminder greets the owner on their birthday in their own zone, at
// the store's opening time there, and no later than cfg.BirthdayDeadline
// after it; past the deadline the greeting is dropped rather than sent late.
// A 29 February birthday is greeted on 28 February in other years.
func birthdayReminder(o Owner, store Store, cfg Config, now time.Time) (occurrence, bool) {
	if o.Birthday.IsZero() {
		return occurrence{}, false
	}
	loc := o.Location
	if loc == nil {
		loc = store.loc()
	}
	year := now.In(loc).Year()
	// This year's greeting unless its window has closed, else next year's
	// (on 31 December the lookahead already reaches 1 January).
	for _, y := range []int{year, year + 1} {
		day := birthdayIn(o.Birthday, y)
		open := atOpening(day, loc, store.Opening)
		w := window{from: open.Add(-birthdayLookahead), open: open, until: open.Add(cfg.BirthdayDeadline)}
		if now.Before(w.until) {
			return occurrence{newReminder(KindBirthday, o.ID, fmt.Sprintf("birthday:%d", y), day), w}, true
		}
	}
	return occurrence{}, false
}

// birthdayIn is the date of the birthday in year y.
func birthdayIn(birthday time.Time, y int) time.Time {
	_, m, d := birthday.Date()
	return time.Date(y, m, min(d, daysIn(y, m)), 0, 0, 0, 0, time.UTC)
}

// winBackReminder: after WinBackAfterMonths with no visit and unanswered
// reminders, an offer valid WinBackOfferDays goes out, once per absence
// (the cycle is the last visit). It is not sent once the owner is past the
// lapse range: a customer gone that long is lost, not lapsing. DueAt is the
// offer's last valid day, counted from the day it is sent.
func winBackReminder(o Owner, v Vehicle, store Store, cfg Config) (occurrence, bool) {
	last := lastVisit(o, v)
	if last.IsZero() || o.RemindersUnanswered < cfg.WinBackMinUnanswered {
		return occurrence{}, false
	}
	start := AddMonths(last, cfg.WinBackAfterMonths)
	end := last.AddDate(0, 0, cfg.LapseMaxDays)
	r := newReminder(KindWinBack, o.ID, "winback:"+civil(last), time.Time{})
	r.offerDays = cfg.WinBackOfferDays
	return occurrence{r, dateWindow(store, start, end)}, true
}

// campaignReminder invites the vehicle to the seasonal health check during
// the campaign month; DueAt is the month's last day. A car delivered during
// or after the campaign month's start is skipped: it has just been checked.
func campaignReminder(k Kind, month time.Month, v Vehicle, store Store, now time.Time) (occurrence, bool) {
	if month == 0 {
		return occurrence{}, false
	}
	today := store.today(now)
	year := today.Year()
	if today.Month() > month {
		year++ // this year's campaign is over: the next one
	}
	start := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	end := AddMonths(start, 1).AddDate(0, 0, -1)
	if !v.DeliveryDate.IsZero() && !dateOf(v.DeliveryDate).Before(start) {
		return occurrence{}, false
	}
	r := newReminder(k, v.ID, fmt.Sprintf("%s:%d", k, year), end)
	return occurrence{r, dateWindow(store, start, end)}, true
}

// lastVisit is the latest known contact at the store: the owner's last
// visit, the vehicle's last service or its delivery.
func lastVisit(o Owner, v Vehicle) time.Time {
	var last time.Time
	for _, t := range []time.Time{o.LastVisit, v.LastServiceDate, v.DeliveryDate} {
		if !t.IsZero() && dateOf(t).After(last) {
			last = dateOf(t)
		}
	}
	return last
}

// civil formats a date as "2006-01-02", or "none" for the zero date.
func civil(d time.Time) string {
	if d.IsZero() {
		return "none"
	}
	return d.Format(civilLayout)
}
