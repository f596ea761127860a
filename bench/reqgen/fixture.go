package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// fixture is what every target's requests share.
type fixture struct {
	now, dayStart         time.Time
	store, advisor, group int64
	owners                []ownerRow
	bookings              []booking
}

type ownerRow struct{ ID, Vehicle int64 } // exported: pgx scans by position

type booking struct {
	store, owner, vehicle int64
	startsAt              time.Time
}

func loadFixture(ctx context.Context, conn *pgx.Conn, n int) (*fixture, error) {
	// Staff sign in with minted tokens whose subject is this uid.
	if _, err := conn.Exec(ctx, `UPDATE staffs SET auth_uid = 'local-staff-' || id WHERE auth_uid IS NULL`); err != nil {
		return nil, err
	}
	f := &fixture{now: time.Now().UTC().Truncate(time.Second)}
	if err := conn.QueryRow(ctx, `SELECT dealership_id, id, dealer_group_id FROM staffs WHERE email = 'advisor@pudong.hmg.example'`).
		Scan(&f.store, &f.advisor, &f.group); err != nil {
		return nil, fmt.Errorf("store 1's advisor (is the bench database seeded?): %w", err)
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return nil, err
	}
	local := f.now.In(loc)
	f.dayStart = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	rows, err := conn.Query(ctx, `SELECT o.id, (SELECT min(v.id) FROM vehicles v WHERE v.owner_id = o.id)
FROM owners o WHERE o.auth_uid LIKE 'local-owner-%' ORDER BY md5(o.id::text) LIMIT $1`, n)
	if err != nil {
		return nil, err
	}
	if f.owners, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ownerRow]); err != nil {
		return nil, err
	}
	return f, f.loadBookings(ctx, conn)
}

// loadBookings lays out 3 bookings per half-hour slot (the advisor pool's
// capacity) on days 20-58, Monday to Saturday, in both stores, so every
// booking can succeed; consecutive ones fall on different store-days.
func (f *fixture) loadBookings(ctx context.Context, conn *pgx.Conn) error {
	stores, err := pgxInts(ctx, conn, `SELECT id FROM dealerships WHERE dealer_group_id = $1 ORDER BY id`, f.group)
	if err != nil {
		return err
	}
	var days []time.Time
	for d := 20; d <= 58; d++ {
		day := f.dayStart.AddDate(0, 0, d)
		if day.Weekday() != time.Sunday {
			days = append(days, day)
		}
	}
	per := len(days) * 19 * 3
	for _, st := range stores {
		rows, err := conn.Query(ctx, `SELECT owner_id, id FROM vehicles WHERE selling_dealership_id = $1 AND owner_id IS NOT NULL
ORDER BY md5(id::text) LIMIT $2`, st, per)
		if err != nil {
			return err
		}
		vs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ownerRow])
		if err != nil {
			return err
		}
		i := 0
		for range 3 {
			for slot := range 19 {
				for _, day := range days {
					start := day.Add(8*time.Hour + 30*time.Minute + time.Duration(slot)*30*time.Minute)
					f.bookings = append(f.bookings, booking{store: st, owner: vs[i].ID, vehicle: vs[i].Vehicle, startsAt: start})
					i++
				}
			}
		}
	}
	return nil
}

func pgxInts(ctx context.Context, conn *pgx.Conn, sql string, args ...any) ([]int64, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// pgNodeID is PostGraphile v5's default node id: base64 of the JSON array
// [type name, primary key].
func pgNodeID(typ string, id int64) string {
	b, _ := json.Marshal([]any{typ, fmt.Sprint(id)})
	return base64.StdEncoding.EncodeToString(b)
}

// pgBookInput is PostGraphile's createAppointment input: a plain insert,
// with none of aftercare's rules (no capacity check, lock or messages).
func pgBookInput(key string, b booking) map[string]any {
	return map[string]any{"appointment": map[string]any{
		"createdAt": time.Now().UTC().Format(time.RFC3339), "updatedAt": time.Now().UTC().Format(time.RFC3339),
		"reference": "PGL" + key, "serviceType": "inspection", "startsAt": b.startsAt.UTC().Format(time.RFC3339),
		"endsAt": b.startsAt.Add(30 * time.Minute).UTC().Format(time.RFC3339), "status": "requested", "source": "app",
		"transport": "wait", "idempotencyKey": key, "dealershipId": fmt.Sprint(b.store), "ownerId": fmt.Sprint(b.owner),
		"vehicleId": fmt.Sprint(b.vehicle)}}
}
