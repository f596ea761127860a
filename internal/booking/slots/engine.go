package slots

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// config is a validated Store with its defaults filled in.
type config struct {
	loc      *time.Location
	hours    map[time.Weekday][]Interval // sorted, non-overlapping
	closures map[string]bool
	step     time.Duration
	pools    map[string]int
	peak     []Interval
	horizon  time.Duration
	lead     time.Duration
}

func (s Store) config() (*config, error) {
	if s.Location == nil {
		return nil, fmt.Errorf("%w: no location", ErrInvalidStore)
	}
	c := &config{loc: s.Location, closures: s.Closures, pools: s.Pools,
		step: s.SlotLength, horizon: s.BookingHorizon, lead: s.MinLeadTime}
	switch {
	case c.step == 0:
		c.step = DefaultSlotLength
	case c.step < 0:
		return nil, fmt.Errorf("%w: negative slot length %s", ErrInvalidStore, c.step)
	}
	switch {
	case c.horizon == 0:
		c.horizon = DefaultBookingHorizon
	case c.horizon < 0:
		return nil, fmt.Errorf("%w: negative booking horizon %s", ErrInvalidStore, c.horizon)
	}
	switch {
	case c.lead == 0:
		c.lead = DefaultMinLeadTime
	case c.lead < 0:
		c.lead = 0
	}
	c.hours = make(map[time.Weekday][]Interval, len(s.Hours))
	for wd, ivs := range s.Hours {
		if wd < time.Sunday || wd > time.Saturday {
			return nil, fmt.Errorf("%w: weekday %d", ErrInvalidStore, wd)
		}
		sorted := slices.Clone(ivs)
		slices.SortFunc(sorted, func(a, b Interval) int { return cmp.Compare(a.Start, b.Start) })
		for i, iv := range sorted {
			if err := iv.validate(); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalidStore, wd, err)
			}
			if i > 0 && sorted[i-1].End > iv.Start {
				return nil, fmt.Errorf("%w: %s: intervals %s and %s overlap", ErrInvalidStore, wd, sorted[i-1], iv)
			}
		}
		c.hours[wd] = sorted
	}
	for _, iv := range s.PeakHours {
		if err := iv.validate(); err != nil {
			return nil, fmt.Errorf("%w: peak hours: %v", ErrInvalidStore, err)
		}
	}
	c.peak = s.PeakHours
	for p, n := range s.Pools {
		if p == "" || n < 0 {
			return nil, fmt.Errorf("%w: pool %q capacity %d", ErrInvalidStore, p, n)
		}
	}
	return c, nil
}

func (c *config) checkService(st ServiceType) error {
	if st.Duration <= 0 {
		return fmt.Errorf("%w: %s: duration %s", ErrInvalidService, st.Code, st.Duration)
	}
	if len(st.Pools) == 0 {
		return fmt.Errorf("%w: %s draws on no pool", ErrInvalidService, st.Code)
	}
	for i, p := range st.Pools {
		if slices.Contains(st.Pools[:i], p) {
			return fmt.Errorf("%w: %s lists pool %q twice", ErrInvalidService, st.Code, p)
		}
		if _, ok := c.pools[p]; !ok {
			return fmt.Errorf("%w: %s needs %q", ErrUnknownPool, st.Code, p)
		}
	}
	return nil
}

// checkRange accepts from < to at most MaxRangeDays local calendar days apart.
func (c *config) checkRange(from, to time.Time) error {
	if !from.Before(to) {
		return fmt.Errorf("%w: from %s is not before to %s", ErrInvalidRange, from, to)
	}
	if to.After(from.In(c.loc).AddDate(0, 0, MaxRangeDays)) {
		return fmt.Errorf("%w: longer than %d days", ErrInvalidRange, MaxRangeDays)
	}
	return nil
}

// window is the first and last start bookable at now.
func (c *config) window(now time.Time) (earliest, latest time.Time) {
	return now.Add(c.lead), now.Add(c.horizon)
}

// civilDay is t's local date in loc, as UTC midnight.
func civilDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (c *config) closed(day time.Time) bool {
	return c.closures[day.Format(DateLayout)] || len(c.hours[day.Weekday()]) == 0
}

