-- Drop index "workorder_vehicle_id_opened_at" from table: "work_orders"
DROP INDEX `workorder_vehicle_id_opened_at`;
-- Drop index "workorder_owner_id_opened_at" from table: "work_orders"
DROP INDEX `workorder_owner_id_opened_at`;
-- Create index "workorder_vehicle_id_opened_at_id" to table: "work_orders"
CREATE INDEX `workorder_vehicle_id_opened_at_id` ON `work_orders` (`vehicle_id`, `opened_at`, `id`);
-- Create index "workorder_owner_id_opened_at_id" to table: "work_orders"
CREATE INDEX `workorder_owner_id_opened_at_id` ON `work_orders` (`owner_id`, `opened_at`, `id`);
