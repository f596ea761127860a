package ratelimit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"aftercare/internal/apperr"
)

// Config configures Middleware.
type Config struct {
	// PerIP is applied to every request, keyed by IPKey(ClientIP(...)).
	// The zero Rule disables it. Requests whose peer address does not parse
	// (e.g. over a unix socket) are not limited per IP.
	PerIP Rule
	// KeyFunc, if set, extracts a caller-defined key (e.g. a widget key from
	// a header) and its rule. When it returns ok, the request must also pass
	// that rule. Keys are namespaced internally, so they cannot collide with
	// per-IP keys; they are never logged or echoed in responses.
	KeyFunc func(*http.Request) (key string, rule Rule, ok bool)
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Middleware refuses requests over cfg's limits with 429 Too Many Requests, a
// Retry-After header (whole seconds, at least 1) and a GraphQL-shaped body
// with extensions.code RATE_LIMITED. The per-IP rule is checked first; a
// request refused per IP does not consume a token of its per-key bucket.
func Middleware(l *Limiter, cfg Config) func(http.Handler) http.Handler {
	if l == nil {
		panic("ratelimit: Middleware with nil Limiter")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t := now()
			if !cfg.PerIP.Unlimited() {
				if k := IPKey(ClientIP(r, cfg.TrustedProxies)); k != "" {
					if ok, wait := l.Allow(k, cfg.PerIP, t); !ok {
						writeLimited(w, wait)
						return
					}
				}
			}
			if cfg.KeyFunc != nil {
				if key, rule, ok := cfg.KeyFunc(r); ok {
					if ok, wait := l.Allow("key:"+key, rule, t); !ok {
						writeLimited(w, wait)
						return
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

type limitedBody struct {
	Errors []limitedError `json:"errors"`
}

type limitedError struct {
	Message    string            `json:"message"`
	Extensions limitedExtensions `json:"extensions"`
}

type limitedExtensions struct {
	Code       apperr.Code `json:"code"`
	RetryAfter int64       `json:"retryAfter"`
}

// RetryAfterSeconds rounds wait up to whole seconds, with a minimum of 1.
func RetryAfterSeconds(wait time.Duration) int64 {
	secs := int64(wait / time.Second)
	if wait%time.Second > 0 {
		secs++
	}
	return max(secs, 1)
}

func writeLimited(w http.ResponseWriter, wait time.Duration) {
	secs := RetryAfterSeconds(wait)
	body, _ := json.Marshal(limitedBody{Errors: []limitedError{{
		Message:    fmt.Sprintf("too many requests; retry after %d s", secs),
		Extensions: limitedExtensions{Code: apperr.RateLimited, RetryAfter: secs},
	}}})
	h := w.Header()
	h.Set("Retry-After", strconv.FormatInt(secs, 10))
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(body)
}
