package care

import (
	"testing"
	"time"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func at(day, hh, mm int) time.Time {
	return time.Date(2026, 11, day, hh, mm, 0, 0, shanghai)
}

func TestCallLadder(t *testing.T) {
	cases := []struct {
		name     string
		earlier  []time.Time
		outcome  Outcome
		now      time.Time
		hasEmail bool
		want     Step
	}{
		{"reached at once", nil, Reached, at(23, 10, 5), false, Step{Done: true}},
		{"first no answer in the morning: try the afternoon", nil, NoAnswer, at(23, 10, 5), false, Step{NextAt: at(23, 15, 0)}},
		{"busy at 15:00 after a morning call: the evening", []time.Time{at(23, 10, 5)}, Busy, at(23, 15, 2), false, Step{NextAt: at(23, 19, 0)}},
		{"third call fails: SMS", []time.Time{at(23, 10, 5), at(23, 15, 2)}, NoAnswer, at(23, 19, 1), false,
			Step{Failed: "not reached after 3 calls in 3 days", Then: "sms"}},
		{"late first call: next day's morning", nil, NoAnswer, at(23, 19, 30), false, Step{NextAt: at(24, 10, 0)}},
		{"second call at the same time of day: a time not yet tried", []time.Time{at(23, 10, 0)}, NoAnswer, at(24, 10, 0), false, Step{NextAt: at(24, 15, 0)}},
		{"out of the 3-day window", []time.Time{at(20, 19, 0)}, NoAnswer, at(23, 18, 0), false,
			Step{Failed: "not reached after 3 calls in 3 days", Then: "sms"}},
		{"wrong number: flagged, e-mail instead", nil, WrongNumber, at(23, 10, 0), true,
			Step{Failed: "wrong or dead number", FlagNumber: true, Then: "email"}},
		{"wrong number without e-mail: flagged only", nil, WrongNumber, at(23, 10, 0), false,
			Step{Failed: "wrong or dead number", FlagNumber: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := AfterCall(c.earlier, c.outcome, c.now, shanghai, c.hasEmail)
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestMessageLadder(t *testing.T) {
	if s := AfterMessage(Sent); !s.Done {
		t.Fatalf("sent: %+v", s)
	}
	if s := AfterMessage(Bounced); s.Failed == "" || s.Done {
		t.Fatalf("bounced: %+v", s)
	}
}
