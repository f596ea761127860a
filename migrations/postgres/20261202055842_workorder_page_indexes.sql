-- Work order pages by vehicle and by owner are ordered by opened_at, then id
-- (entgql's tie-break); with id in the index the first page is read off it
-- backwards, with no sort (docs/BENCHMARKS.md, runs 18-).
-- CREATE INDEX blocks writes to work_orders while it builds (about a second
-- per million rows). On a large database, build the two indexes first with
-- CREATE INDEX CONCURRENTLY under these names; this migration then only
-- drops the old ones (docs/OPERATIONS.md, "Migrations").
CREATE INDEX IF NOT EXISTS "workorder_owner_id_opened_at_id" ON "work_orders" ("owner_id", "opened_at", "id");
CREATE INDEX IF NOT EXISTS "workorder_vehicle_id_opened_at_id" ON "work_orders" ("vehicle_id", "opened_at", "id");
DROP INDEX IF EXISTS "workorder_owner_id_opened_at";
DROP INDEX IF EXISTS "workorder_vehicle_id_opened_at";
