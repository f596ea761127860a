package booking_test

// Booking benchmarks (issue #4): the real API over HTTP on loopback, on a
// fresh PostgreSQL database, with 32 concurrent clients. They run only with
// -bench, e.g.
//
//	go test -run '^$' -bench Booking -benchtime 2000x ./internal/booking/
//
// Each benchmark seeds its database once, in the outer function, and times
// a sub-benchmark that Go calls again with growing b.N; one iteration is one
// bookAppointment request. The results are in docs/BENCHMARKS.md.

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftercare/ent/appointment"
	"aftercare/ent/staff"
	"aftercare/ent/vehicle"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

const (
	benchClients = 32
	benchBook    = `mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { id } }`
)

// benchEnv is one seeded API with a signed-in owner of store 1 per client.
type benchEnv struct {
	api      *apitest.API
	store    string
	tokens   []string // per client: the owner's token
	vehicles []string // per client: the owner's vehicle
	run      atomic.Int64
}

func startBench(b *testing.B, capacity int) *benchEnv {
	b.Helper()
	d, ok := testenv.Postgres(b)
	if !ok {
		b.Skip("PostgreSQL is not reachable")
	}
	// One kept-alive connection per client, as real clients have: the
	// default transport keeps only 2 idle connections per host, so 30 of the
	// 32 clients would dial a new connection for every request.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = benchClients
	prev := http.DefaultClient.Transport
	http.DefaultClient.Transport = tr
	b.Cleanup(func() {
		http.DefaultClient.Transport = prev
		tr.CloseIdleConnections()
	})
	api := apitest.Start(b, d, apitest.Options{Owners: 2 * benchClients})
	env := &benchEnv{api: api, store: strconv.Itoa(api.Demo.Stores[0].ID)}
	for c := 0; c < benchClients; c++ {
		o := 2 * c // the owners of store 1 are the even-numbered ones
		v := api.Client.Vehicle.Query().Where(vehicle.OwnerID(api.Demo.Owners[o].ID)).FirstIDX(apitest.SystemCtx())
		env.tokens = append(env.tokens, api.OwnerToken(o))
		env.vehicles = append(env.vehicles, strconv.Itoa(v))
	}
	env.setCapacity(b, capacity)
	return env
}

func (e *benchEnv) setCapacity(b *testing.B, units int) {
	b.Helper()
	res := e.api.Do(e.api.StaffToken(staff.RoleServiceManager, 0),
		`mutation($s: ID!, $n: Int!) { setBookingSettings(dealershipID: $s, input: {capacity: [{pool: "bay", units: $n}, {pool: "advisor", units: $n}]}) { id } }`,
		map[string]any{"s": e.store, "n": units})
	if res.Errors != nil {
		b.Fatalf("set capacity: %+v", res.Errors)
	}
}

func (e *benchEnv) input(client int, at time.Time, key string) map[string]any {
	return map[string]any{"in": map[string]any{
		"dealershipID": e.store, "vehicleID": e.vehicles[client],
		"serviceType": "inspection", "startsAt": at, "idempotencyKey": key,
	}}
}

// benchSlots are the 30-minute slots of store 1 (Mon-Sat, 08:30-17:30
// starts) from days first to last ahead, day-major.
func benchSlots(first, last int) [][]time.Time {
	var days [][]time.Time
	for n := first; n <= last; n++ {
		d := time.Now().In(shanghai).AddDate(0, 0, n)
		if d.Weekday() == time.Sunday {
			continue
		}
		var day []time.Time
		for m := 8*60 + 30; m+30 <= 18*60; m += 30 {
			day = append(day, time.Date(d.Year(), d.Month(), d.Day(), m/60, m%60, 0, 0, shanghai))
		}
		days = append(days, day)
	}
	return days
}

// outcome is one request: how long it took and how it ended.
type outcome struct {
	d     time.Duration
	code  string // "" for a booking
	reqID string
}

// hammer runs b.N requests from benchClients goroutines; request i is
// do(client, i). It returns the outcomes (indexed by i) and the wall time.
func hammer(b *testing.B, do func(client, i int) *apitest.Response) ([]outcome, time.Duration) {
	out := make([]outcome, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				res := do(c, i)
				code := res.Code()
				if code == "" && (res.Status != http.StatusOK || len(res.Errors) > 0) {
					code = fmt.Sprintf("HTTP_%d", res.Status)
				}
				out[i] = outcome{d: time.Since(t0), code: code, reqID: res.RequestID}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	return out, elapsed
}

// report adds the request rate, latency percentiles and outcome counts (and
// the booking rate when perBooking), and returns the counts by code.
func report(b *testing.B, api *apitest.API, out []outcome, elapsed time.Duration, perBooking bool) map[string]int {
	ds := make([]time.Duration, len(out))
	codes := map[string]int{}
	stmts := 0
	for i, o := range out {
		ds[i] = o.d
		codes[o.code]++
		if o.code == "" {
			stmts += api.Statements(o.reqID)
		}
	}
	slices.Sort(ds)
	pct := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(ds)))) - 1
		return float64(ds[max(i, 0)]) / float64(time.Millisecond)
	}
	sec := elapsed.Seconds()
	b.ReportMetric(float64(len(out))/sec, "req/s")
	if perBooking {
		b.ReportMetric(float64(codes[""])/sec, "bookings/s")
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(codes[""]), "booked")
	if codes[""] > 0 {
		b.ReportMetric(float64(stmts)/float64(codes[""]), "stmts/booking")
	}
	return codes
}

