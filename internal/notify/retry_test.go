package notify

import (
	"math"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	cases := []struct {
		name     string
		r        Retry
		attempt  int
		hint     time.Duration
		min, max time.Duration
	}{
		{"first retry", DefaultRetry, 0, 0, 500 * time.Millisecond, time.Second},
		{"negative attempt", DefaultRetry, -3, 0, 500 * time.Millisecond, time.Second},
		{"attempt 3", DefaultRetry, 3, 0, 4 * time.Second, 8 * time.Second},
		{"attempt 12 hits cap", DefaultRetry, 12, 0, 30 * time.Minute, time.Hour},
		{"huge attempt, no overflow", DefaultRetry, 1000, 0, 30 * time.Minute, time.Hour},
		{"zero value = defaults", Retry{}, 2, 0, 2 * time.Second, 4 * time.Second},
		{"hint longer than backoff", DefaultRetry, 0, 30 * time.Second, 30 * time.Second, 33 * time.Second},
		{"hint shorter than backoff", DefaultRetry, 5, time.Second, 16 * time.Second, 32 * time.Second},
		{"hint beyond cap honoured", DefaultRetry, 0, 2 * time.Hour, 2 * time.Hour, 2*time.Hour + 12*time.Minute},
		{"absurd hint clamped to 24h", DefaultRetry, 0, 1000 * time.Hour, 24 * time.Hour, 24*time.Hour + 144*time.Minute},
		{"custom base/max", Retry{Base: 100 * time.Millisecond, Max: time.Second}, 10, 0, 500 * time.Millisecond, time.Second},
		{"max below base", Retry{Base: 10 * time.Second, Max: time.Second}, 3, 0, 5 * time.Second, 10 * time.Second},
		{"max duration", Retry{Max: math.MaxInt64}, 80, 0, math.MaxInt64 / 2, math.MaxInt64},
	}
	for _, c := range cases {
		seen := map[time.Duration]bool{}
		for range 200 {
			var got time.Duration
			if c.r == DefaultRetry {
				got = Backoff(c.attempt, c.hint)
			} else {
				got = c.r.Backoff(c.attempt, c.hint)
			}
			if got < c.min || got > c.max {
				t.Fatalf("%s: Backoff(%d, %v) = %v, want in [%v, %v]", c.name, c.attempt, c.hint, got, c.min, c.max)
			}
			seen[got] = true
		}
		if len(seen) < 2 {
			t.Errorf("%s: no jitter (always %v)", c.name, seen)
		}
	}
}

func TestRetryExhausted(t *testing.T) {
	if DefaultRetry.Exhausted(9) || !DefaultRetry.Exhausted(10) {
		t.Error("default: want 10 retries (attempts 0..9)")
	}
	if (Retry{}).Exhausted(9) || !(Retry{}).Exhausted(10) {
		t.Error("zero value should use default MaxAttempts")
	}
	r := Retry{MaxAttempts: 3}
	if r.Exhausted(2) || !r.Exhausted(3) {
		t.Error("MaxAttempts 3")
	}
}
