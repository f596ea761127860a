package points_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/pointentry"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/staff"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
	"aftercare/internal/apitest"
	"aftercare/internal/apperr"
	"aftercare/internal/points"
	"aftercare/internal/testenv"
)

// fixture is a running API and the helpers the tests share.
type fixture struct {
	t   *testing.T
	api *apitest.API
	n   int
}

func start(t *testing.T, d testenv.Dialect) *fixture {
	return &fixture{t: t, api: apitest.Start(t, d, apitest.Options{Owners: 8})}
}

// store is the demo store index (0 or 1) of the i-th demo owner.
func (f *fixture) store(i int) int {
	if *f.api.Demo.Owners[i].HomeDealershipID == f.api.Demo.Stores[0].ID {
		return 0
	}
	return 1
}

func (f *fixture) advisor(i int) string { return f.api.StaffToken(staff.RoleAdvisor, f.store(i)) }

// workOrder opens a work order in status for the i-th demo owner at their
// home store.
func (f *fixture) workOrder(i int, status workorder.Status) *ent.WorkOrder {
	f.t.Helper()
	ctx := apitest.SystemCtx()
	o := f.api.Demo.Owners[i]
	v := f.api.Client.Owner.QueryVehicles(o).FirstX(ctx)
	f.n++
	wo := f.api.Client.WorkOrder.Create().SetNumber(fmt.Sprintf("WO-PTS-%d", f.n)).SetDealershipID(*o.HomeDealershipID).
		SetVehicleID(v.ID).SetOwnerID(o.ID).SetStatus(status).SetOdometerInKm(v.OdometerKm).SetLastEventSeq(1).
		SetCheckIn(schematype.CheckIn{FaultConfirmed: true, WorkConfirmed: true, PromisedTimeConfirmed: true}).SaveX(ctx)
	f.api.Client.WorkOrderEvent.Create().SetWorkOrderID(wo.ID).SetSeq(1).SetToStatus(workorderevent.ToStatus(status)).
		SetActorKind(workorderevent.ActorKindSystem).ExecX(ctx)
	return wo
}

// deliver hands back a ready work order of the i-th owner through the API,
// with labour of cents and no parts.
func (f *fixture) deliver(i int, wo *ent.WorkOrder, cents int64) {
	f.t.Helper()
	res := f.api.Do(f.advisor(i),
		`mutation($id: ID!, $km: Int!, $c: Int!) { deliverWorkOrder(input: {workOrderID: $id, odometerKm: $km, labourCents: $c, partsCents: 0}) { id } }`,
		map[string]any{"id": strconv.Itoa(wo.ID), "km": wo.OdometerInKm + 1, "c": cents})
	if res.Errors != nil {
		f.t.Fatalf("deliver: %+v", res.Errors)
	}
}

// paidVisit delivers a new work order of the i-th owner for cents.
func (f *fixture) paidVisit(i int, cents int64) *ent.WorkOrder {
	wo := f.workOrder(i, workorder.StatusReadyForPickup)
	f.deliver(i, wo, cents)
	return wo
}

func (f *fixture) ownerID(i int) int { return f.api.Demo.Owners[i].ID }

// ledger reads the i-th owner's entries and checks the chain: seq 1..n
// without gaps, each balance the previous one plus the entry's points,
// never negative. It returns the entries and the balance.
func (f *fixture) ledger(i int) ([]*ent.PointEntry, int) {
	f.t.Helper()
	es := f.api.Client.PointEntry.Query().Where(pointentry.OwnerID(f.ownerID(i))).Order(pointentry.BySeq()).AllX(apitest.SystemCtx())
	balance, sum := 0, 0
	for k, e := range es {
		sum += e.Points
		if e.Seq != k+1 || e.Balance != balance+e.Points || e.Balance < 0 {
			f.t.Fatalf("entry %d breaks the chain: seq %d, %+d points, balance %d after %d", k, e.Seq, e.Points, e.Balance, balance)
		}
		balance = e.Balance
	}
	if sum != balance {
		f.t.Fatalf("the entries add up to %d, the balance is %d", sum, balance)
	}
	return es, balance
}

const redeem = `mutation($wo: ID!, $o: ID!, $p: Int!, $k: String!) {
  redeemPoints(input: {workOrderID: $wo, ownerID: $o, points: $p, idempotencyKey: $k}) { id kind points balance valueCents seq }
}`

func (f *fixture) redeem(token string, wo *ent.WorkOrder, owner, pts int, key string) *apitest.Response {
	return f.api.Do(token, redeem, map[string]any{"wo": strconv.Itoa(wo.ID), "o": strconv.Itoa(owner), "p": pts, "k": key})
}

const referral = `mutation($o: ID!, $r: ID!) { recordReferral(ownerID: $o, referrerID: $r) { id } }`

