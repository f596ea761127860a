-- Add column "referred_by_id" to table: "owners"
ALTER TABLE `owners` ADD COLUMN `referred_by_id` integer NULL;
-- Create "point_entries" table
CREATE TABLE `point_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `seq` integer NOT NULL, `dealership_id` integer NOT NULL, `kind` text NOT NULL, `points` integer NOT NULL, `balance` integer NOT NULL, `value_cents` integer NULL, `work_order_id` integer NULL, `referred_owner_id` integer NULL, `staff_id` integer NULL, `idempotency_key` text NOT NULL, `note` text NULL, `created_at` datetime NOT NULL, `owner_id` integer NOT NULL, CONSTRAINT `point_entries_owners_point_entries` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
-- Set sequence for "point_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("point_entries", 115964116992);
-- Create index "point_entries_idempotency_key_key" to table: "point_entries"
CREATE UNIQUE INDEX `point_entries_idempotency_key_key` ON `point_entries` (`idempotency_key`);
-- Create index "pointentry_owner_id_seq" to table: "point_entries"
CREATE UNIQUE INDEX `pointentry_owner_id_seq` ON `point_entries` (`owner_id`, `seq`);
-- Create index "pointentry_work_order_id" to table: "point_entries"
CREATE INDEX `pointentry_work_order_id` ON `point_entries` (`work_order_id`);
-- Create index "pointentry_dealership_id_created_at" to table: "point_entries"
CREATE INDEX `pointentry_dealership_id_created_at` ON `point_entries` (`dealership_id`, `created_at`);
