// Package care runs the care department's call list: contacts owed to
// owners whom a push could not reach. It follows the escalation ladder of
// DOMAIN.md: up to 3 calls within 3 days at 3 different times of day, then
// an SMS (or e-mail), then the attempt is recorded as failed with its
// reason. A wrong or dead number is flagged for correction, never retried.
package care

import (
	"time"
)

// Outcome of one contact attempt.
type Outcome string

// Outcomes.
const (
	Reached     Outcome = "reached"
	NoAnswer    Outcome = "no_answer"
	Busy        Outcome = "busy"
	WrongNumber Outcome = "wrong_number"
	Sent        Outcome = "sent"    // an SMS or e-mail went out
	Bounced     Outcome = "bounced" // it could not be delivered
)

// The ladder's numbers (DOMAIN.md, "Channels and the escalation ladder").
const (
	maxCalls   = 3
	callWindow = 3 * 24 * time.Hour
)

// callTimes are the three times of day calls rotate through, so that an
// owner who never answers at one time is tried at another.
var callTimes = []time.Duration{10 * time.Hour, 15 * time.Hour, 19 * time.Hour}

// Step is what follows an attempt.
type Step struct {
	Done   bool      // the task is finished
	Failed string    // the task failed, with this reason
	NextAt time.Time // call again then (when neither Done nor Failed)
	// Then is the channel of the task that takes over (sms, email), if any.
	Then string
	// FlagNumber asks to mark the owner's phone number for correction.
	FlagNumber bool
}

// AfterCall decides what follows a phone attempt. earlier are the times of
// the task's previous calls; now is this call; hasEmail says whether the
// owner can be e-mailed when the number is wrong.
func AfterCall(earlier []time.Time, outcome Outcome, now time.Time, loc *time.Location, hasEmail bool) Step {
	switch outcome {
	case Reached:
		return Step{Done: true}
	case WrongNumber:
		s := Step{Failed: "wrong or dead number", FlagNumber: true}
		if hasEmail {
			s.Then = "email"
		}
		return s
	}
	calls := append(append([]time.Time(nil), earlier...), now)
	first := calls[0]
	next := nextCallTime(calls, now, loc)
	if len(calls) >= maxCalls || next.Sub(first) > callWindow {
		return Step{Failed: "not reached after 3 calls in 3 days", Then: "sms"}
	}
	return Step{NextAt: next}
}

// AfterMessage decides what follows an SMS or e-mail attempt.
func AfterMessage(outcome Outcome) Step {
	if outcome == Sent {
		return Step{Done: true}
	}
	return Step{Failed: "the message could not be delivered"}
}

// nextCallTime is the earliest rotation time after now (local) whose time
// of day no earlier call used.
func nextCallTime(calls []time.Time, now time.Time, loc *time.Location) time.Time {
	used := map[time.Duration]bool{}
	for _, c := range calls {
		used[slotOf(c.In(loc))] = true
	}
	local := now.In(loc)
	for day := 0; day < 4; day++ {
		d := time.Date(local.Year(), local.Month(), local.Day()+day, 0, 0, 0, 0, loc)
		for _, t := range callTimes {
			at := d.Add(t)
			if at.After(now) && !used[t] {
				return at
			}
		}
	}
	return now.Add(callWindow + time.Hour) // every time of day used: out of the window
}

// slotOf is the rotation time of day a call belongs to: the nearest one.
func slotOf(t time.Time) time.Duration {
	tod := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	best := callTimes[0]
	for _, c := range callTimes[1:] {
		if abs(tod-c) < abs(tod-best) {
			best = c
		}
	}
	return best
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
