package notify

import "time"

// This file holds pure policy functions the scheduler consults before
// sending (DOMAIN.md: respect quiet hours, the owner's time zone, consent,
// and cap how often one owner is contacted).

const day = 24 * time.Hour

// QuietHours is a daily window, in the owner's local wall-clock time, during
// which no contact is made. Start and End are offsets from local midnight
// read as wall-clock times of day (21h means 21:00 on the owner's clock, also
// on DST days). The window may cross midnight (Start > End).
//
// The zero value means DefaultQuietHours (21:00-09:00). Start == End (other
// than both zero) means no quiet hours. Offsets are taken modulo 24h.
type QuietHours struct {
	Start, End time.Duration
}

// DefaultQuietHours is 21:00 to 09:00 local time.
var DefaultQuietHours = QuietHours{Start: 21 * time.Hour, End: 9 * time.Hour}

// NextAllowed returns now if now is outside quiet hours in loc, else the
// instant the current quiet period ends (in loc). A nil loc means
// now.Location().
//
// DST: a wall-clock boundary that does not exist that day (spring-forward
// gap) resolves to the instant the clocks jump; one that occurs twice
// (fall-back) resolves to its first occurrence.
func (q QuietHours) NextAllowed(now time.Time, loc *time.Location) time.Time {
	if q.Start == 0 && q.End == 0 {
		q = DefaultQuietHours
	}
	start, end := mod24(q.Start), mod24(q.End)
	if start == end {
		return now
	}
	if loc == nil {
		loc = now.Location()
	}
	local := now.In(loc)
	y, m, d := local.Date()

	// Only a window starting yesterday or today can contain now.
	for _, sd := range []int{d - 1, d} {
		from := wallInstant(y, m, sd, start, loc)
		ed := sd
		if start > end {
			ed++ // crosses midnight
		}
		until := wallInstant(y, m, ed, end, loc)
		if !now.Before(from) && now.Before(until) {
			return until.In(loc)
		}
	}
	return now
}

func mod24(d time.Duration) time.Duration {
	d %= day
	if d < 0 {
		d += day
	}
	return d
}

// wallInstant returns the earliest instant at which the wall clock in loc
// reads at least the given date and time of day. time.Date alone is not
// enough: for nonexistent or ambiguous wall times its choice is unspecified
// (and does differ between zones in practice).
func wallInstant(y int, m time.Month, d int, tod time.Duration, loc *time.Location) time.Time {
	h := int(tod / time.Hour)
	mi := int(tod % time.Hour / time.Minute)
	s := int(tod % time.Minute / time.Second)
	ns := int(tod % time.Second)
	naive := time.Date(y, m, d, h, mi, s, ns, time.UTC) // wall clock read as if UTC

	// Candidate UTC offsets: those in effect around the target. Zone offsets
	// are within +-14h, so probing +-1 day brackets any single transition.
	var offs []int
	for _, probe := range []time.Duration{-day, 0, day} {
		_, off := naive.Add(probe).In(loc).Zone()
		if !containsInt(offs, off) {
			offs = append(offs, off)
		}
	}
	var best time.Time
	for _, off := range offs {
		t := naive.Add(-time.Duration(off) * time.Second)
		if _, actual := t.In(loc).Zone(); actual == off && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if !best.IsZero() {
		return best.In(loc)
	}
	// The wall time falls in a gap: answer the moment the clocks jumped,
	// i.e. the start of the zone period in effect just after the gap.
	_, offBefore := naive.Add(-day).In(loc).Zone()
	inGap := naive.Add(-time.Duration(offBefore) * time.Second).In(loc)
	zoneStart, _ := inGap.ZoneBounds()
	if zoneStart.IsZero() { // no transition data; fall back to the stdlib's choice
		return time.Date(y, m, d, h, mi, s, ns, loc)
	}
	return zoneStart.In(loc)
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Consent is what the owner agreed to.
type Consent struct {
	// Marketing is the explicit opt-in to marketing messages.
	Marketing bool
	// ServiceOptOut means the owner asked not to get service reminders.
	ServiceOptOut bool
}

// Allowed reports whether a message of category cat may be sent: safety
// always; service unless the owner opted out; marketing only with opt-in.
// Unknown categories are not allowed.
func Allowed(cat Category, c Consent) bool {
	switch cat {
	case CategorySafety:
		return true
	case CategoryService:
		return !c.ServiceOptOut
	case CategoryMarketing:
		return c.Marketing
	}
	return false
}

// Cap limits contacts to Max per sliding window Per. Max <= 0 or Per <= 0
// means no cap.
type Cap struct {
	Max int
	Per time.Duration
}

// UnderCap reports whether one more contact at now stays within the cap,
// given the times of earlier contacts (any order). Contacts in (now-Per,
// now] count; future timestamps (clock skew) count too, to stay conservative.
// Safety messages are exempt: use UnderCapFor or skip the check for them.
func UnderCap(sentTimes []time.Time, now time.Time, limit Cap) bool {
	if limit.Max <= 0 || limit.Per <= 0 {
		return true
	}
	windowStart := now.Add(-limit.Per)
	n := 0
	for _, t := range sentTimes {
		if t.After(windowStart) {
			n++
			if n >= limit.Max {
				return false
			}
		}
	}
	return true
}

// UnderCapFor is UnderCap with the safety exemption applied.
func UnderCapFor(cat Category, sentTimes []time.Time, now time.Time, limit Cap) bool {
	return cat == CategorySafety || UnderCap(sentTimes, now, limit)
}
