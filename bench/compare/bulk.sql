-- Adds to `aftercare seed --owners 100000` what the comparison needs:
-- 1,000,000 work orders with their events, the owners' next appointments,
-- today's appointments, pending outbox messages (the reminders-to-be) and
-- sign-in uids. It does nothing when the work orders are already there, so
-- the harness can run it every time. Plain INSERT ... SELECT: about a minute.
\set ON_ERROR_STOP on
SELECT count(*) >= 1000000 AS done FROM work_orders \gset
\if :done
  \echo bulk.sql: already loaded
\else
BEGIN;
-- Owners sign in with locally minted tokens whose subject is this uid.
UPDATE owners SET auth_uid = 'local-owner-' || id WHERE auth_uid IS NULL;

CREATE TEMP TABLE bv AS
SELECT v.id, v.owner_id, v.selling_dealership_id AS store, v.odometer_km,
       (row_number() OVER (ORDER BY v.id)) - 1 AS rn,
       (SELECT s.id FROM staffs s WHERE s.dealership_id = v.selling_dealership_id AND s.role = 'advisor' LIMIT 1) AS advisor
FROM vehicles v WHERE v.owner_id IS NOT NULL;
CREATE INDEX ON bv (rn);
ANALYZE bv;

-- One vehicle in 20 has an appointment in the next 15 days (about 250 per
-- store and day, 08:30-17:30 Shanghai time): the owner's "next appointment"
-- and the advisor's day list. Days 20+ stay free for the booking mutation.
INSERT INTO appointments (created_at, updated_at, reference, service_type, starts_at, ends_at, status, source,
  transport, pools, advisor_id, dealership_id, owner_id, vehicle_id)
SELECT now(), now(), 'BULK' || bv.id, 'periodic_service',
  date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
    + ((bv.rn / 20) % 15) * interval '1 day' + interval '8 hours 30 minutes' + ((bv.rn / 300) % 19) * interval '30 minutes',
  date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
    + ((bv.rn / 20) % 15) * interval '1 day' + interval '10 hours' + ((bv.rn / 300) % 19) * interval '30 minutes',
  'confirmed', 'app', 'wait', '["bay","advisor"]', bv.advisor, bv.store, bv.owner_id, bv.id
FROM bv WHERE bv.rn % 20 = 0;

-- 1,000,000 work orders: vehicle i gets orders i, i+N, i+2N, ... (6 or 7
-- each). Orders of the last round with i % 4 = 0 are still open.
CREATE TEMP TABLE bw AS
SELECT g AS n, bv.id AS vehicle_id, bv.owner_id, bv.store, bv.advisor, bv.odometer_km,
  (g >= 900000 AND g % 4 = 0) AS open,
  now() - ((1000000 - g) / 500) * interval '1 day' - (g % 480) * interval '1 minute' AS opened
FROM generate_series(0, 999999) g JOIN bv ON bv.rn = g % (SELECT count(*) FROM bv);

INSERT INTO work_orders (created_at, updated_at, number, status, fault_description, promised_at, odometer_in_km,
  opened_at, delivered_at, labour_cents, parts_cents, total_cents, last_event_seq, dealership_id, owner_id, vehicle_id, advisor_id)
SELECT bw.opened, bw.opened, 'BULK-' || bw.n,
  CASE WHEN bw.open THEN (ARRAY['checked_in','diagnosing','awaiting_approval','in_repair','waiting_parts','quality_check','ready_for_pickup'])[1 + (bw.n / 4) % 7] ELSE 'delivered' END,
  'Periodic service.', bw.opened + interval '4 hours', greatest(bw.odometer_km - (1000000 - bw.n) / 100, 0), bw.opened,
  CASE WHEN bw.open THEN NULL ELSE bw.opened + interval '5 hours' END,
  30000, 45000, 75000, CASE WHEN bw.open THEN 2 ELSE 3 END, bw.store, bw.owner_id, bw.vehicle_id, bw.advisor
FROM bw;

-- Events: check-in, work, and delivery (open orders stop after the second).
INSERT INTO work_order_events (seq, from_status, to_status, actor_kind, actor_staff_id, message, created_at, work_order_id)
SELECT e.seq, e.from_status, CASE WHEN e.seq = 2 AND w.status <> 'delivered' THEN w.status ELSE e.to_status END, 'staff', w.advisor_id, e.message,
  w.opened_at + e.seq * interval '1 hour', w.id
FROM work_orders w
CROSS JOIN (VALUES (1, NULL, 'checked_in', 'Your car is with us.'),
                   (2, 'checked_in', 'in_repair', 'We are working on your car.'),
                   (3, 'ready_for_pickup', 'delivered', 'Thank you for your visit.')) AS e(seq, from_status, to_status, message)
WHERE w.number LIKE 'BULK-%' AND e.seq <= w.last_event_seq;

-- Two pending messages per owner: the home screen's "due reminders" until
-- the reminder entity exists.
INSERT INTO outbox_messages (created_at, updated_at, dealership_id, kind, dedupe_key, category, title, body,
  send_after, status, attempts, owner_id)
SELECT now(), now(), o.home_dealership_id, k.kind, 'bulk-' || k.kind || '-' || o.id, 'service', k.title,
  'Book your visit in the app.', now() + k.days * interval '1 day', 'pending', 0, o.id
FROM owners o CROSS JOIN (VALUES ('service_due', 'Your service is due', 10),
                                 ('inspection_due', 'Annual inspection soon', 30)) AS k(kind, title, days);
COMMIT;
ANALYZE;
\echo bulk.sql: loaded
\endif