// wallInstant is the first instant at which the wall clock in loc reads at
// least off after the midnight starting the civil date day (UTC midnight).
// A reading inside a spring-forward gap yields the end of the gap; a
// reading repeated by a fall-back yields its first occurrence.
func wallInstant(loc *time.Location, day time.Time, off time.Duration) time.Time {
	w := day.Add(off) // the wanted reading, written as if it were UTC
	// Zone offsets are within -12h..+14h, so 15h before w (as UTC) the
	// clock reads less than w. Walk the zone periods from there.
	t := w.Add(-15 * time.Hour)
	for range 16 {
		local := t.In(loc)
		_, secs := local.Zone()
		start, end := local.ZoneBounds()
		cand := w.Add(-time.Duration(secs) * time.Second) // reads w in this period
		if cand.Before(start) {
			return start.In(loc) // the clock jumped over w when this period began
		}
		if end.IsZero() || cand.Before(end) {
			return cand.In(loc)
		}
		t = end
	}
	panic("slots: no instant found for a wall-clock time") // unreachable for real zones
}

// span is one opening interval of one date, as real instants.
type span struct{ open, close time.Time }

// spans are the opening intervals of day (not checking closures), in order,
// leaving out any that a DST gap swallows whole.
func (c *config) spans(day time.Time) []span {
	return resolve(c.loc, day, c.hours[day.Weekday()])
}

func resolve(loc *time.Location, day time.Time, ivs []Interval) []span {
	var out []span
	for _, iv := range ivs {
		sp := span{wallInstant(loc, day, iv.Start), wallInstant(loc, day, iv.End)}
		if sp.close.After(sp.open) {
			out = append(out, sp)
		}
	}
	return out
}

// stepCount is the number of grid steps of sp, the last possibly partial.
func (c *config) stepCount(sp span) int {
	return int((sp.close.Sub(sp.open) + c.step - 1) / c.step)
}

// usage counts, per store pool and grid step of sp, the units bookings hold.
func (c *config) usage(sp span, bookings []Booking) map[string][]int {
	n := c.stepCount(sp)
	used := make(map[string][]int, len(c.pools))
	for p := range c.pools {
		used[p] = make([]int, n)
	}
	for _, b := range bookings {
		d := b.Duration
		if d <= 0 {
			d = c.step
		}
		from, to := b.Start, b.Start.Add(d)
		if !from.Before(sp.close) || !to.After(sp.open) {
			continue
		}
		if from.Before(sp.open) {
			from = sp.open
		}
		if to.After(sp.close) {
			to = sp.close
		}
		first := int(from.Sub(sp.open) / c.step)
		last := int((to.Sub(sp.open) + c.step - 1) / c.step) // exclusive
		for _, p := range b.Pools {
			if u, ok := used[p]; ok {
				for i := first; i < last; i++ {
					u[i]++
				}
			}
		}
	}
	return used
}

// remaining is, per pool, the fewest units left over the steps k..k+n-1,
// clamped at zero, with the first pool that has none and the step where it
// first ran out (fullPool is "" when every pool has a unit).
func (c *config) remaining(used map[string][]int, k, n int, pools []string) (rem map[string]int, fullPool string, fullStep int) {
	rem = make(map[string]int, len(pools))
	for _, p := range pools {
		least, at := c.pools[p], k
		for i := k; i < k+n; i++ {
			if left := c.pools[p] - used[p][i]; left < least {
				least, at = left, i
			}
		}
		if least <= 0 && fullPool == "" {
			fullPool, fullStep = p, at
		}
		rem[p] = max(least, 0)
	}
	return rem, fullPool, fullStep
}

// cover is the number of grid steps a service of duration d occupies.
func (c *config) cover(d time.Duration) int {
	return int((d + c.step - 1) / c.step)
}

func overlapsAny(start, end time.Time, spans []span) bool {
	for _, sp := range spans {
		if start.Before(sp.close) && sp.open.Before(end) {
			return true
		}
	}
	return false
}

// Generate lists every grid start in [from, to) at which the whole of st
// fits in one opening interval of an open day, bookable at now (not before
// now+MinLeadTime, not after now+BookingHorizon), with the capacity left
// for st given bookings. Unavailable (full) starts are listed too, with
// Available false. It fails for an invalid store or service, a service
// pool the store lacks, from >= to, or a range over MaxRangeDays.
func Generate(store Store, st ServiceType, from, to time.Time, bookings []Booking, now time.Time) ([]Slot, error) {
	c, err := store.config()
	if err != nil {
		return nil, err
	}
	if err := c.checkService(st); err != nil {
		return nil, err
	}
	if err := c.checkRange(from, to); err != nil {
		return nil, err
	}
	earliest, latest := c.window(now)
	n := c.cover(st.Duration)
	var out []Slot
	for day, last := civilDay(from, c.loc), civilDay(to, c.loc); !day.After(last); day = day.AddDate(0, 0, 1) {
		if c.closed(day) {
			continue
		}
		peaks := resolve(c.loc, day, c.peak)
		for _, sp := range c.spans(day) {
			var used map[string][]int
			for k := 0; ; k++ {
				start := sp.open.Add(time.Duration(k) * c.step)
				end := start.Add(st.Duration)
				if end.After(sp.close) {
					break
				}
				if start.Before(from) || !start.Before(to) || start.Before(earliest) || start.After(latest) {
					continue
				}
				if used == nil {
					used = c.usage(sp, bookings)
				}
				rem, full, _ := c.remaining(used, k, n, st.Pools)
				out = append(out, Slot{Start: start.In(c.loc), End: end.In(c.loc), Remaining: rem,
					Available: full == "", Peak: overlapsAny(start, end, peaks)})
			}
		}
	}
	return out, nil
}

