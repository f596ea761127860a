package ratelimit

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func mustAllow(t *testing.T, l *Limiter, key string, r Rule, now time.Time) {
	t.Helper()
	if ok, wait := l.Allow(key, r, now); !ok {
		t.Fatalf("Allow(%q) at +%v refused (retry after %v), want allowed", key, now.Sub(t0), wait)
	}
}

func mustRefuse(t *testing.T, l *Limiter, key string, r Rule, now time.Time, wantWait time.Duration) {
	t.Helper()
	ok, wait := l.Allow(key, r, now)
	if ok {
		t.Fatalf("Allow(%q) at +%v allowed, want refused", key, now.Sub(t0))
	}
	if wait != wantWait {
		t.Fatalf("Allow(%q) at +%v retryAfter = %v, want %v", key, now.Sub(t0), wait, wantWait)
	}
}

func TestBurstRefusalRefill(t *testing.T) {
	l := New(Options{})
	r := Rule{Rate: 1, Burst: 3}
	for i := 0; i < 3; i++ {
		mustAllow(t, l, "k", r, t0)
	}
	mustRefuse(t, l, "k", r, t0, time.Second)
	mustRefuse(t, l, "k", r, t0.Add(400*time.Millisecond), 600*time.Millisecond)
	// Exactly one token has refilled after one second.
	mustAllow(t, l, "k", r, t0.Add(time.Second))
	mustRefuse(t, l, "k", r, t0.Add(time.Second), time.Second)
	// After a long idle period the bucket is full again, but no fuller.
	later := t0.Add(time.Hour)
	for i := 0; i < 3; i++ {
		mustAllow(t, l, "k", r, later)
	}
	mustRefuse(t, l, "k", r, later, time.Second)
}

func TestFractionalRate(t *testing.T) {
	l := New(Options{})
	r := Rule{Rate: 0.5, Burst: 1} // one request every two seconds
	mustAllow(t, l, "k", r, t0)
	mustRefuse(t, l, "k", r, t0, 2*time.Second)
	_, wait := l.Allow("k", r, t0.Add(1500*time.Millisecond))
	if wait != 500*time.Millisecond {
		t.Fatalf("retryAfter = %v, want 500ms", wait)
	}
	// Retrying after exactly retryAfter succeeds.
	mustAllow(t, l, "k", r, t0.Add(1500*time.Millisecond+wait))
}

func TestUnlimitedRule(t *testing.T) {
	l := New(Options{})
	for i := 0; i < 1000; i++ {
		mustAllow(t, l, "k", Rule{}, t0)
	}
	if n := l.Len(); n != 0 {
		t.Fatalf("an unlimited rule stored %d keys", n)
	}
	// Burst < 1 is treated as 1.
	mustAllow(t, l, "z", Rule{Rate: 1}, t0)
	mustRefuse(t, l, "z", Rule{Rate: 1}, t0, time.Second)
}

func TestKeysIndependent(t *testing.T) {
	l := New(Options{})
	r := Rule{Rate: 1, Burst: 2}
	mustAllow(t, l, "ip:203.0.113.7", r, t0)
	mustAllow(t, l, "ip:203.0.113.7", r, t0)
	mustRefuse(t, l, "ip:203.0.113.7", r, t0, time.Second)
	// Another key still has its full burst.
	mustAllow(t, l, "widget:42", r, t0)
	mustAllow(t, l, "widget:42", r, t0)
	mustRefuse(t, l, "widget:42", r, t0, time.Second)
	mustRefuse(t, l, "ip:203.0.113.7", r, t0, time.Second)
}

func TestNewCapsAndShards(t *testing.T) {
	for _, tc := range []struct {
		opts             Options
		wantCap, wantShd int
	}{
		{Options{}, DefaultMaxKeys / DefaultShards * DefaultShards, DefaultShards},
		{Options{MaxKeys: 10}, 8, 8},
		{Options{MaxKeys: 1}, 1, 1},
		{Options{MaxKeys: 1000, Shards: 5}, 1000, 8},
	} {
		l := New(tc.opts)
		if got := len(l.shards); got != tc.wantShd {
			t.Errorf("%+v: shards = %d, want %d", tc.opts, got, tc.wantShd)
		}
		if got := l.Cap(); got != tc.wantCap {
			t.Errorf("%+v: Cap = %d, want %d", tc.opts, got, tc.wantCap)
		}
		if max := tc.opts.MaxKeys; max > 0 && l.Cap() > max {
			t.Errorf("%+v: Cap %d exceeds MaxKeys", tc.opts, l.Cap())
		}
	}
}

