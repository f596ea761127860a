package rules

import "time"

// FirstServiceDue returns when the first service is due: plan.FirstMonths
// after delivery or when the projected odometer reaches plan.FirstKm more
// than at delivery, whichever comes first. ok is false when there is nothing
// to remind about: the first service is done, or the delivery date is
// unknown.
func FirstServiceDue(v Vehicle, cfg Config, now time.Time) (due time.Time, ok bool) {
	if v.FirstServiceDone || v.DeliveryDate.IsZero() {
		return time.Time{}, false
	}
	p := v.plan()
	return earliestDue(v, v.DeliveryDate, v.DeliveryKm, p.FirstMonths, p.FirstKm, cfg, now)
}

// PeriodicServiceDue returns when the next periodic service is due:
// plan.IntervalMonths after the last service or when the projected odometer
// reaches plan.IntervalKm more than at that service, whichever comes first.
// ok is false until the first service is done (FirstServiceDue covers that
// stretch) and when no starting point is known.
func PeriodicServiceDue(v Vehicle, cfg Config, now time.Time) (due time.Time, ok bool) {
	base, baseKm, ok := periodicBase(v)
	if !ok {
		return time.Time{}, false
	}
	p := v.plan()
	return earliestDue(v, base, baseKm, p.IntervalMonths, p.IntervalKm, cfg, now)
}

// periodicBase is the service the next periodic one counts from: the last
// service, or delivery when the first service was done without a recorded
// date (done elsewhere). It also names the service cycle, because it only
// changes when a service is done, while the projected due date moves with
// every new odometer reading.
func periodicBase(v Vehicle) (date time.Time, km int, ok bool) {
	if !v.FirstServiceDone {
		return time.Time{}, 0, false
	}
	if !v.LastServiceDate.IsZero() {
		return dateOf(v.LastServiceDate), v.LastServiceKm, true
	}
	if !v.DeliveryDate.IsZero() {
		return dateOf(v.DeliveryDate), v.DeliveryKm, true
	}
	return time.Time{}, 0, false
}

// earliestDue is "every months or km from base, whichever comes first". A
// zero months or km leaves that criterion out.
func earliestDue(v Vehicle, base time.Time, baseKm, months, km int, cfg Config, now time.Time) (time.Time, bool) {
	base = dateOf(base)
	var due time.Time
	if months > 0 {
		due = AddMonths(base, months)
	}
	if km > 0 {
		last, rate := v.odometer(now, cfg)
		if at := DateAtKm(baseKm+km, last, rate); !at.IsZero() {
			// Projecting backwards with a recent, slower rate can land
			// before the service itself; the km cannot be reached earlier.
			if at.Before(base) {
				at = base
			}
			due = earliest(due, at)
		}
	}
	return due, !due.IsZero()
}

// WarrantyEnds returns the last day of warranty cover: WarrantyEnd, or the
// projected day the odometer reaches WarrantyEndKm if that comes first. ok is
// false when the vehicle has no warranty on file.
func WarrantyEnds(v Vehicle, cfg Config, now time.Time) (time.Time, bool) {
	var end time.Time
	if !v.WarrantyEnd.IsZero() {
		end = dateOf(v.WarrantyEnd)
	}
	if v.WarrantyEndKm > 0 {
		last, rate := v.odometer(now, cfg)
		end = earliest(end, DateAtKm(v.WarrantyEndKm, last, rate))
	}
	return end, !end.IsZero()
}

// InWarranty reports whether the vehicle is covered on now's civil day in
// loc (nil means UTC), by date and by projected km.
func InWarranty(v Vehicle, cfg Config, now time.Time, loc *time.Location) bool {
	end, ok := WarrantyEnds(v, cfg, now)
	if loc == nil {
		loc = time.UTC
	}
	return ok && !dateOf(now.In(loc)).After(end)
}
