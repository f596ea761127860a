package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

func (s *server) operation(ctx context.Context, v viewer, req gqlRequest) ([]byte, error) {
	switch {
	case req.OperationName == "Home" && v.owner != 0:
		return s.json(ctx, homeSQL, v.owner, str(req.Variables["now"]))
	case req.OperationName == "Node" && v.owner != 0:
		return s.json(ctx, nodeSQL, v.owner, num(req.Variables["id"]))
	case req.OperationName == "AdvisorDay" && v.staff != 0:
		return s.json(ctx, daySQL, v.store, str(req.Variables["from"]), str(req.Variables["to"]))
	case req.OperationName == "Nested" && v.staff != 0:
		return s.json(ctx, nestedSQL, v.store)
	case req.OperationName == "Book" && v.owner != 0:
		return s.book(ctx, v.owner, req.Variables["input"])
	}
	return nil, errors.New("FORBIDDEN")
}

// json runs a statement that returns the whole `data` object.
func (s *server) json(ctx context.Context, sql string, args ...any) ([]byte, error) {
	var out []byte
	if err := s.db.QueryRow(ctx, sql, args...).Scan(&out); err != nil {
		return nil, fmt.Errorf("INTERNAL")
	}
	return out, nil
}

func str(raw json.RawMessage) string {
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// num reads an id sent as a string or a number.
func num(raw json.RawMessage) int64 {
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		var s string
		json.Unmarshal(raw, &s)
		n = json.Number(s)
	}
	i, _ := n.Int64()
	return i
}

const homeSQL = `
SELECT json_build_object('me', json_build_object('owner', json_build_object(
  'id', o.id, 'name', o.name, 'tier', o.tier,
  'vehicles', (SELECT coalesce(json_agg(json_build_object('id', v.id, 'plate', v.plate, 'model', v.model,
      'odometerKm', v.odometer_km, 'nextAppointment', a.j, 'openWorkOrder', w.j) ORDER BY v.id), '[]')
    FROM (SELECT * FROM vehicles WHERE owner_id = o.id ORDER BY id LIMIT 10) v
    LEFT JOIN LATERAL (SELECT json_build_object('id', id, 'startsAt', starts_at, 'status', status, 'serviceType', service_type) j
      FROM appointments WHERE vehicle_id = v.id AND starts_at > $2::timestamptz AND status IN ('requested', 'confirmed')
      ORDER BY starts_at LIMIT 1) a ON true
    LEFT JOIN LATERAL (SELECT json_build_object('id', wo.id, 'number', wo.number, 'status', wo.status, 'promisedAt', wo.promised_at,
        'latestEvent', (SELECT json_build_object('seq', e.seq, 'toStatus', e.to_status, 'message', e.message, 'createdAt', e.created_at)
          FROM work_order_events e WHERE e.work_order_id = wo.id ORDER BY e.seq DESC LIMIT 1)) j
      FROM work_orders wo WHERE wo.vehicle_id = v.id AND wo.status NOT IN ('delivered', 'cancelled')
      ORDER BY wo.opened_at DESC LIMIT 1) w ON true),
  'outboxMessages', (SELECT coalesce(json_agg(json_build_object('id', m.id, 'kind', m.kind, 'title', m.title, 'sendAfter', m.send_after)
      ORDER BY m.send_after), '[]')
    FROM (SELECT * FROM outbox_messages WHERE owner_id = o.id AND status = 'pending' ORDER BY send_after LIMIT 10) m))))
FROM owners o WHERE o.id = $1`

const nodeSQL = `
SELECT json_build_object('node', (SELECT json_build_object('id', id, 'vin', vin, 'plate', plate, 'model', model,
  'modelYear', model_year, 'odometerKm', odometer_km) FROM vehicles WHERE id = $2 AND owner_id = $1))`

const daySQL = `
SELECT json_build_object(
 'appointments', (SELECT coalesce(json_agg(json_build_object('id', a.id, 'startsAt', a.starts_at, 'status', a.status,
     'serviceType', a.service_type, 'owner', json_build_object('id', o.id, 'name', o.name),
     'vehicle', json_build_object('id', v.id, 'plate', v.plate, 'model', v.model)) ORDER BY a.starts_at, a.id), '[]')
   FROM (SELECT * FROM appointments WHERE dealership_id = $1 AND starts_at >= $2::timestamptz AND starts_at < $3::timestamptz
         ORDER BY starts_at, id LIMIT 50) a
   JOIN owners o ON o.id = a.owner_id LEFT JOIN vehicles v ON v.id = a.vehicle_id),
 'workOrders', (SELECT coalesce(json_agg(json_build_object('id', w.id, 'number', w.number, 'status', w.status,
     'promisedAt', w.promised_at, 'lastEventSeq', w.last_event_seq,
     'vehicle', json_build_object('id', v.id, 'plate', v.plate, 'model', v.model)) ORDER BY w.opened_at DESC, w.id), '[]')
   FROM (SELECT * FROM work_orders WHERE dealership_id = $1 AND status NOT IN ('delivered', 'cancelled')
         ORDER BY opened_at DESC, id LIMIT 50) w JOIN vehicles v ON v.id = w.vehicle_id))`

