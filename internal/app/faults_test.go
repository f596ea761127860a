package app_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftercare/ent/appointment"
	"aftercare/ent/workorder"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

// outcome is one request made under load.
type outcome struct {
	code  string // "" when it worked
	took  time.Duration
	phase string
}

// try posts a GraphQL document without failing the test (it runs in load
// goroutines): code is the first error's code, "NETWORK" if none came back.
func try(api *apitest.API, token, query string, vars map[string]any) (code string, data json.RawMessage) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, api.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := hostileClient.Do(req)
	if err != nil {
		return "NETWORK", nil
	}
	defer res.Body.Close()
	var out apitest.Response
	if json.NewDecoder(res.Body).Decode(&out) != nil {
		return fmt.Sprintf("HTTP_%d", res.StatusCode), nil
	}
	return out.Code(), out.Data
}

// PostgreSQL is stopped and started again under load, on a private cluster:
// while it is down every request fails fast with UNAVAILABLE (never
// INTERNAL, never a hang); afterwards the same server serves again without
// a restart, a progress subscription resumes with no lost or repeated
// event, and every booking is in the database exactly once.
func TestPostgresRestartUnderLoad(t *testing.T) {
	pg, ok := testenv.PrivatePostgres(t)
	if !ok {
		return
	}
	api := apitest.Start(t, testenv.Dialect{Name: "postgres", URL: pg.URL}, apitest.Options{})
	f := newFixture(t, api)
	wo := f.workOrder(workorder.StatusInRepair)
	owner, adv := f.token(ownA), f.token(adv1)
	for _, tok := range []string{owner, adv} {
		api.Do(tok, `{ me { kind } }`, nil)
	}
	slots := make([]time.Time, 200)
	for i := range slots {
		slots[i] = f.slot()
	}

	var mu sync.Mutex
	phase := "up"
	var outcomes []outcome
	record := func(code string, start time.Time) {
		mu.Lock()
		outcomes = append(outcomes, outcome{code, time.Since(start), phase})
		mu.Unlock()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	loop := func(fn func(i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				fn(i)
			}
		}()
	}
	// Readers.
	for range 3 {
		loop(func(int) {
			start := time.Now()
			code, _ := try(api, owner, `{ me { owner { vehicles(first: 5) { totalCount } } } }`, nil)
			record(code, start)
		})
	}
	// Work-order moves, each a numbered event for the subscriber.
	loop(func(i int) {
		to := []string{"waiting_parts", "in_repair"}[i%2]
		start := time.Now()
		code, _ := try(api, adv, `mutation($id: ID!, $to: WorkOrderStatus!) { advanceWorkOrder(input: {workOrderID: $id, to: $to}) { id } }`,
			map[string]any{"id": id(wo), "to": to})
		record(code, start)
	})
	// Bookings, each with its own idempotency key; a failed one is retried
	// with the same key after the restart, as the app does.
	keys := map[string]string{} // key -> last code
	loop(func(i int) {
		if i >= len(slots) {
			return
		}
		key := fmt.Sprintf("restart-%d", i)
		start := time.Now()
		code, _ := try(api, owner, `mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { id } }`, bookingVars(f, slots[i], key))
		record(code, start)
		mu.Lock()
		keys[key] = code
		mu.Unlock()
	})
	// The owner follows the repair live, resubscribing after the last seq
	// it saw whenever the subscription ends.
	seqs := make(chan int, 1000)
	stopFollowing := make(chan struct{})
	followed := make(chan struct{})
	var seen atomic.Int64
	go func() {
		defer close(followed)
		follow(t, api, owner, wo, seqs, &seen, stopFollowing)
	}()

	time.Sleep(2 * time.Second)
	setPhase := func(p string) { mu.Lock(); phase = p; mu.Unlock() }
	setPhase("stopping")
	pg.Stop()
	setPhase("down")
	time.Sleep(3 * time.Second)
	setPhase("starting")
	pg.Start()
	setPhase("recovering")
	downAt := time.Now()
	for {
		if code, _ := try(api, owner, `{ me { kind } }`, nil); code == "" {
			break
		}
		if time.Since(downAt) > time.Minute {
			t.Fatal("the server did not recover within a minute of PostgreSQL starting again")
		}
		time.Sleep(100 * time.Millisecond)
	}
	recovered := time.Since(downAt)
	setPhase("after")
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	// The moves have stopped: give the subscriber a moment to receive the
	// last ones before it stops too.
	last := int64(api.Client.WorkOrder.GetX(apitest.SystemCtx(), wo).LastEventSeq)
	for deadline := time.Now().Add(10 * time.Second); seen.Load() < last && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	close(stopFollowing)
	<-followed

	checkOutcomes(t, outcomes, recovered)
	checkBookings(t, api, f, slots, keys)
	checkEvents(t, api, wo, seqs)
}

func bookingVars(f *fixture, at time.Time, key string) map[string]any {
	return map[string]any{"in": map[string]any{"dealershipID": id(f.store1), "ownerID": id(f.ownerA),
		"vehicleID": id(f.vehicleA), "serviceType": "inspection", "startsAt": at, "idempotencyKey": key}}
}

