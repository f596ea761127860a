package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"aftercare/bench/benchdb"

	"github.com/golang-jwt/jwt/v4"
	"github.com/jackc/pgx/v5"
)

// fixture is what the drive needs from the database: who signs in, which
// stores and work orders exist. It is read (and the watched work orders
// made) through SQL, so it works on a database seeded by the CLI and on a
// test's demo database alike.
type fixture struct {
	stores  []store
	owners  []ownerRef // sign-in owners for home screens and node reads
	watched []*watchedOrder
	admin   string // group admin token
}

type store struct {
	ID                           int64
	advisor, technician, manager string // tokens
	advisorID                    int64
	widgetKey                    string // made by the drive (createWidgetKey)
	watched                      []*watchedOrder
}

type ownerRef struct {
	ID, Vehicle int64
	token       string
}

// watchedOrder is an open work order whose owner follows it live and that
// the technician moves in_repair <-> waiting_parts.
type watchedOrder struct {
	ID, Owner, Store int64
	ownerToken       string
	baseline         int    // last_event_seq before the drive
	status           string // last status the mover set (guarded by lock)
	lock             chan struct{}
}

// signer mints the local development signer's tokens (internal/auth/local.go)
// for a uid; the staff record, not the token, says the role and store.
type signer struct{ secret []byte }

func (s signer) token(uid string) (string, error) { return s.sign(uid, nil) }

// staffToken is what `aftercare token --staff` gives: the staff claims too.
func (s signer) staffToken(uid, email, role string, group int64, store *int64) (string, error) {
	extra := jwt.MapClaims{"email": email, "email_verified": true, "role": role, "dealer_group_id": group}
	if store != nil {
		extra["dealership_id"] = *store
	}
	return s.sign(uid, extra)
}

func (s signer) sign(uid string, extra jwt.MapClaims) (string, error) {
	now := time.Now()
	claims := jwt.MapClaims{"iss": "aftercare-dev", "aud": "aftercare-local", "sub": uid,
		"iat": now.Unix(), "exp": now.Add(24 * time.Hour).Unix()}
	for k, v := range extra {
		claims[k] = v
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
}

// staffTok signs in as the first active staff member of role (at store, or
// in the group for the group admin).
func staffTok(ctx context.Context, conn *pgx.Conn, sg signer, group int64, store *int64, role string) (string, int64, error) {
	var uid, email string
	var id int64
	err := conn.QueryRow(ctx, `SELECT auth_uid, email, id FROM staffs
WHERE dealer_group_id = $1 AND role = $2 AND active AND ($3::bigint IS NULL OR dealership_id = $3) ORDER BY id LIMIT 1`,
		group, role, store).Scan(&uid, &email, &id)
	if err != nil {
		return "", 0, fmt.Errorf("no active %s (store %v): %w", role, store, err)
	}
	tok, err := sg.staffToken(uid, email, role, group, store)
	return tok, id, err
}

// loadFixture prepares the first dealer group of the database: sign-in uids
// for its owners and staff, and `watch` open work orders (SOAK-<owner id>,
// in_repair, event 1) split over its stores, made once and reused.
func loadFixture(ctx context.Context, dbURL string, sg signer, owners, watch int) (*fixture, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var group int64
	if err := conn.QueryRow(ctx, `SELECT min(id) FROM dealer_groups`).Scan(&group); err != nil {
		return nil, fmt.Errorf("no dealer group (seed the database first): %w", err)
	}
	for _, q := range []string{
		`UPDATE owners SET auth_uid = 'local-owner-' || id WHERE auth_uid IS NULL AND dealer_group_id = $1`,
		`UPDATE staffs SET auth_uid = 'local-staff-' || id WHERE auth_uid IS NULL AND dealer_group_id = $1`,
	} {
		if _, err := conn.Exec(ctx, q, group); err != nil {
			return nil, err
		}
	}
	f := &fixture{}
	if f.admin, _, err = staffTok(ctx, conn, sg, group, nil, "group_admin"); err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, `SELECT id FROM dealerships WHERE dealer_group_id = $1 ORDER BY id`, group)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return nil, fmt.Errorf("stores of group %d: %v (%d)", group, err, len(ids))
	}
	for _, id := range ids {
		st := store{ID: id}
		staffUID := func(role string) (string, int64, error) { return staffTok(ctx, conn, sg, group, &id, role) }
		if st.advisor, st.advisorID, err = staffUID("advisor"); err != nil {
			return nil, err
		}
		if st.technician, _, err = staffUID("technician"); err != nil {
			return nil, err
		}
		if st.manager, _, err = staffUID("service_manager"); err != nil {
			return nil, err
		}
		f.stores = append(f.stores, st)
	}

	// Owners who sign in: the group's owners that have a vehicle.
	rows, err = conn.Query(ctx, `SELECT o.id, v.id, o.auth_uid FROM owners o
JOIN LATERAL (SELECT id FROM vehicles WHERE owner_id = o.id ORDER BY id LIMIT 1) v ON true
WHERE o.dealer_group_id = $1 ORDER BY o.id LIMIT $2`, group, owners)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var o ownerRef
		var uid string
		if err := rows.Scan(&o.ID, &o.Vehicle, &uid); err != nil {
			return nil, err
		}
		if o.token, err = sg.token(uid); err != nil {
			return nil, err
		}
		f.owners = append(f.owners, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(f.owners) == 0 {
		return nil, fmt.Errorf("group %d has no owner with a vehicle", group)
	}

	// Watched work orders: one per owner (the last `watch` owners, so they
	// differ from the first home-screen owners only by chance), stores in turn.
	var have int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM work_orders WHERE number LIKE 'SOAK-%' AND status IN ('in_repair', 'waiting_parts')`).Scan(&have); err != nil {
		return nil, err
	}
	if have < watch {
		if _, err := conn.Exec(ctx, `
WITH picked AS (
  SELECT o.id AS owner_id, v.id AS vehicle_id, v.odometer_km, row_number() OVER (ORDER BY o.id DESC) AS n
  FROM owners o
  JOIN LATERAL (SELECT id, odometer_km FROM vehicles WHERE owner_id = o.id ORDER BY id LIMIT 1) v ON true
  WHERE o.dealer_group_id = $1
    AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.owner_id = o.id AND w.number LIKE 'SOAK-%')
  ORDER BY o.id DESC LIMIT $2
), stores AS (
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM dealerships WHERE dealer_group_id = $1
)
INSERT INTO work_orders (created_at, updated_at, number, status, fault_description, promised_at,
  odometer_in_km, opened_at, last_event_seq, dealership_id, owner_id, vehicle_id)