// A paid visit earns 1 point per CNY 1 once, however often the delivery's
// follow-up runs; a referral pays the referrer once, on the referred
// owner's first paid visit; an unpaid visit earns nothing.
func TestPaidVisitsEarnOnceAndReferralPaysOnce(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := start(t, d)
			const a, b, c, e = 0, 2, 4, 6 // customers of the same store
			adv := f.advisor(b)
			ids := func(o, r int) map[string]any {
				return map[string]any{"o": strconv.Itoa(f.ownerID(o)), "r": strconv.Itoa(f.ownerID(r))}
			}
			if res := f.api.Do(adv, referral, ids(b, a)); res.Errors != nil {
				t.Fatal(res.Errors)
			}
			if res := f.api.Do(adv, referral, ids(b, a)); res.Errors != nil {
				t.Fatalf("recording the same referral again: %+v", res.Errors)
			}
			for _, tc := range []struct {
				name       string
				owner, ref int
				code       string
			}{
				{"another referrer", b, c, "CONFLICT"},
				{"the other way round", a, b, "CONFLICT"},
				{"oneself", c, c, "BAD_USER_INPUT"},
			} {
				if got := f.api.Do(adv, referral, ids(tc.owner, tc.ref)).Code(); got != tc.code {
					t.Errorf("%s: %q, want %s", tc.name, got, tc.code)
				}
			}
			if got := f.api.Do(f.api.OwnerToken(b), referral, ids(b, c)).Code(); got != "FORBIDDEN" {
				t.Errorf("an owner recorded their own referral: %q", got)
			}

			first := f.paidVisit(b, 123456) // CNY 1,234.56
			es, bal := f.ledger(b)
			if len(es) != 1 || es[0].Kind != pointentry.KindEarnVisit || bal != 1234 {
				t.Fatalf("after CNY 1,234.56 the referred owner has %d entries, balance %d", len(es), bal)
			}
			if es, bal := f.ledger(a); len(es) != 1 || es[0].Kind != pointentry.KindEarnReferral || bal != 5000 ||
				*es[0].ReferredOwnerID != f.ownerID(b) {
				t.Fatalf("the referrer has %d entries, balance %d", len(es), bal)
			}
			// The delivery's follow-up runs again (a retry): nothing new.
			delivered := f.api.Client.WorkOrder.GetX(apitest.SystemCtx(), first.ID)
			if err := (points.Ledger{}).AfterDelivery(context.Background(), f.api.Client, delivered, time.Now()); err != nil {
				t.Fatal(err)
			}
			f.paidVisit(b, 50000)
			f.paidVisit(b, 0)
			if es, bal := f.ledger(b); len(es) != 2 || bal != 1734 {
				t.Fatalf("after a rerun, a second paid and an unpaid visit: %d entries, balance %d", len(es), bal)
			}
			if es, bal := f.ledger(a); len(es) != 1 || bal != 5000 {
				t.Fatalf("the referral paid again: %d entries, balance %d", len(es), bal)
			}
			// An owner who already paid for a visit can no longer be referred.
			f.paidVisit(e, 1000)
			if got := f.api.Do(adv, referral, ids(e, a)).Code(); got != "CONFLICT" {
				t.Fatalf("referring a paying customer: %q", got)
			}
		})
	}
}

