package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// One hot key shared by all goroutines (worst-case lock contention).
func BenchmarkAllowSameKey(b *testing.B) {
	l := New(Options{})
	r := Rule{Rate: 1e6, Burst: 1000}
	now := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow("ip:203.0.113.7", r, now)
		}
	})
}

// Many existing keys spread over the shards (the common case).
func BenchmarkAllowManyKeys(b *testing.B) {
	l := New(Options{})
	r := Rule{Rate: 1e6, Burst: 1000}
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = "ip:198.51." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	now := time.Now()
	var seq atomic.Uint32
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(1)) * 997
		for pb.Next() {
			l.Allow(keys[i&4095], r, now)
			i++
		}
	})
}

// Every call is a new key into a full limiter (flood of distinct IPs:
// LRU eviction on every call).
func BenchmarkAllowNewKeysEvicting(b *testing.B) {
	l := New(Options{MaxKeys: 1 << 14})
	r := Rule{Rate: 1, Burst: 5}
	keys := make([]string, 1<<20)
	for i := range keys {
		keys[i] = "ip:" + strconv.Itoa(i)
	}
	now := time.Now()
	var seq atomic.Uint32
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(1)) << 16
		for pb.Next() {
			l.Allow(keys[i&(1<<20-1)], r, now)
			i++
		}
	})
}

// Whole middleware: ClientIP + IPKey + Allow, with time.Now.
func BenchmarkMiddleware(b *testing.B) {
	h := Middleware(New(Options{}), Config{PerIP: Rule{Rate: 1e9, Burst: 1e6}})(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.RemoteAddr = "203.0.113.7:5123"
		w := httptest.NewRecorder()
		for pb.Next() {
			h.ServeHTTP(w, r)
		}
	})
}