SELECT now(), now(), 'SOAK-' || p.owner_id, 'in_repair', 'Soak test: brake squeak.', now() + interval '1 day',
  p.odometer_km, now(), 1, s.id, p.owner_id, p.vehicle_id
FROM picked p JOIN stores s ON s.k = p.n % s.n`, group, watch-have); err != nil {
			return nil, fmt.Errorf("create watched work orders: %w", err)
		}
		if _, err := conn.Exec(ctx, `
INSERT INTO work_order_events (seq, to_status, actor_kind, message, created_at, work_order_id)
SELECT 1, 'in_repair', 'system', 'Your car is being repaired.', now(), w.id
FROM work_orders w WHERE w.number LIKE 'SOAK-%' AND NOT EXISTS (SELECT 1 FROM work_order_events e WHERE e.work_order_id = w.id)`); err != nil {
			return nil, fmt.Errorf("create work-order events: %w", err)
		}
		if _, err := conn.Exec(ctx, `ANALYZE work_orders, work_order_events`); err != nil {
			return nil, err
		}
	}
	rows, err = conn.Query(ctx, `SELECT w.id, w.owner_id, w.dealership_id, w.last_event_seq, w.status, o.auth_uid
FROM work_orders w JOIN owners o ON o.id = w.owner_id
WHERE w.number LIKE 'SOAK-%' AND w.status IN ('in_repair', 'waiting_parts') ORDER BY w.id LIMIT $1`, watch)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		w := &watchedOrder{lock: make(chan struct{}, 1)}
		var seq int64
		var uid string
		if err := rows.Scan(&w.ID, &w.Owner, &w.Store, &seq, &w.status, &uid); err != nil {
			return nil, err
		}
		w.baseline = int(seq)
		if w.ownerToken, err = sg.token(uid); err != nil {
			return nil, err
		}
		f.watched = append(f.watched, w)
		for i := range f.stores {
			if f.stores[i].ID == w.Store {
				f.stores[i].watched = append(f.stores[i].watched, w)
			}
		}
	}
	return f, rows.Err()
}

// finalSeqs reads each watched work order's last event number.
func finalSeqs(ctx context.Context, dbURL string, ws []*watchedOrder) (map[int64]int, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	return benchdb.LastEventSeqs(ctx, conn, ids)
}

func (f *fixture) randomOwner(r *rand.Rand) ownerRef { return f.owners[r.IntN(len(f.owners))] }
func (f *fixture) randomStore(r *rand.Rand) *store   { return &f.stores[r.IntN(len(f.stores))] }

func idStr(id int64) string { return strconv.FormatInt(id, 10) }