// Redeeming through the API: the balance goes down once per key, a
// redemption larger than the balance is refused with INSUFFICIENT_POINTS
// and changes nothing, only the store's advisor or managers redeem, only
// on the owner's open work order; cancelling gives the points back, and a
// visit earns on what was paid after points. An owner reads their own
// ledger and nobody else's.
func TestRedeemPoints(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := start(t, d)
			const a, b = 0, 2
			visit := f.paidVisit(a, 100000) // 1,000 points
			wo := f.workOrder(a, workorder.StatusInRepair)
			adv := f.advisor(a)
			var out struct {
				RedeemPoints struct {
					ID         string
					Kind       string
					Points     int
					Balance    int
					ValueCents int
				}
			}
			f.redeem(adv, wo, f.ownerID(a), 300, "till-0001-a").Decode(t, &out)
			if r := out.RedeemPoints; r.Kind != "redeem" || r.Points != -300 || r.Balance != 700 || r.ValueCents != 300 {
				t.Fatalf("redeemed 300 of 1,000: %+v", r)
			}
			first := out.RedeemPoints.ID
			f.redeem(adv, wo, f.ownerID(a), 300, "till-0001-a").Decode(t, &out)
			if out.RedeemPoints.ID != first {
				t.Fatalf("a retry wrote another entry")
			}
			before, _ := f.ledger(a)
			other := f.api.StaffToken(staff.RoleAdvisor, 1-f.store(a))
			for _, tc := range []struct {
				name  string
				token string
				wo    *ent.WorkOrder
				owner int
				pts   int
				key   string
				code  string
			}{
				{"more than the balance", adv, wo, f.ownerID(a), 701, "till-0002-a", "INSUFFICIENT_POINTS"},
				{"the key again for another amount", adv, wo, f.ownerID(a), 200, "till-0001-a", "CONFLICT"},
				{"a delivered work order", adv, visit, f.ownerID(a), 10, "till-0003-a", "CONFLICT"},
				{"someone else's points", adv, wo, f.ownerID(b), 10, "till-0004-a", "BAD_USER_INPUT"},
				{"no points", adv, wo, f.ownerID(a), 0, "till-0005-a", "BAD_USER_INPUT"},
				{"a short key", adv, wo, f.ownerID(a), 10, "k", "BAD_USER_INPUT"},
				{"another store's advisor", other, wo, f.ownerID(a), 10, "till-0006-a", "NOT_FOUND"},
				{"a technician", f.api.StaffToken(staff.RoleTechnician, f.store(a)), wo, f.ownerID(a), 10, "till-0007-a", "FORBIDDEN"},
				{"the owner", f.api.OwnerToken(a), wo, f.ownerID(a), 10, "till-0008-a", "FORBIDDEN"},
			} {
				if got := f.redeem(tc.token, tc.wo, tc.owner, tc.pts, tc.key).Code(); got != tc.code {
					t.Errorf("%s: %q, want %s", tc.name, got, tc.code)
				}
			}
			if after, bal := f.ledger(a); len(after) != len(before) || bal != 700 {
				t.Fatalf("refused redemptions changed the ledger: %d entries, balance %d", len(after), bal)
			}

			// The owner reads their balance and entries; owner B sees none of them.
			const mine = `{ me { owner { pointsBalance pointEntries(first: 10, orderBy: {field: SEQ, direction: DESC}) {
			  totalCount edges { node { id kind points balance } } } } } }`
			var me struct {
				Me struct {
					Owner struct {
						PointsBalance int
						PointEntries  struct {
							TotalCount int
							Edges      []struct{ Node struct{ ID, Kind string } }
						}
					}
				}
			}
			f.api.Do(f.api.OwnerToken(a), mine, nil).Decode(t, &me)
			if o := me.Me.Owner; o.PointsBalance != 700 || o.PointEntries.TotalCount != 2 || o.PointEntries.Edges[0].Node.Kind != "redeem" {
				t.Fatalf("owner A reads %+v", o)
			}
			f.api.Do(f.api.OwnerToken(b), mine, nil).Decode(t, &me)
			if o := me.Me.Owner; o.PointsBalance != 0 || o.PointEntries.TotalCount != 0 {
				t.Fatalf("owner B reads %+v", o)
			}
			res := f.api.Do(f.api.OwnerToken(b), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": first})
			if res.Code() != "NOT_FOUND" && (res.Errors != nil || string(res.Data) != `{"node":null}`) {
				t.Fatalf("owner B read owner A's entry: %s %+v", res.Data, res.Errors)
			}
			var staffRead struct{ Node struct{ Points int } }
			f.api.Do(adv, `query($id: ID!) { node(id: $id) { ... on PointEntry { points } } }`, map[string]any{"id": first}).Decode(t, &staffRead)
			if staffRead.Node.Points != -300 {
				t.Fatalf("the store's advisor reads %+v", staffRead)
			}

			// Cancelling the work order gives the points back.
			if res := f.api.Do(adv, `mutation($id: ID!) { cancelWorkOrder(workOrderID: $id, reason: "owner left") { id } }`,
				map[string]any{"id": strconv.Itoa(wo.ID)}); res.Errors != nil {
				t.Fatal(res.Errors)
			}
			if es, bal := f.ledger(a); bal != 1000 || es[len(es)-1].Kind != pointentry.KindReversal {
				t.Fatalf("after cancelling: balance %d", bal)
			}
			// Points paid part of a visit: it earns on the rest.
			ready := f.workOrder(a, workorder.StatusReadyForPickup)
			f.redeem(adv, ready, f.ownerID(a), 200, "till-0009-a").Decode(t, &out) // CNY 2 off
			f.deliver(a, ready, 10000)                                             // CNY 100: 98 paid
			if _, bal := f.ledger(a); bal != 1000-200+98 {
				t.Fatalf("after a visit partly paid with points: balance %d", bal)
			}
		})
	}
}

