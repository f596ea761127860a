package notify

import (
	"math/rand/v2"
	"time"
)

// maxHint bounds how far a server Retry-After hint can push a retry out.
const maxHint = 24 * time.Hour

// Retry is the backoff policy for Retryable results. Zero fields take the
// DefaultRetry values.
type Retry struct {
	Base        time.Duration // delay before the first retry (default 1s)
	Max         time.Duration // cap on the exponential delay (default 1h)
	MaxAttempts int           // retries before giving up (default 10); see Exhausted
}

// DefaultRetry is 1s * 2^attempt, capped at 1h, at most 10 retries.
var DefaultRetry = Retry{Base: time.Second, Max: time.Hour, MaxAttempts: 10}

// Backoff returns DefaultRetry.Backoff(attempt, hint).
func Backoff(attempt int, hint time.Duration) time.Duration {
	return DefaultRetry.Backoff(attempt, hint)
}

// Backoff returns how long to wait before retry number attempt (0-based:
// attempt 0 is the first retry after the first failure).
//
// The delay is d = min(Base*2^attempt, Max) with "equal jitter": a uniformly
// random value in [d/2, d], so retries of a large batch spread out. A server
// hint (Retry-After) is honoured: the result is never shorter than hint
// (hints beyond 24h are treated as 24h), plus up to 10% jitter so that many
// messages throttled together do not return together.
func (r Retry) Backoff(attempt int, hint time.Duration) time.Duration {
	base, maxD := r.Base, r.Max
	if base <= 0 {
		base = DefaultRetry.Base
	}
	if maxD <= 0 {
		maxD = DefaultRetry.Max
	}
	if maxD < base {
		maxD = base
	}
	attempt = max(attempt, 0)

	d := base
	for i := 0; i < attempt && d < maxD; i++ {
		d *= 2
		if d <= 0 { // overflow
			d = maxD
		}
	}
	d = min(d, maxD)
	half := d / 2
	delay := half + jitter(d-half)

	if hint > 0 {
		hint = min(hint, maxHint)
		if delay < hint {
			delay = hint + jitter(hint/10)
		}
	}
	return delay
}

// Exhausted reports whether attempt (0-based) is past MaxAttempts, i.e. the
// message should be recorded as failed and the next channel tried.
func (r Retry) Exhausted(attempt int) bool {
	n := r.MaxAttempts
	if n <= 0 {
		n = DefaultRetry.MaxAttempts
	}
	return attempt >= n
}

// jitter returns a uniform random duration in [0, d].
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}
