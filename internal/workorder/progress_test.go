package workorder_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"

	"github.com/coder/websocket"
)

const progressSub = `subscription($id: ID!, $after: Int) { workOrderProgress(workOrderID: $id, after: $after) { seq toStatus message } }`

type event struct {
	Seq      int
	ToStatus string
	Message  string
}

func nextEvent(t *testing.T, s *apitest.Subscription) event {
	t.Helper()
	data, errs, err := s.Next(10 * time.Second)
	if err != nil || errs != nil {
		t.Fatalf("subscription: %v %+v", err, errs)
	}
	var out struct{ WorkOrderProgress event }
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out.WorkOrderProgress
}

func expectSeqs(t *testing.T, s *apitest.Subscription, seqs ...int) {
	t.Helper()
	for _, want := range seqs {
		if got := nextEvent(t, s); got.Seq != want {
			t.Fatalf("got event %d (%s), want %d", got.Seq, got.ToStatus, want)
		}
	}
}

func expectNothing(t *testing.T, s *apitest.Subscription) {
	t.Helper()
	if data, _, err := s.Next(300 * time.Millisecond); err == nil {
		t.Fatalf("unexpected extra event %s", data)
	}
}

// An owner watches the repair, drops off, misses two steps, and comes back:
// the missed steps arrive first, then live ones, none twice.
func TestProgressResumesWithoutGapsOrDuplicates(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		for _, protocol := range []string{apitest.TransportWS, apitest.LegacyWS} {
			t.Run(protocol, func(t *testing.T) {
				v := newVisit(t, api)
				v.checkIn(true)
				s, err := apitest.Subscribe(t, api.URL, protocol, v.owner, progressSub, map[string]any{"id": v.workOrderID})
				if err != nil {
					t.Fatal(err)
				}
				if first := nextEvent(t, s); first.Seq != 1 || first.Message == "" {
					t.Fatalf("first event %+v, want the check-in with its message", first)
				}
				v.mustAdvance(v.technician, "diagnosing")
				v.mustAdvance(v.advisor, "in_repair")
				expectSeqs(t, s, 2, 3)
				s.Close()

				v.mustAdvance(v.technician, "waiting_parts")
				v.mustAdvance(v.technician, "in_repair")
				back, err := apitest.Subscribe(t, api.URL, protocol, v.owner, progressSub, map[string]any{"id": v.workOrderID, "after": 3})
				if err != nil {
					t.Fatal(err)
				}
				expectSeqs(t, back, 4, 5)
				v.mustAdvance(v.technician, "quality_check")
				expectSeqs(t, back, 6)
				expectNothing(t, back)
			})
		}
	})
}

func TestProgressIsAuthorisedAtSubscribe(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		v := newVisit(t, api)
		v.checkIn(true)
		for name, tok := range map[string]string{
			"owner B":         api.OwnerToken(1),
			"store-2 advisor": api.StaffToken(staff.RoleAdvisor, 1),
			"anonymous":       "",
		} {
			s, err := apitest.Subscribe(t, api.URL, apitest.TransportWS, tok, progressSub, map[string]any{"id": v.workOrderID})
			if err != nil {
				t.Fatal(err)
			}
			_, errs, err := s.Next(5 * time.Second)
			if err != nil || len(errs) == 0 || errs[0].Extensions["code"] != "NOT_FOUND" {
				t.Errorf("%s subscribing: errors %+v (%v), want NOT_FOUND", name, errs, err)
			}
		}
		board := `subscription($s: ID!) { storeBoard(dealershipID: $s) { id status } }`
		s, _ := apitest.Subscribe(t, api.URL, apitest.TransportWS, api.StaffToken(staff.RoleAdvisor, 1), board,
			map[string]any{"s": strconv.Itoa(api.Demo.Stores[0].ID)})
		if _, errs, _ := s.Next(5 * time.Second); len(errs) == 0 {
			t.Error("a store-2 advisor watched store 1's board")
		}
	})
}

