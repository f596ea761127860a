package ratelimit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type rateLimitedBody struct {
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code       string `json:"code"`
			RetryAfter int64  `json:"retryAfter"`
		} `json:"extensions"`
	} `json:"errors"`
}

func newHandler(t *testing.T, cfg Config) (http.Handler, *atomic.Int64) {
	t.Helper()
	served := new(atomic.Int64)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
	return Middleware(New(Options{}), cfg)(next), served
}

func do(h http.Handler, remote string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
	r.RemoteAddr = remote
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func assertLimited(t *testing.T, w *httptest.ResponseRecorder, wantSecs int64, secret string) {
	t.Helper()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status = %d, want 429", w.Code)
	}
	if got, want := w.Header().Get("Retry-After"), itoa(wantSecs); got != want {
		t.Fatalf("Retry-After = %q, want %q", got, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var body rateLimitedBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	if len(body.Errors) != 1 {
		t.Fatalf("body %s: want one error", w.Body.String())
	}
	e := body.Errors[0]
	if e.Extensions.Code != "RATE_LIMITED" || e.Extensions.RetryAfter != wantSecs {
		t.Fatalf("extensions = %+v, want RATE_LIMITED/%d", e.Extensions, wantSecs)
	}
	if want := "too many requests; retry after " + itoa(wantSecs) + " s"; e.Message != want {
		t.Fatalf("message = %q, want %q", e.Message, want)
	}
	if secret != "" && strings.Contains(w.Body.String()+headerString(w.Header()), secret) {
		t.Fatalf("response echoes the key %q", secret)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func headerString(h http.Header) string {
	var sb strings.Builder
	_ = h.Write(&sb)
	return sb.String()
}

func TestMiddlewarePerIP(t *testing.T) {
	c := &clock{now: t0}
	h, served := newHandler(t, Config{PerIP: Rule{Rate: 0.5, Burst: 2}, Now: c.Now})

	for i := 0; i < 2; i++ {
		if w := do(h, "203.0.113.7:1000", nil); w.Code != http.StatusOK || w.Body.String() != `{"data":{}}` {
			t.Fatalf("request %d: status %d body %q, want pass-through", i, w.Code, w.Body.String())
		}
	}
	// Refused: a token takes 2 s.
	assertLimited(t, do(h, "203.0.113.7:1000", nil), 2, "")
	// Sub-second waits round up to 1.
	c.Advance(1900 * time.Millisecond)
	assertLimited(t, do(h, "203.0.113.7:1001", nil), 1, "")
	if served.Load() != 2 {
		t.Fatalf("handler ran %d times, want 2", served.Load())
	}
	// Another client is unaffected.
	if w := do(h, "198.51.100.1:1000", nil); w.Code != http.StatusOK {
		t.Fatalf("other client: status %d", w.Code)
	}
	// Refilled.
	c.Advance(100 * time.Millisecond)
	if w := do(h, "203.0.113.7:1000", nil); w.Code != http.StatusOK {
		t.Fatalf("after refill: status %d", w.Code)
	}
}

func TestMiddlewareIPv6Per64(t *testing.T) {
	c := &clock{now: t0}
	h, _ := newHandler(t, Config{PerIP: Rule{Rate: 1, Burst: 2}, Now: c.Now})
	if w := do(h, "[2001:db8:1:2::1]:1", nil); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	if w := do(h, "[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:1", nil); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	// A third address in the same /64 shares the bucket.
	assertLimited(t, do(h, "[2001:db8:1:2::ffff]:1", nil), 1, "")
	// The neighbouring /64 does not.
	if w := do(h, "[2001:db8:1:3::1]:1", nil); w.Code != http.StatusOK {
		t.Fatalf("other /64: status %d", w.Code)
	}
}

func TestMiddlewareTrustedProxy(t *testing.T) {
	c := &clock{now: t0}
	h, _ := newHandler(t, Config{
		PerIP:          Rule{Rate: 1, Burst: 1},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
		Now:            c.Now,
	})
	// Two clients behind the same trusted proxy get separate buckets.
	if w := do(h, "10.0.0.2:1", map[string]string{"X-Forwarded-For": "198.51.100.1"}); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	if w := do(h, "10.0.0.2:1", map[string]string{"X-Forwarded-For": "198.51.100.2"}); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	assertLimited(t, do(h, "10.0.0.2:1", map[string]string{"X-Forwarded-For": "198.51.100.1"}), 1, "")
	// An untrusted client cannot escape its bucket by rotating XFF.
	if w := do(h, "203.0.113.9:1", map[string]string{"X-Forwarded-For": "1.1.1.1"}); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	assertLimited(t, do(h, "203.0.113.9:1", map[string]string{"X-Forwarded-For": "2.2.2.2"}), 1, "")
}

func TestMiddlewarePerKey(t *testing.T) {
	c := &clock{now: t0}
	const secret = "wk_live_s3cr3t"
	keyFunc := func(r *http.Request) (string, Rule, bool) {
		k := r.Header.Get("X-Widget-Key")
		return k, Rule{Rate: 0.25, Burst: 1}, k != ""
	}
	h, served := newHandler(t, Config{PerIP: Rule{Rate: 100, Burst: 100}, KeyFunc: keyFunc, Now: c.Now})
	hdr := map[string]string{"X-Widget-Key": secret}

	if w := do(h, "203.0.113.7:1", hdr); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	// Same key from another IP: the per-key rule still applies.
	assertLimited(t, do(h, "198.51.100.1:1", hdr), 4, secret)
	// Requests without a key are limited per IP only.
	for i := 0; i < 10; i++ {
		if w := do(h, "198.51.100.1:1", nil); w.Code != http.StatusOK {
			t.Fatalf("no key: status %d", w.Code)
		}
	}
	// A different key is independent.
	if w := do(h, "198.51.100.1:1", map[string]string{"X-Widget-Key": "other"}); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	if served.Load() != 12 {
		t.Fatalf("served %d, want 12", served.Load())
	}
	c.Advance(4 * time.Second)
	if w := do(h, "198.51.100.1:1", hdr); w.Code != http.StatusOK {
		t.Fatalf("after refill: %d", w.Code)
	}
}

// A caller-supplied key that looks like an IP key must not drain that IP's
// bucket.
func TestMiddlewareKeyNamespace(t *testing.T) {
	c := &clock{now: t0}
	keyFunc := func(r *http.Request) (string, Rule, bool) {
		return r.Header.Get("X-Widget-Key"), Rule{Rate: 1, Burst: 100}, true
	}
	h, _ := newHandler(t, Config{PerIP: Rule{Rate: 1, Burst: 1}, KeyFunc: keyFunc, Now: c.Now})
	// Attacker from another IP uses key "ip:203.0.113.7".
	do(h, "198.51.100.1:1", map[string]string{"X-Widget-Key": "ip:203.0.113.7"})
	if w := do(h, "203.0.113.7:1", map[string]string{"X-Widget-Key": "victim"}); w.Code != http.StatusOK {
		t.Fatalf("victim refused: %d", w.Code)
	}
}

// A request refused per IP does not spend a per-key token.
func TestMiddlewareIPRefusalSparesKey(t *testing.T) {
	c := &clock{now: t0}
	keyFunc := func(r *http.Request) (string, Rule, bool) { return "w", Rule{Rate: 1, Burst: 2}, true }
	h, _ := newHandler(t, Config{PerIP: Rule{Rate: 1, Burst: 1}, KeyFunc: keyFunc, Now: c.Now})
	if w := do(h, "203.0.113.7:1", nil); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	for i := 0; i < 5; i++ {
		assertLimited(t, do(h, "203.0.113.7:1", nil), 1, "")
	}
	if w := do(h, "198.51.100.1:1", nil); w.Code != http.StatusOK {
		t.Fatalf("key bucket was drained by per-IP refusals: %d", w.Code)
	}
}

func TestMiddlewareConcurrent(t *testing.T) {
	c := &clock{now: t0}
	h, served := newHandler(t, Config{PerIP: Rule{Rate: 1, Burst: 50}, Now: c.Now})
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				w := do(h, "203.0.113.7:1", nil)
				mu.Lock()
				counts[w.Code]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if counts[http.StatusOK] != 50 || counts[http.StatusTooManyRequests] != 110 || served.Load() != 50 {
		t.Fatalf("status counts %v, want 50 OK and 110 429", counts)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int64
	}{
		{0, 1}, {time.Nanosecond, 1}, {time.Second, 1}, {time.Second + 1, 2}, {2500 * time.Millisecond, 3},
	} {
		if got := RetryAfterSeconds(tc.d); got != tc.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}
