-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_care_tasks" table
CREATE TABLE `new_care_tasks` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealership_id` integer NOT NULL, `channel` text NOT NULL, `kind` text NOT NULL DEFAULT ('push_failed'), `dedupe_key` text NULL, `vehicle_id` integer NULL, `reminder_id` integer NULL, `lapse_class` text NULL, `lapse_month` text NULL, `days_since_visit` integer NULL, `answer_reason` text NULL, `elsewhere_shop` text NULL, `elsewhere_price_cents` integer NULL, `reason` text NOT NULL, `outbox_message_id` integer NULL, `status` text NOT NULL DEFAULT ('open'), `due_at` datetime NOT NULL, `failure_reason` text NULL, `owner_id` integer NOT NULL, CONSTRAINT `care_tasks_owners_care_tasks` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
-- Set sequence for "new_care_tasks" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_care_tasks", 81604378624);
-- Copy rows from old table "care_tasks" to new temporary table "new_care_tasks"
INSERT INTO `new_care_tasks` (`id`, `created_at`, `updated_at`, `dealership_id`, `channel`, `reason`, `outbox_message_id`, `status`, `due_at`, `failure_reason`, `owner_id`) SELECT `id`, `created_at`, `updated_at`, `dealership_id`, `channel`, `reason`, `outbox_message_id`, `status`, `due_at`, `failure_reason`, `owner_id` FROM `care_tasks`;
-- Drop "care_tasks" table after copying rows
DROP TABLE `care_tasks`;
-- Rename temporary table "new_care_tasks" to "care_tasks"
ALTER TABLE `new_care_tasks` RENAME TO `care_tasks`;
-- Create index "care_tasks_dedupe_key_key" to table: "care_tasks"
CREATE UNIQUE INDEX `care_tasks_dedupe_key_key` ON `care_tasks` (`dedupe_key`);
-- Create index "caretask_dealership_id_status_due_at" to table: "care_tasks"
CREATE INDEX `caretask_dealership_id_status_due_at` ON `care_tasks` (`dealership_id`, `status`, `due_at`);
-- Create index "caretask_owner_id" to table: "care_tasks"
CREATE INDEX `caretask_owner_id` ON `care_tasks` (`owner_id`);
-- Create index "caretask_dealership_id_kind_lapse_month" to table: "care_tasks"
CREATE INDEX `caretask_dealership_id_kind_lapse_month` ON `care_tasks` (`dealership_id`, `kind`, `lapse_month`);
-- Add column "greeting_days" to table: "dealerships"
ALTER TABLE `dealerships` ADD COLUMN `greeting_days` json NULL;
-- Add column "expires_at" to table: "outbox_messages"
ALTER TABLE `outbox_messages` ADD COLUMN `expires_at` datetime NULL;
-- Add column "reminder_id" to table: "outbox_messages"
ALTER TABLE `outbox_messages` ADD COLUMN `reminder_id` integer NULL;
-- Create index "owner_updated_at" to table: "owners"
CREATE INDEX `owner_updated_at` ON `owners` (`updated_at`);
-- Create index "vehicle_updated_at" to table: "vehicles"
CREATE INDEX `vehicle_updated_at` ON `vehicles` (`updated_at`);
-- Create "job_leases" table
CREATE TABLE `job_leases` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `name` text NOT NULL, `holder` text NULL, `lease_until` datetime NULL, `last_started_at` datetime NULL, `last_succeeded_at` datetime NULL, `last_error` text NULL);
-- Set sequence for "job_leases" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("job_leases", 90194313216);
-- Create index "job_leases_name_key" to table: "job_leases"
CREATE UNIQUE INDEX `job_leases_name_key` ON `job_leases` (`name`);
-- Create "reminders" table
CREATE TABLE `reminders` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `vehicle_id` integer NULL, `dealership_id` integer NOT NULL, `kind` text NOT NULL, `cycle` text NOT NULL, `dedupe_key` text NOT NULL, `category` text NOT NULL, `due_date` datetime NULL, `send_at` datetime NOT NULL, `expires_at` datetime NULL, `status` text NOT NULL DEFAULT ('scheduled'), `status_reason` text NULL, `sent_at` datetime NULL, `opened_at` datetime NULL, `converted_at` datetime NULL, `appointment_id` integer NULL, `owner_id` integer NOT NULL, CONSTRAINT `reminders_owners_reminders` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
-- Set sequence for "reminders" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("reminders", 94489280512);
-- Create index "reminders_dedupe_key_key" to table: "reminders"
CREATE UNIQUE INDEX `reminders_dedupe_key_key` ON `reminders` (`dedupe_key`);
-- Create index "reminder_owner_id_sent_at" to table: "reminders"
CREATE INDEX `reminder_owner_id_sent_at` ON `reminders` (`owner_id`, `sent_at`);
-- Create index "reminder_dealership_id_status_send_at" to table: "reminders"
CREATE INDEX `reminder_dealership_id_status_send_at` ON `reminders` (`dealership_id`, `status`, `send_at`);
-- Create index "reminder_vehicle_id" to table: "reminders"
CREATE INDEX `reminder_vehicle_id` ON `reminders` (`vehicle_id`);
-- Create "reminder_checks" table
CREATE TABLE `reminder_checks` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `vehicle_id` integer NOT NULL, `next_at` datetime NOT NULL, `checked_at` datetime NULL);
-- Set sequence for "reminder_checks" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("reminder_checks", 98784247808);
-- Create index "reminder_checks_vehicle_id_key" to table: "reminder_checks"
CREATE UNIQUE INDEX `reminder_checks_vehicle_id_key` ON `reminder_checks` (`vehicle_id`);
-- Create index "remindercheck_next_at" to table: "reminder_checks"
CREATE INDEX `remindercheck_next_at` ON `reminder_checks` (`next_at`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
