// Package points keeps the owners' points ledger: points earned on paid
// work orders and for referrals, redeemed by the store on services. The
// ledger is append-only (ent/schema PointEntry): the balance is the one
// after the owner's latest entry, and is never overwritten in place.
//
// Appending reads the owner's latest entry and inserts the next sequence
// number with the new balance. The unique (owner_id, seq) index lets only
// one of two concurrent writers append on a balance; the other's insert
// does nothing (ON CONFLICT DO NOTHING, so its transaction stays usable on
// PostgreSQL) and it reads again and retries. SQLite runs write
// transactions one at a time, so there the retry never happens. A balance
// below zero is refused, so the ledger never goes negative.
package points

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/pointentry"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"

	entsql "entgo.io/ent/dialect/sql"
)

// Rules are the points numbers. DOMAIN.md gives none; the defaults are
// our choice, set per deployment (POINTS_* in internal/config).
type Rules struct {
	EarnCents  int64 // a paid visit earns one point per this many cents paid
	Referral   int   // points the referrer earns on the referred owner's first paid visit
	ValueCents int64 // what one redeemed point takes off a work order, in cents
}

// DefaultRules: 1 point per CNY 1 paid, 100 points = CNY 1 off (1% back),
// 5,000 points (CNY 50) for a referral.
func DefaultRules() Rules { return Rules{EarnCents: 100, Referral: 5000, ValueCents: 1} }

// Earned is what a visit that was paid paidCents earns: one point per
// EarnCents, rounded down; nothing for nothing paid.
func Earned(paidCents int64, r Rules) int {
	if paidCents <= 0 || r.EarnCents <= 0 {
		return 0
	}
	return int(paidCents / r.EarnCents)
}

// Ledger writes point entries.
type Ledger struct {
	Rules Rules
	// Attempts bounds the appends retried after losing a race (default 20).
	Attempts int
	// OnRetry, when set, is called each time an append lost a race for its
	// sequence number and reads again (tests count them).
	OnRetry func()
	// beforeInsert, when set, runs between reading the balance and
	// inserting (tests make a race happen there).
	beforeInsert func()
}

func (l Ledger) rules() Rules {
	if l.Rules == (Rules{}) {
		return DefaultRules()
	}
	return l.Rules
}

// Entry is a ledger line to append.
type Entry struct {
	OwnerID, DealershipID int
	Kind                  pointentry.Kind
	Points                int
	ValueCents            *int64
	WorkOrderID           *int
	ReferredOwnerID       *int
	StaffID               *int
	Key                   string // idempotency key, unique across the ledger
	Note                  string
	At                    time.Time
}

// Append adds e to its owner's ledger, in c's transaction, as the system
// (the caller checked the viewer's right). If an entry with e.Key exists
// it is returned instead, with created false. A balance that would go
// below zero is refused with INSUFFICIENT_POINTS.
func (l Ledger) Append(ctx context.Context, c *ent.Client, e Entry) (out *ent.PointEntry, created bool, err error) {
	ctx = auth.SystemContext(ctx)
	attempts := l.Attempts
	if attempts == 0 {
		attempts = 20
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	for range attempts {
		if old, err := byKey(ctx, c, e.Key); err != nil || old != nil {
			return old, false, err
		}
		last, err := c.PointEntry.Query().Where(pointentry.OwnerID(e.OwnerID)).
			Order(pointentry.BySeq(entsql.OrderDesc())).Select(pointentry.FieldSeq, pointentry.FieldBalance).First(ctx)
		seq, balance := 0, 0
		switch {
		case ent.IsNotFound(err):
		case err != nil:
			return nil, false, err
		default:
			seq, balance = last.Seq, last.Balance
		}
		if balance+e.Points < 0 {
			return nil, false, &apperr.Error{Code: apperr.InsufficientPoints, Field: "points",
				Message: fmt.Sprintf("the owner has %d points, fewer than the %d asked for", balance, -e.Points)}
		}
		if l.beforeInsert != nil {
			l.beforeInsert()
		}
		err = c.PointEntry.Create().SetOwnerID(e.OwnerID).SetSeq(seq + 1).SetDealershipID(e.DealershipID).
			SetKind(e.Kind).SetPoints(e.Points).SetBalance(balance + e.Points).SetNillableValueCents(e.ValueCents).
			SetNillableWorkOrderID(e.WorkOrderID).SetNillableReferredOwnerID(e.ReferredOwnerID).
			SetNillableStaffID(e.StaffID).SetIdempotencyKey(e.Key).SetNote(e.Note).SetCreatedAt(e.At).
			OnConflict(entsql.DoNothing()).Exec(ctx)
		switch {
		case err == nil:
			if out, err := byKey(ctx, c, e.Key); err != nil || out != nil {
				return out, true, err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return nil, false, err
		}
		// The row was not written: the key was taken meanwhile (the loop's
		// first read returns that entry) or, more likely, the sequence
		// number; read the new balance and try again.
		if l.OnRetry != nil {
			l.OnRetry()
		}
	}
	return nil, false, apperr.Conflictf("the points ledger is busy; try again")
}

func byKey(ctx context.Context, c *ent.Client, key string) (*ent.PointEntry, error) {
	e, err := c.PointEntry.Query().Where(pointentry.IdempotencyKey(key)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return e, err
}

// Balance is the owner's balance: the one after their latest entry, 0
// without any. It reads under the caller's viewer.
func Balance(ctx context.Context, c *ent.Client, ownerID int) (int, error) {
	last, err := c.PointEntry.Query().Where(pointentry.OwnerID(ownerID)).
		Order(pointentry.BySeq(entsql.OrderDesc())).Select(pointentry.FieldBalance).First(ctx)
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return last.Balance, nil
}