const nestedSQL = `
SELECT json_build_object('owners', coalesce(json_agg(json_build_object('id', o.id, 'name', o.name, 'vehicles',
  (SELECT coalesce(json_agg(json_build_object('id', v.id, 'plate', v.plate, 'workOrders',
     (SELECT coalesce(json_agg(json_build_object('id', w.id, 'number', w.number, 'status', w.status, 'events',
        (SELECT coalesce(json_agg(json_build_object('seq', e.seq, 'toStatus', e.to_status, 'createdAt', e.created_at) ORDER BY e.seq DESC), '[]')
         FROM (SELECT * FROM work_order_events WHERE work_order_id = w.id ORDER BY seq DESC LIMIT 3) e)) ORDER BY w.opened_at DESC), '[]')
      FROM (SELECT * FROM work_orders WHERE vehicle_id = v.id ORDER BY opened_at DESC LIMIT 3) w)) ORDER BY v.id), '[]')
   FROM (SELECT * FROM vehicles WHERE owner_id = o.id ORDER BY id LIMIT 5) v)) ORDER BY o.id), '[]'))
FROM (SELECT * FROM owners WHERE home_dealership_id = $1 ORDER BY id LIMIT 20) o`

type bookInput struct {
	DealershipID   json.Number `json:"dealershipID"`
	VehicleID      json.Number `json:"vehicleID"`
	ServiceType    string      `json:"serviceType"`
	StartsAt       time.Time   `json:"startsAt"`
	IdempotencyKey string      `json:"idempotencyKey"`
}

// book does what aftercare's booking does in SQL: check the vehicle, lock
// the store-day, count the slot's active bookings against the advisor
// pool's 3 units, insert the appointment and its two outbox messages.
func (s *server) book(ctx context.Context, owner int64, raw json.RawMessage) ([]byte, error) {
	var in bookInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, errors.New("BAD_USER_INPUT")
	}
	store, _ := in.DealershipID.Int64()
	vehicle, _ := in.VehicleID.Int64()
	end := in.StartsAt.Add(30 * time.Minute)
	var out []byte
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM vehicles WHERE id = $1 AND owner_id = $2)`, vehicle, owner).Scan(&ok); err != nil || !ok {
			return errors.New("FORBIDDEN")
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, int32(store), int32(in.StartsAt.Unix()/86400)); err != nil {
			return err
		}
		var taken int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM appointments WHERE dealership_id = $1
  AND status IN ('requested', 'confirmed', 'checked_in') AND starts_at < $3 AND ends_at > $2 AND starts_at > $2::timestamptz - interval '8 hours'`,
			store, in.StartsAt, end).Scan(&taken); err != nil {
			return err
		}
		if taken >= 3 {
			return errors.New("SLOT_FULL")
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO appointments (created_at, updated_at, reference, service_type, starts_at, ends_at,
  status, source, transport, pools, idempotency_key, dealership_id, owner_id, vehicle_id)
VALUES (now(), now(), 'RAW' || $1::text, $2, $3, $4, 'requested', 'app', 'wait', '["bay","advisor"]', $1, $5, $6, $7) RETURNING id`,
			in.IdempotencyKey, in.ServiceType, in.StartsAt, end, store, owner, vehicle).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox_messages (created_at, updated_at, dealership_id, kind, dedupe_key, category,
  title, body, appointment_id, send_after, status, attempts, owner_id)
SELECT now(), now(), $1, k, k || ':' || $2::bigint, 'service', 'Booking', 'Your booking', $2, a, 'pending', 0, $3
FROM (VALUES ('booking_confirmed', now()), ('booking_day_before', $4::timestamptz - interval '1 day')) AS m(k, a)`,
			store, id, owner, in.StartsAt); err != nil {
			return err
		}
		out, _ = json.Marshal(map[string]any{"bookAppointment": map[string]any{
			"id": id, "status": "requested", "startsAt": in.StartsAt}})
		return nil
	})
	if err != nil {
		if err.Error() == "SLOT_FULL" || err.Error() == "FORBIDDEN" {
			return nil, err
		}
		return nil, errors.New("INTERNAL")
	}
	return out, nil
}