// 32 clients book distinct slots spread over the whole booking horizon, so
// that they rarely wait for one another's day lock.
func BenchmarkBookingSpread(b *testing.B) {
	env := startBench(b, 1000)
	days := benchSlots(2, 58) // inside the 60-day horizon and the 1-hour lead time
	perDay := len(days[0])
	var seq atomic.Int64 // across b.N runs: each request gets its own slot and key
	b.Run(fmt.Sprintf("clients=%d", benchClients), func(b *testing.B) {
		base := seq.Add(int64(b.N)) - int64(b.N)
		out, elapsed := hammer(b, func(c, i int) *apitest.Response {
			// Consecutive requests go to consecutive days: the 32 in flight
			// hold different day locks unless they are len(days) apart.
			k := int(base) + i
			at := days[k%len(days)][(k/len(days))%perDay]
			return env.api.Do(env.tokens[c], benchBook, env.input(c, at, fmt.Sprintf("bench-spread-%08d", k)))
		})
		codes := report(b, env.api, out, elapsed, true)
		b.ReportMetric(float64(b.N-codes[""]), "errors")
		if codes[""] != b.N {
			b.Fatalf("outcomes %v, want %d bookings and no errors", codes, b.N)
		}
	})
}

// 32 clients race for one slot with room for 3: every run of b.N requests
// goes to a fresh slot (on a day of its own), so exactly min(3, b.N) succeed
// and the rest are SLOT_FULL.
func BenchmarkBookingHotSlot(b *testing.B) {
	const capacity = 3
	env := startBench(b, capacity)
	days := benchSlots(10, 58) // clear of the demo appointments around now
	b.Run(fmt.Sprintf("clients=%d/capacity=%d", benchClients, capacity), func(b *testing.B) {
		run := int(env.run.Add(1))
		at := days[run%len(days)][5] // 11:00
		if n := activeAt(env, at); n != 0 {
			b.Fatalf("slot %v already holds %d bookings", at, n)
		}
		out, elapsed := hammer(b, func(c, i int) *apitest.Response {
			return env.api.Do(env.tokens[c], benchBook, env.input(c, at, fmt.Sprintf("bench-hot-%d-%08d", run, i)))
		})
		codes := report(b, env.api, out, elapsed, false)
		b.ReportMetric(float64(codes["SLOT_FULL"]), "slot-full")
		b.ReportMetric(float64(b.N-codes[""]-codes["SLOT_FULL"]), "errors")
		want := min(capacity, b.N)
		if codes[""] != want || codes["SLOT_FULL"] != b.N-want {
			b.Fatalf("outcomes %v, want %d bookings and %d SLOT_FULL", codes, want, b.N-want)
		}
		if n := activeAt(env, at); n != want {
			b.Fatalf("%d bookings stored in the slot, want %d", n, want)
		}
	})
}

// 32 clients book the same day of one store with room for everyone: every
// booking succeeds, but all of them queue for that day's lock, so this is the
// ceiling of bookings per store and day. After a busy day's worth (8 in each
// of its 19 slots) the requests move on to another day, so that the capacity
// check, which reads the day's bookings, reads a realistic number of them.
func BenchmarkBookingHotDay(b *testing.B) {
	const perDay = 8 * 19
	env := startBench(b, 1000)
	// A year ahead: about 150 days of perDay bookings (22,000 requests) before a
	// day is reused.
	if res := env.api.Do(env.api.StaffToken(staff.RoleServiceManager, 0), `mutation($s: ID!) { setBookingSettings(dealershipID: $s, input: {bookingHorizonDays: 365}) { id } }`,
		map[string]any{"s": env.store}); res.Errors != nil {
		b.Fatalf("set horizon: %+v", res.Errors)
	}
	days := benchSlots(10, 360)
	var seq atomic.Int64
	b.Run(fmt.Sprintf("clients=%d", benchClients), func(b *testing.B) {
		base := int(seq.Add(int64(b.N)) - int64(b.N))
		out, elapsed := hammer(b, func(c, i int) *apitest.Response {
			k := base + i
			day := days[(2*(k/perDay))%len(days)] // every other day: the +-24h read stays on this one
			return env.api.Do(env.tokens[c], benchBook, env.input(c, day[k%len(day)], fmt.Sprintf("bench-day-%08d", k)))
		})
		codes := report(b, env.api, out, elapsed, true)
		b.ReportMetric(float64(b.N-codes[""]), "errors")
		if codes[""] != b.N {
			b.Fatalf("outcomes %v, want %d bookings and no errors", codes, b.N)
		}
	})
}

func activeAt(env *benchEnv, at time.Time) int {
	return env.api.Client.Appointment.Query().Where(appointment.DealershipID(env.api.Demo.Stores[0].ID),
		appointment.StartsAt(at.UTC()), appointment.StatusNEQ(appointment.StatusCancelled)).CountX(apitest.SystemCtx())
}
