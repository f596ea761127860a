package rules

import "time"

// Kind names a reminder.
type Kind string

const (
	KindFirstService    Kind = "first_service"
	KindPeriodicService Kind = "periodic_service"
	KindServiceCall     Kind = "service_call" // a personal call task for care staff
	KindWarrantyExpiry  Kind = "warranty_expiry"
	KindInsuranceExpiry Kind = "insurance_expiry"
	KindInspection      Kind = "inspection"
	KindBirthday        Kind = "birthday"
	KindWinBack         Kind = "winback"
	KindSpringCampaign  Kind = "spring_campaign"
	KindAutumnCampaign  Kind = "autumn_campaign"
)

// Category decides consent: marketing needs the owner's opt-in, service and
// safety messages do not.
type Category string

const (
	CategoryService   Category = "service"
	CategorySafety    Category = "safety"
	CategoryMarketing Category = "marketing"
)

// Category of the kind. Insurance and inspection are safety: driving
// without either is unlawful, so they must reach owners who refused
// marketing. Warranty expiry is service information about the car.
func (k Kind) Category() Category {
	switch k {
	case KindBirthday, KindWinBack, KindSpringCampaign, KindAutumnCampaign:
		return CategoryMarketing
	case KindInsuranceExpiry, KindInspection:
		return CategorySafety
	default:
		return CategoryService
	}
}

// SubjectType says what Reminder.Subject identifies.
type SubjectType string

const (
	SubjectVehicle SubjectType = "vehicle"
	SubjectOwner   SubjectType = "owner"
)

// SubjectType of the kind: birthday and win-back concern the owner (one
// greeting however many cars they have), the rest a vehicle.
func (k Kind) SubjectType() SubjectType {
	switch k {
	case KindBirthday, KindWinBack:
		return SubjectOwner
	default:
		return SubjectVehicle
	}
}

// Reminder is one reminder that should exist now. The scheduler enqueues at
// most one send per (SubjectType, Subject, Kind, Cycle).
type Reminder struct {
	Kind        Kind
	SubjectType SubjectType
	Subject     int // vehicle or owner id, per SubjectType
	// Cycle is a stable business key: the same reminder computed on another
	// day has the same Cycle. It is built from facts that change only when
	// a new cycle begins (the last service date, a contract's end date, the
	// year), never from a projected date.
	Cycle    string
	DueAt    time.Time // the date the reminder is about (UTC midnight)
	SendAt   time.Time // window start, or now if the window is already open
	Expires  time.Time // do not send from this instant on; zero means no deadline
	Category Category

	// offerDays, for a win-back offer, makes DueAt the offer's last valid
	// day counted from the day it is sent.
	offerDays int
}

func newReminder(k Kind, subject int, cycle string, due time.Time) Reminder {
	return Reminder{
		Kind:        k,
		SubjectType: k.SubjectType(),
		Subject:     subject,
		Cycle:       cycle,
		DueAt:       due,
		Category:    k.Category(),
	}
}

// window is when a reminder exists and may be sent.
type window struct {
	from  time.Time // the reminder exists from this instant
	open  time.Time // and may be sent from this one (>= from)
	until time.Time // exclusive end; zero means open-ended
}

// dateWindow spans the store's civil days start..end inclusive (end zero:
// no end). The reminder exists from the first day's midnight, so a
// scheduler running early in the day can queue it, and is sent from the
// store's opening time.
func dateWindow(s Store, start, end time.Time) window {
	w := window{
		from: localMidnight(start, s.loc()),
		open: atOpening(start, s.loc(), s.Opening),
	}
	if !end.IsZero() {
		w.until = localMidnight(end.AddDate(0, 0, 1), s.loc())
	}
	return w
}

// remind fills r's send times if now falls within the window.
func (w window) remind(now time.Time, r Reminder) (Reminder, bool) {
	if now.Before(w.from) || (!w.until.IsZero() && !now.Before(w.until)) {
		return Reminder{}, false
	}
	r.SendAt = w.open
	if now.After(w.open) {
		r.SendAt = now
	}
	r.Expires = w.until
	if r.offerDays > 0 {
		r.DueAt = dateOf(r.SendAt.In(w.open.Location())).AddDate(0, 0, r.offerDays)
	}
	return r, true
}
