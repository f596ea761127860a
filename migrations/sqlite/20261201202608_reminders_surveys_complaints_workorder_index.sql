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
-- Create "new_survey_responses" table
CREATE TABLE `new_survey_responses` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `dealership_id` integer NOT NULL, `advisor_id` integer NULL, `invitation_id` integer NULL, `answers` json NOT NULL, `index_score` real NOT NULL, `top_box` bool NOT NULL, `submitted_at` datetime NOT NULL, `owner_id` integer NOT NULL, `template_id` integer NOT NULL, `work_order_id` integer NULL, CONSTRAINT `survey_responses_owners_survey_responses` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION, CONSTRAINT `survey_responses_survey_templates_responses` FOREIGN KEY (`template_id`) REFERENCES `survey_templates` (`id`) ON DELETE NO ACTION, CONSTRAINT `survey_responses_work_orders_survey_responses` FOREIGN KEY (`work_order_id`) REFERENCES `work_orders` (`id`) ON DELETE SET NULL);
-- Set sequence for "new_survey_responses" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_survey_responses", 30064771072);
-- Copy rows from old table "survey_responses" to new temporary table "new_survey_responses"
INSERT INTO `new_survey_responses` (`id`, `dealership_id`, `advisor_id`, `answers`, `index_score`, `top_box`, `submitted_at`, `owner_id`, `template_id`, `work_order_id`) SELECT `id`, `dealership_id`, `advisor_id`, `answers`, `index_score`, `top_box`, `submitted_at`, `owner_id`, `template_id`, `work_order_id` FROM `survey_responses`;
-- Drop "survey_responses" table after copying rows
DROP TABLE `survey_responses`;
-- Rename temporary table "new_survey_responses" to "survey_responses"
ALTER TABLE `new_survey_responses` RENAME TO `survey_responses`;
-- Create index "survey_responses_invitation_id_key" to table: "survey_responses"
CREATE UNIQUE INDEX `survey_responses_invitation_id_key` ON `survey_responses` (`invitation_id`);
-- Create index "surveyresponse_dealership_id_submitted_at" to table: "survey_responses"
CREATE INDEX `surveyresponse_dealership_id_submitted_at` ON `survey_responses` (`dealership_id`, `submitted_at`);
-- Create index "surveyresponse_owner_id" to table: "survey_responses"
CREATE INDEX `surveyresponse_owner_id` ON `survey_responses` (`owner_id`);
-- Create "new_survey_templates" table
CREATE TABLE `new_survey_templates` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealer_group_id` integer NOT NULL, `dealership_id` integer NULL, `name` text NOT NULL, `kind` text NOT NULL, `version` integer NOT NULL, `scale_max` integer NOT NULL DEFAULT (10), `aspects` json NOT NULL, `free_text_questions` json NULL, `active` bool NOT NULL DEFAULT (true), `alert_index_below` real NOT NULL DEFAULT (60), `alert_indicator_below` real NOT NULL DEFAULT (40));
-- Set sequence for "new_survey_templates" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_survey_templates", 34359738368);
-- Copy rows from old table "survey_templates" to new temporary table "new_survey_templates"
INSERT INTO `new_survey_templates` (`id`, `created_at`, `updated_at`, `dealer_group_id`, `dealership_id`, `name`, `kind`, `version`, `scale_max`, `aspects`, `free_text_questions`, `active`) SELECT `id`, `created_at`, `updated_at`, `dealer_group_id`, `dealership_id`, `name`, `kind`, `version`, `scale_max`, `aspects`, `free_text_questions`, `active` FROM `survey_templates`;
-- Drop "survey_templates" table after copying rows
DROP TABLE `survey_templates`;
-- Rename temporary table "new_survey_templates" to "survey_templates"
ALTER TABLE `new_survey_templates` RENAME TO `survey_templates`;
-- Create index "surveytemplate_dealer_group_id_kind_name_version" to table: "survey_templates"
CREATE UNIQUE INDEX `surveytemplate_dealer_group_id_kind_name_version` ON `survey_templates` (`dealer_group_id`, `kind`, `name`, `version`);
-- Create index "vehicle_updated_at" to table: "vehicles"
CREATE INDEX `vehicle_updated_at` ON `vehicles` (`updated_at`);
-- Create index "workorder_dealership_id_opened_at" to table: "work_orders"
CREATE INDEX `workorder_dealership_id_opened_at` ON `work_orders` (`dealership_id`, `opened_at`);
-- Create "complaints" table
CREATE TABLE `complaints` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealership_id` integer NOT NULL, `work_order_id` integer NULL, `survey_response_id` integer NULL, `source` text NOT NULL, `category` text NOT NULL, `severity` text NOT NULL, `description` text NOT NULL, `status` text NOT NULL DEFAULT ('logged'), `due_at` datetime NOT NULL, `escalate_at` datetime NULL, `escalation_level` integer NOT NULL DEFAULT (0), `reopened_count` integer NOT NULL DEFAULT (0), `resolution_rating` integer NULL, `resolution_comment` text NULL, `closed_at` datetime NULL, `owner_id` integer NOT NULL, CONSTRAINT `complaints_owners_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
-- Set sequence for "complaints" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("complaints", 90194313216);
-- Create index "complaints_survey_response_id_key" to table: "complaints"
CREATE UNIQUE INDEX `complaints_survey_response_id_key` ON `complaints` (`survey_response_id`);
-- Create index "complaint_dealership_id_status_due_at" to table: "complaints"
CREATE INDEX `complaint_dealership_id_status_due_at` ON `complaints` (`dealership_id`, `status`, `due_at`);
-- Create index "complaint_owner_id" to table: "complaints"
CREATE INDEX `complaint_owner_id` ON `complaints` (`owner_id`);
-- Create index "complaint_escalate_at" to table: "complaints"
CREATE INDEX `complaint_escalate_at` ON `complaints` (`escalate_at`);
-- Create "complaint_steps" table
CREATE TABLE `complaint_steps` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `action` text NOT NULL, `to_status` text NOT NULL, `actor_kind` text NOT NULL, `staff_id` integer NULL, `note` text NULL, `escalation_level` integer NOT NULL DEFAULT (0), `due_at` datetime NULL, `at` datetime NOT NULL, `complaint_id` integer NOT NULL, CONSTRAINT `complaint_steps_complaints_steps` FOREIGN KEY (`complaint_id`) REFERENCES `complaints` (`id`) ON DELETE NO ACTION);
-- Set sequence for "complaint_steps" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("complaint_steps", 94489280512);
-- Create index "complaintstep_complaint_id_at" to table: "complaint_steps"
CREATE INDEX `complaintstep_complaint_id_at` ON `complaint_steps` (`complaint_id`, `at`);
-- Create "job_leases" table
CREATE TABLE `job_leases` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `name` text NOT NULL, `holder` text NULL, `lease_until` datetime NULL, `last_started_at` datetime NULL, `last_succeeded_at` datetime NULL, `last_error` text NULL);
-- Set sequence for "job_leases" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("job_leases", 103079215104);
-- Create index "job_leases_name_key" to table: "job_leases"
CREATE UNIQUE INDEX `job_leases_name_key` ON `job_leases` (`name`);
-- Create "reminders" table
CREATE TABLE `reminders` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `vehicle_id` integer NULL, `dealership_id` integer NOT NULL, `kind` text NOT NULL, `cycle` text NOT NULL, `dedupe_key` text NOT NULL, `category` text NOT NULL, `due_date` datetime NULL, `send_at` datetime NOT NULL, `expires_at` datetime NULL, `status` text NOT NULL DEFAULT ('scheduled'), `status_reason` text NULL, `sent_at` datetime NULL, `opened_at` datetime NULL, `converted_at` datetime NULL, `appointment_id` integer NULL, `owner_id` integer NOT NULL, CONSTRAINT `reminders_owners_reminders` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
-- Set sequence for "reminders" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("reminders", 107374182400);
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
INSERT INTO sqlite_sequence (name, seq) VALUES ("reminder_checks", 111669149696);
-- Create index "reminder_checks_vehicle_id_key" to table: "reminder_checks"
CREATE UNIQUE INDEX `reminder_checks_vehicle_id_key` ON `reminder_checks` (`vehicle_id`);
-- Create index "remindercheck_next_at" to table: "reminder_checks"
CREATE INDEX `remindercheck_next_at` ON `reminder_checks` (`next_at`);
-- Create "survey_invitations" table
CREATE TABLE `survey_invitations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealership_id` integer NOT NULL, `work_order_id` integer NULL, `advisor_id` integer NULL, `status` text NOT NULL DEFAULT ('pending'), `invited_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `answered_at` datetime NULL, `owner_id` integer NOT NULL, `template_id` integer NOT NULL, CONSTRAINT `survey_invitations_owners_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION, CONSTRAINT `survey_invitations_survey_templates_template` FOREIGN KEY (`template_id`) REFERENCES `survey_templates` (`id`) ON DELETE NO ACTION);
-- Set sequence for "survey_invitations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("survey_invitations", 98784247808);
-- Create index "survey_invitations_work_order_id_key" to table: "survey_invitations"
CREATE UNIQUE INDEX `survey_invitations_work_order_id_key` ON `survey_invitations` (`work_order_id`);
-- Create index "surveyinvitation_owner_id_status" to table: "survey_invitations"
CREATE INDEX `surveyinvitation_owner_id_status` ON `survey_invitations` (`owner_id`, `status`);
-- Create index "surveyinvitation_dealership_id_invited_at" to table: "survey_invitations"
CREATE INDEX `surveyinvitation_dealership_id_invited_at` ON `survey_invitations` (`dealership_id`, `invited_at`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