func TestStoreBoardShowsEveryChange(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		v := newVisit(t, api)
		board := `subscription($s: ID!) { storeBoard(dealershipID: $s) { id status } }`
		s, err := apitest.Subscribe(t, api.URL, apitest.TransportWS, api.StaffToken(staff.RoleServiceManager, 0), board,
			map[string]any{"s": strconv.Itoa(api.Demo.Stores[0].ID)})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // let the subscription register before the first change
		v.checkIn(true)
		for _, want := range []string{"checked_in", "diagnosing"} {
			if want != "checked_in" {
				v.mustAdvance(v.technician, want)
			}
			data, errs, err := s.Next(10 * time.Second)
			if err != nil || errs != nil {
				t.Fatalf("board: %v %+v", err, errs)
			}
			var out struct{ StoreBoard struct{ ID, Status string } }
			_ = json.Unmarshal(data, &out)
			if out.StoreBoard.ID != v.workOrderID || out.StoreBoard.Status != want {
				t.Fatalf("board shows %+v, want %s %s", out.StoreBoard, v.workOrderID, want)
			}
		}
	})
}

// Two API instances share one PostgreSQL: a change made through one reaches
// a subscriber connected to the other.
func TestProgressCrossesInstances(t *testing.T) {
	d, ok := testenv.Postgres(t)
	if !ok {
		t.Skip("needs PostgreSQL")
	}
	one := apitest.Start(t, d, apitest.Options{})
	two := one.Peer(t)
	v := newVisit(t, one)
	v.checkIn(true)
	s, err := apitest.Subscribe(t, two.URL, apitest.TransportWS, v.owner, progressSub, map[string]any{"id": v.workOrderID})
	if err != nil {
		t.Fatal(err)
	}
	expectSeqs(t, s, 1)
	v.mustAdvance(v.technician, "diagnosing") // through instance one
	expectSeqs(t, s, 2)
}

// SIGTERM: the server stops accepting, tells websocket clients it is
// restarting (so they reconnect elsewhere with backoff) and drains.
func TestShutdownClosesSocketsCleanly(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	v := newVisit(t, api)
	v.checkIn(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- api.App.Serve(ctx, ln, 5*time.Second) }()
	url := "http://" + ln.Addr().String()
	s, err := apitest.Subscribe(t, url, apitest.TransportWS, v.owner, progressSub, map[string]any{"id": v.workOrderID})
	if err != nil {
		t.Fatal(err)
	}
	expectSeqs(t, s, 1)
	start := time.Now()
	stop()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	_, _, err = s.Next(5 * time.Second)
	status := websocket.CloseStatus(errors.Unwrap(err))
	if status == -1 {
		status = websocket.CloseStatus(err)
	}
	if status != websocket.StatusServiceRestart {
		t.Fatalf("socket ended with %v (status %d), want 1012 service restart so clients back off", err, status)
	}
	if time.Since(start) > 4*time.Second {
		t.Fatalf("shutdown took %s", time.Since(start))
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("the server still accepts connections after shutdown")
	}
}

// The instance's LISTEN connection dies (failover, idle timeout) while a
// change is committed: the listener reconnects and subscribers catch up
// from the database, losing nothing.
func TestProgressSurvivesADroppedListener(t *testing.T) {
	d, ok := testenv.Postgres(t)
	if !ok {
		t.Skip("needs PostgreSQL")
	}
	api := apitest.Start(t, d, apitest.Options{})
	v := newVisit(t, api)
	v.checkIn(true)
	s, err := apitest.Subscribe(t, api.URL, apitest.TransportWS, v.owner, progressSub, map[string]any{"id": v.workOrderID})
	if err != nil {
		t.Fatal(err)
	}
	expectSeqs(t, s, 1)
	res, err := api.App.DB.SQL.ExecContext(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("terminated %d listener connections, want 1", n)
	}
	v.mustAdvance(v.technician, "diagnosing") // committed while nobody listens
	v.mustAdvance(v.advisor, "in_repair")
	expectSeqs(t, s, 2, 3)
	expectNothing(t, s)
}