// Fits is the check to run inside the booking transaction, right before
// inserting a booking of st at start, with the bookings read in that
// transaction. It returns nil exactly when Generate would list start as
// Available. Otherwise, checked in this order: the store, service and
// pool errors of Generate; ErrInPast (before now+MinLeadTime);
// ErrTooFarAhead (after now+BookingHorizon); ErrClosed (a closure or a
// weekday without hours); ErrOutsideHours (start outside every interval,
// or the service would run past its interval's closing); ErrNotOnGrid;
// *FullError (ErrFull) naming the first of st's pools with no unit left.
func Fits(store Store, st ServiceType, start time.Time, bookings []Booking, now time.Time) error {
	c, err := store.config()
	if err != nil {
		return err
	}
	if err := c.checkService(st); err != nil {
		return err
	}
	earliest, latest := c.window(now)
	if start.Before(earliest) {
		return fmt.Errorf("%w: the earliest bookable start is %s", ErrInPast, stamp(earliest.In(c.loc)))
	}
	if start.After(latest) {
		return fmt.Errorf("%w: the latest bookable start is %s", ErrTooFarAhead, stamp(latest.In(c.loc)))
	}
	day := civilDay(start, c.loc)
	if c.closed(day) {
		return fmt.Errorf("%w: %s", ErrClosed, day.Format(DateLayout))
	}
	for _, sp := range c.spans(day) {
		if start.Before(sp.open) || !start.Before(sp.close) {
			continue
		}
		off := start.Sub(sp.open)
		if off%c.step != 0 {
			return fmt.Errorf("%w: starts are every %s from %s", ErrNotOnGrid, c.step, stamp(sp.open))
		}
		if start.Add(st.Duration).After(sp.close) {
			return fmt.Errorf("%w: %s would end after closing at %s", ErrOutsideHours, st.Code, stamp(sp.close))
		}
		k := int(off / c.step)
		_, full, at := c.remaining(c.usage(sp, bookings), k, c.cover(st.Duration), st.Pools)
		if full != "" {
			return &FullError{Pool: full, At: sp.open.Add(time.Duration(at) * c.step).In(c.loc)}
		}
		return nil
	}
	return fmt.Errorf("%w: %s", ErrOutsideHours, stamp(start.In(c.loc)))
}

func stamp(t time.Time) string { return t.Format("2006-01-02 15:04 -0700") }

// Step is one grid step of an opening interval, for the advisor's day view.
type Step struct {
	Start, End time.Time
	// Used counts the units bookings hold in this step, for every pool of
	// the store (zero included).
	Used map[string]int
	// Free is capacity minus Used; negative when the step is overbooked
	// (bookings made outside this engine).
	Free map[string]int
}

// Occupancy lists every grid step of the opening intervals of open days
// whose start is in [from, to), with the units bookings hold in it. The
// last step of an interval that is not a whole SlotLength ends at closing.
// It fails for an invalid store, from >= to or a range over MaxRangeDays.
func Occupancy(store Store, from, to time.Time, bookings []Booking) ([]Step, error) {
	c, err := store.config()
	if err != nil {
		return nil, err
	}
	if err := c.checkRange(from, to); err != nil {
		return nil, err
	}
	var out []Step
	for day, last := civilDay(from, c.loc), civilDay(to, c.loc); !day.After(last); day = day.AddDate(0, 0, 1) {
		if c.closed(day) {
			continue
		}
		for _, sp := range c.spans(day) {
			used := c.usage(sp, bookings)
			for k := range c.stepCount(sp) {
				start := sp.open.Add(time.Duration(k) * c.step)
				if start.Before(from) || !start.Before(to) {
					continue
				}
				end := start.Add(c.step)
				if end.After(sp.close) {
					end = sp.close
				}
				st := Step{Start: start.In(c.loc), End: end.In(c.loc),
					Used: make(map[string]int, len(c.pools)), Free: make(map[string]int, len(c.pools))}
				for p, capacity := range c.pools {
					st.Used[p] = used[p][k]
					st.Free[p] = capacity - used[p][k]
				}
				out = append(out, st)
			}
		}
	}
	return out, nil
}