// Eight redemptions of 300 race for a balance of 1,000, on eight work
// orders at once (so nothing but the ledger orders them): exactly three
// succeed, the others get INSUFFICIENT_POINTS, the balance never goes
// below zero and the entries add up to it.
func TestConcurrentRedemptionsNeverOverdraw(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := start(t, d)
			const a = 0
			f.paidVisit(a, 100000)
			adv := f.advisor(a)
			var orders []*ent.WorkOrder
			for range 8 {
				orders = append(orders, f.workOrder(a, workorder.StatusInRepair))
			}
			var ok, short atomic.Int32
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i, wo := range orders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					res := f.redeem(adv, wo, f.ownerID(a), 300, fmt.Sprintf("race-key-%d", i))
					switch res.Code() {
					case "":
						ok.Add(1)
					case "INSUFFICIENT_POINTS":
						short.Add(1)
					default:
						t.Errorf("redemption %d: %+v", i, res.Errors)
					}
				}()
			}
			close(gate)
			wg.Wait()
			es, bal := f.ledger(a)
			if ok.Load() != 3 || short.Load() != 5 || bal != 100 || len(es) != 4 {
				t.Fatalf("%d redeemed, %d refused, %d entries, balance %d", ok.Load(), short.Load(), len(es), bal)
			}
		})
	}
}

// The same race straight on the ledger, each writer in its own
// transaction: a writer that loses the sequence number reads again and
// retries (PostgreSQL), or waits for the database's write lock (SQLite).
func TestLedgerAppendsRaceSafely(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := start(t, d)
			const a = 0
			store := *f.api.Demo.Owners[a].HomeDealershipID
			var retries atomic.Int32
			l := points.Ledger{OnRetry: func() { retries.Add(1) }}
			ctx := context.Background()
			if _, _, err := l.Append(ctx, f.api.Client, points.Entry{OwnerID: f.ownerID(a), DealershipID: store,
				Kind: pointentry.KindEarnVisit, Points: 1000, Key: "seed"}); err != nil {
				t.Fatal(err)
			}
			var ok, short atomic.Int32
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					tx, err := f.api.Client.Tx(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					_, _, err = l.Append(ctx, tx.Client(), points.Entry{OwnerID: f.ownerID(a), DealershipID: store,
						Kind: pointentry.KindRedeem, Points: -300, Key: fmt.Sprintf("race-%d", i)})
					if err != nil {
						tx.Rollback()
						if code := codeOf(err); code == string(apperr.InsufficientPoints) {
							short.Add(1)
						} else {
							t.Errorf("append %d: %v", i, err)
						}
						return
					}
					if err := tx.Commit(); err != nil {
						t.Errorf("commit %d: %v", i, err)
						return
					}
					ok.Add(1)
				}()
			}
			close(gate)
			wg.Wait()
			es, bal := f.ledger(a)
			t.Logf("%s: %d retries after a lost sequence number", d.Name, retries.Load())
			if ok.Load() != 3 || short.Load() != 5 || bal != 100 || len(es) != 4 {
				t.Fatalf("%d appended, %d refused, %d entries, balance %d", ok.Load(), short.Load(), len(es), bal)
			}
		})
	}
}

// A writer that read the balance before another writer committed loses
// the sequence number, reads the new balance and appends after it
// (PostgreSQL). On SQLite the second write transaction cannot begin
// before the first commits, so there is nothing to lose.
func TestLostRaceRetriesOnFreshBalance(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			f := start(t, d)
			const a = 0
			ctx := context.Background()
			store := *f.api.Demo.Owners[a].HomeDealershipID
			entry := func(key string, pts int) points.Entry {
				return points.Entry{OwnerID: f.ownerID(a), DealershipID: store, Kind: pointentry.KindRedeem, Points: pts, Key: key}
			}
			if _, _, err := (points.Ledger{}).Append(ctx, f.api.Client, entry("seed", 1000)); err != nil {
				t.Fatal(err)
			}
			var retries atomic.Int32
			read := make(chan struct{}, 1)
			loser := &points.Ledger{OnRetry: func() { retries.Add(1) }}
			loser.SetBeforeInsert(func() {
				select {
				case read <- struct{}{}:
				default:
				}
			})
			tx1, err := f.api.Client.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := (points.Ledger{}).Append(ctx, tx1.Client(), entry("first", -300)); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				tx2, err := f.api.Client.Tx(ctx)
				if err != nil {
					done <- err
					return
				}
				if _, _, err := loser.Append(ctx, tx2.Client(), entry("second", -300)); err != nil {
					tx2.Rollback()
					done <- err
					return
				}
				done <- tx2.Commit()
			}()
			if d.Name == "postgres" {
				<-read // the loser read balance 1,000 at seq 1 and is about to insert seq 2
			}
			if err := tx1.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			es, bal := f.ledger(a)
			if len(es) != 3 || bal != 400 {
				t.Fatalf("%d entries, balance %d", len(es), bal)
			}
			if want := map[string]int32{"postgres": 1, "sqlite": 0}[d.Name]; retries.Load() != want {
				t.Fatalf("%d retries, want %d", retries.Load(), want)
			}
		})
	}
}
