package rules

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// The store learns a car's mileage only at visits or when the owner reports
// it, so every km-based due date is projected from the car's own history.

// maxProjectionDays caps DateAtKm: a car that barely moves never reaches the
// target in any horizon worth scheduling.
const maxProjectionDays = 100 * 366

// ProjectKmPerDay estimates how many km a day the vehicle drives, from its
// odometer history plus the delivery reading.
//
// The history is first cleaned (see consistentHistory): readings after now
// and readings that would make the odometer run backwards are dropped. The
// rate is then the average over the last cfg.RateWindowMonths (mileage
// habits change: a new job, a second car), falling back to the whole
// history, falling back to cfg.DefaultKmPerDay when there are fewer than two
// readings spanning at least cfg.MinRateSpanDays. It is never negative.
func ProjectKmPerDay(readings []Reading, deliveryDate time.Time, deliveryKm int, now time.Time, cfg Config) float64 {
	hist := consistentHistory(withDelivery(readings, deliveryDate, deliveryKm), now)
	since := AddMonths(now, -cfg.RateWindowMonths)
	var recent []Reading
	if i := slices.IndexFunc(hist, func(r Reading) bool { return !r.At.Before(since) }); i >= 0 {
		recent = hist[i:]
	}
	if rate, ok := averageRate(recent, cfg.MinRateSpanDays); ok {
		return rate
	}
	if rate, ok := averageRate(hist, cfg.MinRateSpanDays); ok {
		return rate
	}
	return max(cfg.DefaultKmPerDay, 0)
}

// averageRate is km per day between the first and last reading. For a
// cumulative counter this end-to-end average is the unbiased rate however
// irregular the readings in between are.
func averageRate(hist []Reading, minSpanDays int) (float64, bool) {
	if len(hist) < 2 {
		return 0, false
	}
	first, last := hist[0], hist[len(hist)-1]
	days := last.At.Sub(first.At).Hours() / 24
	if days < float64(max(minSpanDays, 1)) {
		return 0, false
	}
	return max(float64(last.Km-first.Km)/days, 0), true
}

// DateAtKm returns the date (UTC midnight) on which the vehicle reaches
// targetKm, driving kmPerDay from lastKnown on: the first day by whose end
// it has covered the distance. A target already passed gives a date in the
// past, found the same way backwards. A vehicle that does not move
// (kmPerDay <= 0) never reaches a target ahead of it: the zero Time.
func DateAtKm(targetKm int, lastKnown Reading, kmPerDay float64) time.Time {
	if lastKnown.At.IsZero() {
		return time.Time{}
	}
	day := dateOf(lastKnown.At)
	remaining := float64(targetKm - lastKnown.Km)
	if kmPerDay <= 0 {
		if remaining <= 0 {
			return day
		}
		return time.Time{}
	}
	// The small epsilon keeps an exact division (3000 km at 150 km/day)
	// from rounding up a day on floating-point noise.
	days := math.Ceil(remaining/kmPerDay - 1e-9)
	if math.Abs(days) > maxProjectionDays {
		if days > 0 {
			return time.Time{}
		}
		days = -maxProjectionDays
	}
	return day.AddDate(0, 0, int(days))
}

// withDelivery adds the delivery reading, the most reliable point of all, to
// the history.
func withDelivery(readings []Reading, deliveryDate time.Time, deliveryKm int) []Reading {
	all := slices.Clone(readings)
	if !deliveryDate.IsZero() {
		all = append(all, Reading{At: deliveryDate, Km: deliveryKm})
	}
	return all
}

// consistentHistory returns the readings known by now in time order, keeping
// the longest sequence whose km never decreases. A lone typo, too high or too
// low, drops out however it sits in the sequence; when two choices are
// equally long, the earlier readings win, so a later reading that goes
// backwards (a correction) is the one ignored.
func consistentHistory(readings []Reading, now time.Time) []Reading {
	var hist []Reading
	for _, r := range readings {
		if !r.At.IsZero() && !r.At.After(now) {
			hist = append(hist, r)
		}
	}
	slices.SortStableFunc(hist, func(a, b Reading) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Km, b.Km)
	})
	if len(hist) == 0 {
		return nil
	}
	// Longest non-decreasing subsequence, O(n^2): histories are short.
	length := make([]int, len(hist))
	prev := make([]int, len(hist))
	best := 0
	for i := range hist {
		length[i], prev[i] = 1, -1
		for j := range i {
			if hist[j].Km <= hist[i].Km && length[j]+1 > length[i] {
				length[i], prev[i] = length[j]+1, j
			}
		}
		if length[i] > length[best] {
			best = i
		}
	}
	var kept []Reading
	for i := best; i >= 0; i = prev[i] {
		kept = append(kept, hist[i])
	}
	slices.Reverse(kept)
	return kept
}

// projection is a vehicle's odometer, worked out once for one moment.
type projection struct {
	now  time.Time
	last Reading
	rate float64
}

// withProjection returns v carrying its odometer projection at now, so
// that the rules asked about it at that moment share one computation.
func (v Vehicle) withProjection(now time.Time, cfg Config) Vehicle {
	last, rate := v.odometer(now, cfg)
	v.proj = &projection{now: now, last: last, rate: rate}
	return v
}

// odometer returns the vehicle's last trustworthy reading (delivery, last
// service and reported readings together) and its projected km per day.
func (v Vehicle) odometer(now time.Time, cfg Config) (Reading, float64) {
	if v.proj != nil && v.proj.now.Equal(now) {
		return v.proj.last, v.proj.rate
	}
	readings := slices.Clone(v.Readings)
	if !v.LastServiceDate.IsZero() {
		readings = append(readings, Reading{At: v.LastServiceDate, Km: v.LastServiceKm})
	}
	hist := consistentHistory(withDelivery(readings, v.DeliveryDate, v.DeliveryKm), now)
	if len(hist) == 0 {
		return Reading{}, 0
	}
	return hist[len(hist)-1], ProjectKmPerDay(readings, v.DeliveryDate, v.DeliveryKm, now, cfg)
}