// A flood of distinct keys that are all still in use (never idle) must not
// grow the map beyond the cap.
func TestEvictionBoundsMemory(t *testing.T) {
	const maxKeys = 10_000
	l := New(Options{MaxKeys: maxKeys})
	r := Rule{Rate: 1, Burst: 5}
	for i := 0; i < 1_000_000; i++ {
		now := t0.Add(time.Duration(i) * time.Microsecond)
		mustAllow(t, l, "ip:"+strconv.Itoa(i), r, now)
		if i%50_000 == 0 {
			if n := l.Len(); n > maxKeys {
				t.Fatalf("after %d keys: Len = %d, exceeds cap %d", i+1, n, maxKeys)
			}
		}
	}
	if n := l.Len(); n > maxKeys || n < maxKeys/2 {
		t.Fatalf("Len = %d, want within (%d, %d]", n, maxKeys/2, maxKeys)
	}
	// Check every shard, not just the total.
	for i := range l.shards {
		s := &l.shards[i]
		if len(s.m) > s.max {
			t.Fatalf("shard %d holds %d keys, cap %d", i, len(s.m), s.max)
		}
		if c := listLen(s); c != len(s.m) {
			t.Fatalf("shard %d: list has %d entries, map %d", i, c, len(s.m))
		}
	}
	// The most recent key kept its state: it used one token of five at
	// t0+999999µs, so four remain one microsecond later.
	last := "ip:" + strconv.Itoa(999_999)
	for i := 0; i < 4; i++ {
		mustAllow(t, l, last, r, t0.Add(time.Second))
	}
	mustRefuse(t, l, last, r, t0.Add(time.Second), 999_999*time.Microsecond)
}

func listLen(s *shard) int {
	n := 0
	for e := s.head; e != nil; e = e.next {
		n++
	}
	return n
}

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	l := New(Options{MaxKeys: 2, Shards: 1})
	r := Rule{Rate: 1, Burst: 1}
	mustAllow(t, l, "a", r, t0)
	mustAllow(t, l, "b", r, t0)
	mustRefuse(t, l, "a", r, t0, time.Second) // touches a: b is now LRU
	mustAllow(t, l, "c", r, t0)               // evicts b
	if l.Len() != 2 {
		t.Fatalf("Len = %d, want 2", l.Len())
	}
	mustRefuse(t, l, "a", r, t0, time.Second) // a kept its state
	mustAllow(t, l, "b", r, t0)               // b was evicted: fresh bucket
}

func TestIdleKeysDropped(t *testing.T) {
	l := New(Options{MaxKeys: 1 << 12, Shards: 4})
	r := Rule{Rate: 10, Burst: 2} // one token taken: full again after 100ms
	for i := 0; i < 1000; i++ {
		mustAllow(t, l, strconv.Itoa(i), r, t0)
	}
	if l.Len() != 1000 {
		t.Fatalf("Len = %d, want 1000", l.Len())
	}
	if n := l.Sweep(t0.Add(99 * time.Millisecond)); n != 0 {
		t.Fatalf("Sweep removed %d keys whose buckets are not full", n)
	}
	if n := l.Sweep(t0.Add(100 * time.Millisecond)); n != 1000 {
		t.Fatalf("Sweep removed %d, want 1000", n)
	}
	if l.Len() != 0 {
		t.Fatalf("Len after sweep = %d", l.Len())
	}

	// Lazy eviction: inserting new keys drops idle ones without a sweep.
	for i := 0; i < 1000; i++ {
		mustAllow(t, l, "old"+strconv.Itoa(i), r, t0)
	}
	later := t0.Add(time.Second)
	for i := 0; i < 1000; i++ {
		mustAllow(t, l, "new"+strconv.Itoa(i), r, later)
	}
	if n := l.Len(); n >= 2000-500 {
		t.Fatalf("Len = %d: idle keys were not dropped lazily", n)
	}
}

// Many goroutines share one key: exactly Burst requests may pass at a fixed
// instant, whatever the interleaving.
func TestConcurrentSameKey(t *testing.T) {
	l := New(Options{})
	r := Rule{Rate: 1, Burst: 100}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if ok, _ := l.Allow("shared", r, t0); ok {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if got := allowed.Load(); got != 100 {
		t.Fatalf("allowed %d requests, want exactly 100", got)
	}
}

// Concurrent churn over many keys with a small cap, plus sweeps and Len.
func TestConcurrentChurn(t *testing.T) {
	l := New(Options{MaxKeys: 256, Shards: 8})
	r := Rule{Rate: 1000, Burst: 3}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5000; i++ {
				now := t0.Add(time.Duration(i) * time.Millisecond)
				l.Allow("k"+strconv.Itoa((g*7919+i)%2000), r, now)
				if i%1000 == 0 {
					l.Sweep(now)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			if n := l.Len(); n > 256 {
				t.Errorf("Len = %d over cap", n)
				return
			}
		}
	}()
	wg.Wait()
	for i := range l.shards {
		s := &l.shards[i]
		if c := listLen(s); c != len(s.m) || len(s.m) > s.max {
			t.Fatalf("shard %d inconsistent: list %d, map %d, cap %d", i, c, len(s.m), s.max)
		}
	}
}

func TestSatAdd(t *testing.T) {
	const maxI, minI = int64(^uint64(0) >> 1), -int64(^uint64(0)>>1) - 1
	for _, tc := range []struct{ a, b, want int64 }{
		{1, 2, 3}, {maxI, 1, maxI}, {minI, -1, minI}, {maxI, -1, maxI - 1}, {5, 0, 5},
	} {
		if got := satAdd(tc.a, tc.b); got != tc.want {
			t.Errorf("satAdd(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	// Extreme rules neither overflow nor panic.
	l := New(Options{})
	mustAllow(t, l, "slow", Rule{Rate: 1e-12, Burst: 1 << 30}, t0)
	mustAllow(t, l, "fast", Rule{Rate: 1e12, Burst: 1}, t0)
	mustAllow(t, l, "fast", Rule{Rate: 1e12, Burst: 1}, t0.Add(time.Nanosecond))
}