// follow subscribes to the work order's progress and passes on every seq,
// resubscribing with after=<last seq> when the subscription ends.
func follow(t *testing.T, api *apitest.API, token string, wo int, seqs chan<- int, seen *atomic.Int64, stop <-chan struct{}) {
	last := 1
	for {
		select {
		case <-stop:
			return
		default:
		}
		s, err := apitest.Subscribe(t, api.URL, apitest.TransportWS, token,
			`subscription($id: ID!, $after: Int) { workOrderProgress(workOrderID: $id, after: $after) { seq } }`,
			map[string]any{"id": id(wo), "after": last})
		if err != nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		for {
			data, errs, err := s.Next(500 * time.Millisecond)
			if err != nil || errs != nil {
				select {
				case <-stop:
					s.Close()
					return
				default:
				}
				if errs == nil && err != nil && isTimeout(err) {
					continue
				}
				break
			}
			var ev struct{ WorkOrderProgress struct{ Seq int } }
			_ = json.Unmarshal(data, &ev)
			last = ev.WorkOrderProgress.Seq
			seqs <- last
			seen.Store(int64(last))
		}
		s.Close()
	}
}

func isTimeout(err error) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte("timeout"))
}

func checkOutcomes(t *testing.T, outcomes []outcome, recovered time.Duration) {
	t.Helper()
	byPhase := map[string]map[string]int{}
	slowest := map[string]time.Duration{}
	for _, o := range outcomes {
		if byPhase[o.phase] == nil {
			byPhase[o.phase] = map[string]int{}
		}
		byPhase[o.phase][o.code]++
		slowest[o.phase] = max(slowest[o.phase], o.took)
		switch o.code {
		case "", "UNAVAILABLE", "SLOT_FULL", "CONFLICT":
		default:
			t.Errorf("%s: a request answered %q", o.phase, o.code)
		}
		if o.phase == "down" && o.took > 15*time.Second {
			t.Errorf("a request hung for %v while PostgreSQL was down", o.took)
		}
	}
	if byPhase["down"]["UNAVAILABLE"] == 0 || byPhase["after"][""] == 0 {
		t.Errorf("outcomes %v: want UNAVAILABLE while down and successes after", byPhase)
	}
	t.Logf("outcomes by phase: %v; slowest: %v; serving again %v after PostgreSQL started", byPhase, slowest, recovered.Round(time.Millisecond))
}

// checkBookings retries the bookings that failed and then expects each key
// exactly once in the database.
func checkBookings(t *testing.T, api *apitest.API, f *fixture, slots []time.Time, keys map[string]string) {
	t.Helper()
	owner := f.token(ownA)
	retried := 0
	for key, code := range keys {
		if code == "UNAVAILABLE" || code == "NETWORK" {
			var i int
			fmt.Sscanf(key, "restart-%d", &i)
			retried++
			if code, _ := try(api, owner, `mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { id } }`, bookingVars(f, slots[i], key)); code != "" {
				t.Errorf("retrying booking %s: %s", key, code)
			}
		}
	}
	ctx := apitest.SystemCtx()
	for key := range keys {
		n := api.Client.Appointment.Query().Where(appointment.IdempotencyKey(key)).CountX(ctx)
		if n != 1 {
			t.Errorf("booking %s is in the database %d times", key, n)
		}
	}
	t.Logf("%d bookings, %d retried after the restart, each stored once", len(keys), retried)
}

// checkEvents expects the subscriber to have seen every event after the
// first, in order, once each.
func checkEvents(t *testing.T, api *apitest.API, wo int, seqs chan int) {
	t.Helper()
	lastSeq := api.Client.WorkOrder.GetX(apitest.SystemCtx(), wo).LastEventSeq
	close(seqs)
	want := 2
	for s := range seqs {
		if s != want {
			t.Fatalf("subscriber got seq %d, want %d (last is %d)", s, want, lastSeq)
		}
		want++
	}
	if want-1 != lastSeq {
		t.Fatalf("subscriber saw events up to %d of %d", want-1, lastSeq)
	}
	t.Logf("subscriber saw events 2..%d in order, none twice", lastSeq)
}

// Under the SQLite default, a full disk (here: SQLite's max_page_count
// reached) answers writes with UNAVAILABLE and a clear message, reads go
// on, nothing is corrupted, and writes work again once there is room.
func TestSQLiteDiskFull(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	f := newFixture(t, api)
	owner := f.token(ownA)
	api.Do(owner, `{ me { kind } }`, nil)
	db := api.App.DB.SQL
	var pages int
	if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	limitPages(t, api, pages+2)
	record := func(km int) *apitest.Response {
		return api.Do(owner, `mutation($in: RecordOdometerReadingInput!) { recordOdometerReading(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"vehicleID": id(f.vehicleA), "km": km, "source": "owner_app"}})
	}
	km, full := 100000, (*apitest.Response)(nil)
	for i := 0; i < 5000 && full == nil; i++ {
		km += 10
		if res := record(km); res.Code() != "" {
			full = res
		}
	}
	if full == nil || full.Code() != "UNAVAILABLE" {
		t.Fatalf("writing into a full database: %+v, want UNAVAILABLE", full)
	}
	t.Logf("full after %d readings: %s", (km-100000)/10, full.Errors[0].Message)
	if res := api.Do(owner, homeScreen, nil); res.Code() != "" {
		t.Fatalf("reads while the disk is full: %+v", res.Errors)
	}
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q, %v", check, err)
	}
	limitPages(t, api, 1<<30)
	if res := record(km + 10); res.Code() != "" {
		t.Fatalf("a write once there is room again: %+v", res.Errors)
	}
}

// limitPages sets max_page_count on every connection of the pool (a
// per-connection setting): it takes all of them at once, so none is missed.
func limitPages(t *testing.T, api *apitest.API, n int) {
	t.Helper()
	db := api.App.DB.SQL
	const conns = 4
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	ctx := apitest.SystemCtx()
	var held []*sql.Conn
	for range conns {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", n)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range held {
		c.Close()
	}
}
