package rules

import (
	"strings"
	"time"
)

// LapseClass is one of the six monthly lapse classes of DOMAIN.md.
type LapseClass string

const (
	LapseLocalInWarranty       LapseClass = "local_in_warranty"
	LapseLocalOutOfWarranty    LapseClass = "local_out_of_warranty"
	LapseNonLocalInWarranty    LapseClass = "non_local_in_warranty"
	LapseNonLocalOutOfWarranty LapseClass = "non_local_out_of_warranty"
)

// Lapse describes a lapsing owner-vehicle pair.
type Lapse struct {
	Class          LapseClass
	Local          bool
	InWarranty     bool
	LastVisit      time.Time // date
	DaysSinceVisit int
}

// ClassifyLapse reports whether the owner is lapsing (no visit for
// cfg.LapseMinDays..cfg.LapseMaxDays days, both inclusive, counted in the
// owner's zone) and classifies them local/non-local x in/out of warranty.
//
// The last visit is the latest of the owner's last visit, the vehicle's last
// service and its delivery. Local means the owner's region is the store's
// home region (case and surrounding spaces ignored); when either region is
// unknown the owner counts as local, since nothing says they moved away.
// Warranty is judged by date and by projected km (see InWarranty).
func ClassifyLapse(o Owner, v Vehicle, homeRegion, ownerRegion string, now time.Time, cfg Config) (Lapse, bool) {
	last := lastVisit(o, v)
	if last.IsZero() {
		return Lapse{}, false
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	days := daysBetween(last, now.In(loc))
	if days < cfg.LapseMinDays || days > cfg.LapseMaxDays {
		return Lapse{}, false
	}
	home, own := strings.TrimSpace(homeRegion), strings.TrimSpace(ownerRegion)
	l := Lapse{
		Local:          home == "" || own == "" || strings.EqualFold(home, own),
		InWarranty:     InWarranty(v, cfg, now, loc),
		LastVisit:      last,
		DaysSinceVisit: days,
	}
	switch {
	case l.Local && l.InWarranty:
		l.Class = LapseLocalInWarranty
	case l.Local:
		l.Class = LapseLocalOutOfWarranty
	case l.InWarranty:
		l.Class = LapseNonLocalInWarranty
	default:
		l.Class = LapseNonLocalOutOfWarranty
	}
	return l, true
}

// NeedsPersonalCall reports whether an owner with this many consecutive
// unanswered reminders should be called one to one by a care specialist.
func NeedsPersonalCall(unanswered int, cfg Config) bool {
	return cfg.EscalateAfterUnanswered > 0 && unanswered >= cfg.EscalateAfterUnanswered
}
