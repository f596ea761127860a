// Package latency is the load tools' latency histogram.
package latency

import (
	"math/bits"
	"time"
)

// Hist is an HDR-style log-linear latency histogram in microseconds: exact
// below 128 µs, then 64 buckets per power of two (under 1.6% error), so
// percentiles cost no sorting and memory stays fixed however long the run.
type Hist struct {
	counts [64 * 64]uint64
	n      uint64
	max    uint64
}

func bucket(us uint64) int {
	if us < 128 {
		return int(us)
	}
	e := bits.Len64(us) - 7 // us>>e is in [64, 128)
	return e*64 + int(us>>e)
}

// lower is the smallest value of bucket i.
func lower(i int) uint64 {
	if i < 128 {
		return uint64(i)
	}
	e := i/64 - 1
	return uint64(i-e*64) << e
}

// Add records one latency.
func (h *Hist) Add(d time.Duration) {
	us := uint64(max(d.Microseconds(), 0))
	b := min(bucket(us), len(h.counts)-1)
	h.counts[b]++
	h.n++
	h.max = max(h.max, us)
}

// Quantile returns the value at q (0..1) in milliseconds.
func (h *Hist) Quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n-1)) + 1
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return float64(min(lower(i), h.max)) / 1000
		}
	}
	return float64(h.max) / 1000
}

// MaxMs is the largest latency recorded, in milliseconds.
func (h *Hist) MaxMs() float64 { return float64(h.max) / 1000 }
