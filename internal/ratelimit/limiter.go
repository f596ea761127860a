// Package ratelimit limits request rates per string key (a client IP, a
// widget key, ...) with a token bucket per key, and provides HTTP middleware
// that applies a per-client-IP rule and an optional per-key rule.
//
// Each bucket is stored as a single "theoretical arrival time" (the GCRA form
// of a token bucket), so a key costs one small struct in memory and the hot
// path is one shard lock, one map lookup and a few integer operations.
// Memory is bounded: the number of keys is capped (the least recently used
// key of a shard is evicted when it is full), and keys whose bucket has
// refilled completely are dropped lazily and by Sweep, which loses nothing
// because a full bucket is indistinguishable from a new one.
package ratelimit

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// Rule is a token-bucket rule: Burst requests may be made at once, and the
// bucket refills at Rate tokens per second. A Rule with Rate <= 0 imposes no
// limit (so the zero Rule disables limiting). Burst < 1 is treated as 1.
type Rule struct {
	Rate  float64 // tokens per second
	Burst int
}

// Unlimited reports whether r imposes no limit.
func (r Rule) Unlimited() bool { return !(r.Rate > 0) } // also true for NaN

// interval is the time one token takes to refill; window is the time the
// whole bucket takes (Burst tokens). Both saturate instead of overflowing.
func (r Rule) params() (interval, window int64) {
	iv := 1e9 / r.Rate
	switch {
	case iv < 1:
		interval = 1
	case iv >= math.MaxInt64:
		interval = math.MaxInt64
	default:
		interval = int64(iv)
	}
	burst := int64(r.Burst)
	if burst < 1 {
		burst = 1
	}
	if interval > math.MaxInt64/burst {
		return interval, math.MaxInt64
	}
	return interval, interval * burst
}

// Options configure a Limiter.
type Options struct {
	// MaxKeys caps the number of keys held; 0 means DefaultMaxKeys. The cap
	// is enforced per shard (MaxKeys/shards each), so the total never
	// exceeds MaxKeys; a key inserted into a full shard evicts that shard's
	// least recently used key.
	MaxKeys int
	// Shards is the number of independently locked shards, rounded up to a
	// power of two; 0 means DefaultShards. It is reduced when MaxKeys is
	// small so that every shard holds at least one key.
	Shards int
}

// Defaults for Options.
const (
	DefaultMaxKeys = 100_000
	DefaultShards  = 64
)

// Limiter holds one token bucket per key. It is safe for concurrent use.
// Create it with New; the zero value is not usable.
type Limiter struct {
	seed   maphash.Seed
	epoch  time.Time // times are stored as nanoseconds since epoch
	mask   uint64
	shards []shard
}

type shard struct {
	mu         sync.Mutex
	m          map[string]*entry
	head, tail *entry // LRU list: head is the most recently used
	max        int
	_          [64]byte // keep hot shards on separate cache lines
}

type entry struct {
	key        string
	tat        int64 // theoretical arrival time: the bucket is full at tat
	prev, next *entry
}

// New returns a Limiter configured by opts.
func New(opts Options) *Limiter {
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	n := opts.Shards
	if n <= 0 {
		n = DefaultShards
	}
	p := 1
	for p < n {
		p <<= 1
	}
	for p > 1 && p > maxKeys {
		p >>= 1
	}
	l := &Limiter{
		seed:   maphash.MakeSeed(),
		epoch:  time.Now(),
		mask:   uint64(p - 1),
		shards: make([]shard, p),
	}
	for i := range l.shards {
		l.shards[i].m = make(map[string]*entry)
		l.shards[i].max = maxKeys / p
	}
	return l
}

// nanos converts now to the internal clock. Time.Sub uses the monotonic
// reading when both times have one, so wall-clock steps do not disturb
// buckets in production; it saturates rather than overflowing.
func (l *Limiter) nanos(now time.Time) int64 { return int64(now.Sub(l.epoch)) }

func (l *Limiter) shardFor(key string) *shard {
	return &l.shards[maphash.String(l.seed, key)&l.mask]
}

// Allow takes one token from key's bucket under rule at time now. When the
// bucket is empty it returns false and how long until a token is available.
// rule may differ between calls for the same key; the latest one applies.
func (l *Limiter) Allow(key string, rule Rule, now time.Time) (ok bool, retryAfter time.Duration) {
	if rule.Unlimited() {
		return true, 0
	}
	interval, window := rule.params()
	n := l.nanos(now)
	s := l.shardFor(key)

	s.mu.Lock()
	e := s.m[key]
	if e == nil {
		e = s.insert(key, n)
	} else if e != s.head {
		s.unlink(e)
		s.pushFront(e)
	}
	tat := e.tat
	if tat < n {
		tat = n // the bucket has refilled completely
	}
	next := satAdd(tat, interval)
	if wait := satAdd(next-n, -window); wait > 0 {
		s.mu.Unlock()
		return false, time.Duration(wait)
	}
	e.tat = next
	s.mu.Unlock()
	return true, 0
}

// insert adds key to s. If s is full it evicts (and reuses) the least
// recently used entry; otherwise it drops up to two idle entries from the
// tail, so idle keys disappear without a sweep.
func (s *shard) insert(key string, now int64) *entry {
	var e *entry
	if len(s.m) >= s.max {
		e = s.tail
		s.unlink(e)
		delete(s.m, e.key)
	} else {
		for i := 0; i < 2 && s.tail != nil && s.tail.tat <= now; i++ {
			old := s.tail
			s.unlink(old)
			delete(s.m, old.key)
		}
		e = new(entry)
	}
	*e = entry{key: key, tat: now}
	s.m[key] = e
	s.pushFront(e)
	return e
}

func (s *shard) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (s *shard) pushFront(e *entry) {
	e.next = s.head
	if s.head != nil {
		s.head.prev = e
	} else {
		s.tail = e
	}
	s.head = e
}

// Sweep removes every key whose bucket is full at now (removing one changes
// no decision) and returns how many it removed.
func (l *Limiter) Sweep(now time.Time) int {
	n := l.nanos(now)
	removed := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for e := s.tail; e != nil; {
			prev := e.prev
			if e.tat <= n {
				s.unlink(e)
				delete(s.m, e.key)
				removed++
			}
			e = prev
		}
		s.mu.Unlock()
	}
	return removed
}

// Run calls Sweep every interval until ctx is done. Start it with
// `go l.Run(ctx, time.Minute)`; it is optional, as idle keys are also
// dropped lazily and the key cap holds regardless.
func (l *Limiter) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			l.Sweep(now)
		}
	}
}

// Len returns the number of keys currently held.
func (l *Limiter) Len() int {
	total := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		total += len(s.m)
		s.mu.Unlock()
	}
	return total
}

// Cap returns the maximum number of keys the Limiter holds.
func (l *Limiter) Cap() int { return len(l.shards) * l.shards[0].max }

func satAdd(a, b int64) int64 {
	c := a + b
	if (c > a) != (b > 0) { // overflowed
		if b > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return c
}
