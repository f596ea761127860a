package slots

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero values of Store's settings.
const (
	DefaultSlotLength     = 30 * time.Minute
	DefaultBookingHorizon = 60 * 24 * time.Hour
	DefaultMinLeadTime    = time.Hour
)

// MaxRangeDays is the longest range Generate and Occupancy accept, counted
// in calendar days of the store's location (so a month across a DST change
// is still one month).
const MaxRangeDays = 31

// DateLayout is the layout of Store.Closures keys: local civil dates.
const DateLayout = "2006-01-02"

// Pool names of the default service types.
const (
	PoolBay     = "bay"
	PoolAdvisor = "advisor"
)

// Service type codes, as in the appointment's service_type.
const (
	FirstService    = "first_service"
	PeriodicService = "periodic_service"
	Repair          = "repair"
	Inspection      = "inspection"
	SeasonalCheck   = "seasonal_check"
	InsuranceClaim  = "insurance_claim"
	Recall          = "recall"
)

// Interval is a wall-clock span of a day: offsets from local midnight,
// Start inclusive, End exclusive, 0 <= Start < End <= 24h.
type Interval struct {
	Start, End time.Duration
}

// Clock is the offset of the wall-clock time h:m from midnight.
func Clock(h, m int) time.Duration {
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
}

// ParseInterval reads "08:30-12:00" (24:00 is allowed as an end).
func ParseInterval(s string) (Interval, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Interval{}, fmt.Errorf("slots: interval %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(strings.TrimSpace(a))
	if err != nil {
		return Interval{}, fmt.Errorf("slots: interval %q: %w", s, err)
	}
	end, err := parseClock(strings.TrimSpace(b))
	if err != nil {
		return Interval{}, fmt.Errorf("slots: interval %q: %w", s, err)
	}
	iv := Interval{start, end}
	if err := iv.validate(); err != nil {
		return Interval{}, fmt.Errorf("slots: interval %q: %w", s, err)
	}
	return iv, nil
}

func parseClock(s string) (time.Duration, error) {
	hs, ms, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || len(ms) != 2 || err1 != nil || err2 != nil || h < 0 || h > 24 || m < 0 || m > 59 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return Clock(h, m), nil
}

// String formats the interval as "08:30-12:00".
func (iv Interval) String() string {
	f := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return f(iv.Start) + "-" + f(iv.End)
}

func (iv Interval) validate() error {
	if iv.Start < 0 || iv.End > 24*time.Hour || iv.Start >= iv.End {
		return fmt.Errorf("interval %s: want 00:00 <= start < end <= 24:00", iv)
	}
	return nil
}

// Store is what the engine needs to know about one store.
type Store struct {
	// Location is the store's time zone; required.
	Location *time.Location
	// Hours are the opening intervals per weekday. A weekday without an
	// entry is closed. Intervals of a day must not overlap; they need not be
	// sorted.
	Hours map[time.Weekday][]Interval
	// Closures are local dates ("2006-01-02") the store is closed (holidays).
	Closures map[string]bool
	// SlotLength is the grid step; zero means DefaultSlotLength.
	SlotLength time.Duration
	// Pools is the capacity per grid step of each pool, e.g. "bay": 3,
	// "advisor": 2.
	Pools map[string]int
	// PeakHours are the store's busy times of day, used by Suggest.
	PeakHours []Interval
	// BookingHorizon is how far after now a slot may start; zero means
	// DefaultBookingHorizon.
	BookingHorizon time.Duration
	// MinLeadTime is how soon after now a slot may start at the earliest;
	// zero means DefaultMinLeadTime, a negative value means no lead time.
	MinLeadTime time.Duration
}

// ServiceType is a kind of visit and the resources it holds.
type ServiceType struct {
	Code     string
	Duration time.Duration
	// Pools are the pools the service draws one unit from in every grid
	// step it covers. Each pool at most once, at least one pool.
	Pools []string
}

// DefaultServiceTypes are the industry defaults, in the order of DOMAIN.md.
// An insurance claim needs an advisor but no bay (the car is assessed, not
// worked on); every other type needs both.
func DefaultServiceTypes() []ServiceType {
	both := func() []string { return []string{PoolBay, PoolAdvisor} }
	return []ServiceType{
		{FirstService, 60 * time.Minute, both()},
		{PeriodicService, 90 * time.Minute, both()},
		{Repair, 120 * time.Minute, both()},
		{Inspection, 30 * time.Minute, both()},
		{SeasonalCheck, 30 * time.Minute, both()},
		{InsuranceClaim, 60 * time.Minute, []string{PoolAdvisor}},
		{Recall, 60 * time.Minute, both()},
	}
}

// Booking is an existing, non-cancelled booking. A non-positive Duration
// counts as one SlotLength. Each entry of Pools holds one unit.
type Booking struct {
	Start    time.Time
	Duration time.Duration
	Pools    []string
}

// Slot is one possible start for a service type.
type Slot struct {
	Start, End time.Time
	// Remaining is, for each pool the service needs, the fewest units left
	// over the grid steps it covers (never below zero).
	Remaining map[string]int
	// Available is true when every pool the service needs has a unit left.
	Available bool
	// Peak is true when [Start, End) overlaps one of the store's PeakHours.
	Peak bool
}

// Errors. Fits returns the booking errors, possibly wrapped with detail:
// test them with errors.Is. ErrFull comes as a *FullError naming the pool.
var (
	ErrInvalidStore   = errors.New("slots: invalid store set-up")
	ErrInvalidService = errors.New("slots: invalid service type")
	ErrUnknownPool    = errors.New("slots: service needs a pool the store does not have")
	ErrInvalidRange   = errors.New("slots: invalid time range")

	ErrInPast       = errors.New("slots: start is in the past or sooner than the minimum lead time")
	ErrTooFarAhead  = errors.New("slots: start is beyond the booking horizon")
	ErrClosed       = errors.New("slots: store is closed that day")
	ErrOutsideHours = errors.New("slots: service is not within one opening interval")
	ErrNotOnGrid    = errors.New("slots: start is not on the slot grid")
	ErrFull         = errors.New("slots: slot is full")
)

// FullError is ErrFull with the first of the service's pools (in its
// order) that has no unit left, and the start of the first grid step where
// it ran out.
type FullError struct {
	Pool string
	At   time.Time
}

func (e *FullError) Error() string {
	return fmt.Sprintf("slots: slot is full: no %s left at %s", e.Pool, e.At.Format("2006-01-02 15:04 -0700"))
}

// Is makes errors.Is(err, ErrFull) true.
func (e *FullError) Is(target error) bool { return target == ErrFull }
