package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

const myOwnerID = `{ me { owner { id } } }`

// ownerSeen is the owner id a token's `me` reaches, or "" for none.
func ownerSeen(t *testing.T, api *apitest.API, tok string) (string, *apitest.Response) {
	t.Helper()
	var me struct {
		Me struct{ Owner *struct{ ID string } }
	}
	res := api.Do(tok, myOwnerID, nil)
	res.Decode(t, &me)
	if me.Me.Owner == nil {
		return "", res
	}
	return me.Me.Owner.ID, res
}

// within polls done until it holds, failing the test with what after 5 s,
// and says how long it took: what ends a cached sign-in on another
// instance, or restarts caching, is asynchronous.
func within(t *testing.T, what string, done func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !done() {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("after 5 s, %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// waitUnlinked waits until tok reaches no owner on api.
func waitUnlinked(t *testing.T, api *apitest.API, tok string) time.Duration {
	t.Helper()
	return within(t, "a sign-in that ended still reaches its owner", func() bool {
		id, _ := ownerSeen(t, api, tok)
		return id == ""
	})
}

// A sign-in is remembered by each instance, and forgotten by every instance
// as soon as it ends or changes: an owner's erasure or a staff member's
// deactivation through another instance, a change by hand in the database,
// and a change while an instance cannot hear about it.
func TestSignInCacheAcrossInstances(t *testing.T) {
	pg, ok := testenv.Postgres(t)
	if !ok {
		t.Skip("needs PostgreSQL: the cache lives only where NOTIFY can end it")
	}
	a := apitest.Start(t, pg, apitest.Options{})
	b := a.Peer(t)
	ctx := context.Background()
	// warm signs owner i in twice on api and checks that the second request
	// saved the lookup; it returns the token and what the first one cost.
	warm := func(t *testing.T, api *apitest.API, i int) (string, int) {
		t.Helper()
		tok := a.OwnerToken(i)
		first, r1 := ownerSeen(t, api, tok)
		second, r2 := ownerSeen(t, api, tok)
		if first == "" || second != first {
			t.Fatalf("owner %d reached %q then %q", i, first, second)
		}
		n1, n2 := api.Statements(r1.RequestID), api.Statements(r2.RequestID)
		if n2 != n1-1 {
			t.Fatalf("statements: %d on the first request, %d on the second; want the sign-in's lookup saved", n1, n2)
		}
		return tok, n1
	}

	t.Run("erased on another instance", func(t *testing.T) {
		tok, _ := warm(t, b, 0)
		warm(t, a, 0)
		var erased struct{ EraseMyAccount bool }
		a.Do(tok, `mutation { eraseMyAccount(confirm: true) }`, nil).Decode(t, &erased)
		if id, _ := ownerSeen(t, a, tok); id != "" {
			t.Fatalf("the erasing instance still lets the token reach owner %s", id)
		}
		t.Logf("the other instance forgot the sign-in within %v", waitUnlinked(t, b, tok))
	})

	// Moved to another sign-in account: the token's phone number cannot
	// link it again, since the owner is linked.
	const moveAccount = `UPDATE owners SET auth_uid = 'moved-' || id WHERE id = $1`
	t.Run("staff deactivated on another instance", func(t *testing.T) {
		advisor := a.Staff(staff.RoleAdvisor, 1)
		tok := a.StaffToken(staff.RoleAdvisor, 1)
		kind := func(api *apitest.API) *apitest.Response { return api.Do(tok, `{ me { kind } }`, nil) }
		r1, r2 := kind(b), kind(b)
		if r1.Status != 200 || b.Statements(r2.RequestID) != b.Statements(r1.RequestID)-1 {
			t.Fatalf("advisor's sign-in: status %d, %d then %d statements; want the lookup saved",
				r1.Status, b.Statements(r1.RequestID), b.Statements(r2.RequestID))
		}
		admin := a.StaffToken(staff.RoleGroupAdmin, 0)
		res := a.Do(admin, `mutation($id: ID!, $s: ID!) { grantStaffRole(staffID: $id, role: advisor, dealershipID: $s, active: false) { id } }`,
			map[string]any{"id": fmt.Sprint(advisor.ID), "s": fmt.Sprint(a.Demo.Stores[1].ID)})
		if len(res.Errors) > 0 {
			t.Fatalf("deactivate: %+v", res.Errors)
		}
		if r := kind(a); r.Status != 401 {
			t.Fatalf("the deactivating instance still accepts the advisor: %d", r.Status)
		}
		took := within(t, "the other instance still accepts a deactivated advisor",
			func() bool { return kind(b).Status == 401 })
		t.Logf("the other instance refused the deactivated advisor within %v", took)
	})

	t.Run("moved by hand in the database", func(t *testing.T) {
		tok, _ := warm(t, b, 1)
		if _, err := a.App.DB.SQL.ExecContext(ctx, moveAccount, a.Demo.Owners[1].ID); err != nil {
			t.Fatal(err)
		}
		waitUnlinked(t, b, tok)
	})

	t.Run("changed while no instance listens", func(t *testing.T) {
		tok, uncached := warm(t, b, 2)
		// Cut every instance's listening session and move the owner in
		// the same transaction, so the NOTIFY finds nobody listening: the
		// sessions end within the 20 ms sleep, and the listeners reconnect
		// only after a 100 ms backoff. (Waiting in pg_terminate_backend
		// would poll every 100 ms, long enough for them to be back.)
		tx, err := a.App.DB.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var cut int
		if err := tx.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&cut); err != nil || cut != 2 {
			t.Fatalf("cut %d listening sessions (err %v), want both instances'", cut, err)
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_sleep(0.02)`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, moveAccount, a.Demo.Owners[2].ID); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		waitUnlinked(t, b, tok)
		// Once listening again, the instance caches sign-ins again: a
		// request soon costs less than one that looks the owner up. (A
		// lookup that straddles the reconnect is not stored; the next is.)
		other := a.OwnerToken(3)
		within(t, "the instance does not cache sign-ins again after its listener reconnected", func() bool {
			_, r := ownerSeen(t, b, other)
			return b.Statements(r.RequestID) < uncached
		})
	})
}
