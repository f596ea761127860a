package latency

import (
	"math"
	"testing"
	"time"
)

func TestBucketRoundTrip(t *testing.T) {
	for _, us := range []uint64{0, 1, 127, 128, 129, 1000, 12345, 999_999, 30_000_000} {
		lo := lower(bucket(us))
		if lo > us || float64(us-lo) > 0.016*float64(us)+0.5 {
			t.Errorf("value %d lands in bucket starting %d", us, lo)
		}
	}
}

func TestQuantiles(t *testing.T) {
	var h Hist
	for i := 1; i <= 10000; i++ { // 1..10,000 µs, uniform
		h.Add(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct{ q, want float64 }{{0.5, 5.0}, {0.95, 9.5}, {0.99, 9.9}, {1, 10}} {
		got := h.Quantile(c.q)
		if math.Abs(got-c.want) > 0.016*c.want {
			t.Errorf("q%.2f = %.3f ms, want %.3f", c.q, got, c.want)
		}
	}
	var empty Hist
	if empty.Quantile(0.99) != 0 {
		t.Error("empty histogram should report 0")
	}
}
