-- Create "appointments" table
CREATE TABLE `appointments` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `reference` text NOT NULL, `service_type` text NOT NULL, `starts_at` datetime NOT NULL, `ends_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('requested'), `source` text NOT NULL, `transport` text NOT NULL DEFAULT ('wait'), `transport_price_cents` integer NOT NULL DEFAULT (0), `notes` text NULL, `cancel_reason` text NULL, `cancelled_at` datetime NULL, `pools` json NULL, `vehicle_plate` text NULL, `vehicle_vin` text NULL, `widget_key_id` integer NULL, `idempotency_key` text NULL, `advisor_id` integer NULL, `dealership_id` integer NOT NULL, `owner_id` integer NOT NULL, `vehicle_id` integer NULL, CONSTRAINT `appointments_staffs_advisor` FOREIGN KEY (`advisor_id`) REFERENCES `staffs` (`id`) ON DELETE SET NULL, CONSTRAINT `appointments_dealerships_appointments` FOREIGN KEY (`dealership_id`) REFERENCES `dealerships` (`id`) ON DELETE NO ACTION, CONSTRAINT `appointments_owners_appointments` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION, CONSTRAINT `appointments_vehicles_appointments` FOREIGN KEY (`vehicle_id`) REFERENCES `vehicles` (`id`) ON DELETE SET NULL);
-- Create index "appointments_reference_key" to table: "appointments"
CREATE UNIQUE INDEX `appointments_reference_key` ON `appointments` (`reference`);
-- Create index "appointment_dealership_id_starts_at" to table: "appointments"
CREATE INDEX `appointment_dealership_id_starts_at` ON `appointments` (`dealership_id`, `starts_at`);
-- Create index "appointment_owner_id_starts_at" to table: "appointments"
CREATE INDEX `appointment_owner_id_starts_at` ON `appointments` (`owner_id`, `starts_at`);
-- Create index "appointment_vehicle_id" to table: "appointments"
CREATE INDEX `appointment_vehicle_id` ON `appointments` (`vehicle_id`);
-- Create index "appointment_dealership_id_idempotency_key" to table: "appointments"
CREATE UNIQUE INDEX `appointment_dealership_id_idempotency_key` ON `appointments` (`dealership_id`, `idempotency_key`);
-- Create index "appointment_dealership_id_status_starts_at" to table: "appointments"
CREATE INDEX `appointment_dealership_id_status_starts_at` ON `appointments` (`dealership_id`, `status`, `starts_at`);
-- Create "audit_entries" table
CREATE TABLE `audit_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `at` datetime NOT NULL, `actor_kind` text NOT NULL, `actor_staff_id` integer NULL, `dealer_group_id` integer NOT NULL, `dealership_id` integer NULL, `owner_id` integer NOT NULL, `action` text NOT NULL, `fields` json NULL, `request_id` text NULL);
-- Set sequence for "audit_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("audit_entries", 55834574848);
-- Create index "auditentry_owner_id_at" to table: "audit_entries"
CREATE INDEX `auditentry_owner_id_at` ON `audit_entries` (`owner_id`, `at`);
-- Create index "auditentry_actor_staff_id_at" to table: "audit_entries"
CREATE INDEX `auditentry_actor_staff_id_at` ON `audit_entries` (`actor_staff_id`, `at`);
-- Create "care_tasks" table
CREATE TABLE `care_tasks` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealership_id` integer NOT NULL, `channel` text NOT NULL, `reason` text NOT NULL, `outbox_message_id` integer NULL, `status` text NOT NULL DEFAULT ('open'), `due_at` datetime NOT NULL, `failure_reason` text NULL, `owner_id` integer NOT NULL, CONSTRAINT `care_tasks_owners_care_tasks` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
-- Set sequence for "care_tasks" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("care_tasks", 81604378624);
-- Create index "caretask_dealership_id_status_due_at" to table: "care_tasks"
CREATE INDEX `caretask_dealership_id_status_due_at` ON `care_tasks` (`dealership_id`, `status`, `due_at`);
-- Create index "caretask_owner_id" to table: "care_tasks"
CREATE INDEX `caretask_owner_id` ON `care_tasks` (`owner_id`);
-- Create "contact_attempts" table
CREATE TABLE `contact_attempts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `staff_id` integer NULL, `at` datetime NOT NULL, `outcome` text NOT NULL, `note` text NULL, `care_task_id` integer NOT NULL, CONSTRAINT `contact_attempts_care_tasks_attempts` FOREIGN KEY (`care_task_id`) REFERENCES `care_tasks` (`id`) ON DELETE NO ACTION);
-- Set sequence for "contact_attempts" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("contact_attempts", 85899345920);
-- Create "dealer_groups" table
CREATE TABLE `dealer_groups` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `code` text NOT NULL);
-- Set sequence for "dealer_groups" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("dealer_groups", 4294967296);
-- Create index "dealer_groups_code_key" to table: "dealer_groups"
CREATE UNIQUE INDEX `dealer_groups_code_key` ON `dealer_groups` (`code`);
-- Create "dealerships" table
CREATE TABLE `dealerships` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `code` text NOT NULL, `brands` json NULL, `time_zone` text NOT NULL DEFAULT ('Asia/Shanghai'), `address` text NULL, `region` text NULL, `latitude` real NULL, `longitude` real NULL, `opening_hours` json NULL, `closures` json NULL, `phone` text NULL, `slot_minutes` integer NOT NULL DEFAULT (30), `capacity` json NULL, `peak_hours` json NULL, `booking_horizon_days` integer NOT NULL DEFAULT (60), `min_lead_minutes` integer NOT NULL DEFAULT (60), `cancel_cutoff_hours` integer NOT NULL DEFAULT (2), `pickup_radius_km` real NOT NULL DEFAULT (3), `pickup_price_cents` integer NOT NULL DEFAULT (5000), `dealer_group_id` integer NOT NULL, CONSTRAINT `dealerships_dealer_groups_dealerships` FOREIGN KEY (`dealer_group_id`) REFERENCES `dealer_groups` (`id`) ON DELETE NO ACTION);
-- Set sequence for "dealerships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("dealerships", 8589934592);
-- Create index "dealerships_code_key" to table: "dealerships"
CREATE UNIQUE INDEX `dealerships_code_key` ON `dealerships` (`code`);
-- Create "devices" table
CREATE TABLE `devices` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `token` text NOT NULL, `platform` text NOT NULL, `app_version` text NULL, `locale` text NULL, `last_seen_at` datetime NOT NULL, `owner_id` integer NOT NULL, CONSTRAINT `devices_owners_devices` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
-- Set sequence for "devices" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("devices", 12884901888);
-- Create index "devices_token_key" to table: "devices"
CREATE UNIQUE INDEX `devices_token_key` ON `devices` (`token`);
-- Create index "device_owner_id" to table: "devices"
CREATE INDEX `device_owner_id` ON `devices` (`owner_id`);
-- Create "inspection_items" table
CREATE TABLE `inspection_items` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `rating` text NOT NULL, `note` text NULL, `labour_cents` integer NOT NULL DEFAULT (0), `parts_cents` integer NOT NULL DEFAULT (0), `decision` text NOT NULL DEFAULT ('pending'), `decided_at` datetime NULL, `decided_by` text NULL, `decided_by_staff_id` integer NULL, `decision_note` text NULL, `work_order_id` integer NOT NULL, CONSTRAINT `inspection_items_work_orders_inspection_items` FOREIGN KEY (`work_order_id`) REFERENCES `work_orders` (`id`) ON DELETE NO ACTION);
-- Set sequence for "inspection_items" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("inspection_items", 73014444032);
-- Create "odometer_readings" table
CREATE TABLE `odometer_readings` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `km` integer NOT NULL, `source` text NOT NULL, `recorded_at` datetime NOT NULL, `correction` bool NOT NULL DEFAULT (false), `note` text NULL, `vehicle_id` integer NOT NULL, CONSTRAINT `odometer_readings_vehicles_odometer_readings` FOREIGN KEY (`vehicle_id`) REFERENCES `vehicles` (`id`) ON DELETE NO ACTION);
-- Set sequence for "odometer_readings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("odometer_readings", 17179869184);
-- Create index "odometerreading_vehicle_id_recorded_at" to table: "odometer_readings"
CREATE INDEX `odometerreading_vehicle_id_recorded_at` ON `odometer_readings` (`vehicle_id`, `recorded_at`);
-- Create "outbox_messages" table
CREATE TABLE `outbox_messages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealership_id` integer NULL, `kind` text NOT NULL, `dedupe_key` text NOT NULL, `category` text NOT NULL DEFAULT ('service'), `title` text NOT NULL, `body` text NOT NULL, `data` json NULL, `appointment_id` integer NULL, `work_order_id` integer NULL, `send_after` datetime NOT NULL, `status` text NOT NULL DEFAULT ('pending'), `attempts` integer NOT NULL DEFAULT (0), `last_error` text NULL, `sent_at` datetime NULL, `claimed_until` datetime NULL, `owner_id` integer NOT NULL, CONSTRAINT `outbox_messages_owners_outbox_messages` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
-- Set sequence for "outbox_messages" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("outbox_messages", 64424509440);
-- Create index "outbox_messages_dedupe_key_key" to table: "outbox_messages"
CREATE UNIQUE INDEX `outbox_messages_dedupe_key_key` ON `outbox_messages` (`dedupe_key`);
-- Create index "outboxmessage_status_send_after" to table: "outbox_messages"
CREATE INDEX `outboxmessage_status_send_after` ON `outbox_messages` (`status`, `send_after`);
-- Create index "outboxmessage_owner_id_created_at" to table: "outbox_messages"
CREATE INDEX `outboxmessage_owner_id_created_at` ON `outbox_messages` (`owner_id`, `created_at`);
-- Create index "outboxmessage_owner_id_status_sent_at" to table: "outbox_messages"
CREATE INDEX `outboxmessage_owner_id_status_sent_at` ON `outbox_messages` (`owner_id`, `status`, `sent_at`);
-- Create "owners" table
CREATE TABLE `owners` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealer_group_id` integer NOT NULL, `name` text NOT NULL, `phone` text NULL, `email` text NULL, `birthday` date NULL, `region` text NULL, `preferred_channels` json NULL, `consent_service` bool NOT NULL DEFAULT (true), `consent_service_at` datetime NULL, `consent_marketing` bool NOT NULL DEFAULT (false), `consent_marketing_at` datetime NULL, `quiet_hours_start` text NOT NULL DEFAULT ('21:00'), `quiet_hours_end` text NOT NULL DEFAULT ('09:00'), `time_zone` text NULL, `locale` text NOT NULL DEFAULT ('zh-CN'), `tier` text NOT NULL DEFAULT ('basic'), `auth_uid` text NULL, `phone_invalid` bool NOT NULL DEFAULT (false), `prospect` bool NOT NULL DEFAULT (false), `erased_at` datetime NULL, `home_dealership_id` integer NULL, CONSTRAINT `owners_dealerships_owners` FOREIGN KEY (`home_dealership_id`) REFERENCES `dealerships` (`id`) ON DELETE SET NULL);
-- Set sequence for "owners" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("owners", 21474836480);
-- Create index "owners_auth_uid_key" to table: "owners"
CREATE UNIQUE INDEX `owners_auth_uid_key` ON `owners` (`auth_uid`);
-- Create index "owner_dealer_group_id_phone" to table: "owners"
CREATE UNIQUE INDEX `owner_dealer_group_id_phone` ON `owners` (`dealer_group_id`, `phone`);
-- Create index "owner_home_dealership_id" to table: "owners"
CREATE INDEX `owner_home_dealership_id` ON `owners` (`home_dealership_id`);
-- Create "photos" table
CREATE TABLE `photos` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `content_type` text NOT NULL, `size_bytes` integer NOT NULL, `blob_key` text NOT NULL, `taken_by_staff_id` integer NULL, `inspection_item_id` integer NULL, `work_order_id` integer NOT NULL, CONSTRAINT `photos_inspection_items_photos` FOREIGN KEY (`inspection_item_id`) REFERENCES `inspection_items` (`id`) ON DELETE SET NULL, CONSTRAINT `photos_work_orders_photos` FOREIGN KEY (`work_order_id`) REFERENCES `work_orders` (`id`) ON DELETE NO ACTION);
-- Set sequence for "photos" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("photos", 77309411328);
-- Create index "photos_blob_key_key" to table: "photos"
CREATE UNIQUE INDEX `photos_blob_key_key` ON `photos` (`blob_key`);
-- Create "service_types" table
CREATE TABLE `service_types` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `name` text NOT NULL, `duration_minutes` integer NOT NULL, `pools` json NOT NULL, `price_cents` integer NULL, `active` bool NOT NULL DEFAULT (true), `dealership_id` integer NOT NULL, CONSTRAINT `service_types_dealerships_service_types` FOREIGN KEY (`dealership_id`) REFERENCES `dealerships` (`id`) ON DELETE NO ACTION);
-- Set sequence for "service_types" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("service_types", 68719476736);
-- Create index "servicetype_dealership_id_code" to table: "service_types"
CREATE UNIQUE INDEX `servicetype_dealership_id_code` ON `service_types` (`dealership_id`, `code`);
-- Create "staffs" table
CREATE TABLE `staffs` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealer_group_id` integer NOT NULL, `name` text NOT NULL, `email` text NOT NULL, `phone` text NULL, `role` text NOT NULL, `active` bool NOT NULL DEFAULT (true), `auth_uid` text NULL, `dealership_id` integer NULL, CONSTRAINT `staffs_dealerships_staff` FOREIGN KEY (`dealership_id`) REFERENCES `dealerships` (`id`) ON DELETE SET NULL);
-- Set sequence for "staffs" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("staffs", 25769803776);
-- Create index "staffs_email_key" to table: "staffs"
CREATE UNIQUE INDEX `staffs_email_key` ON `staffs` (`email`);
-- Create index "staffs_auth_uid_key" to table: "staffs"
CREATE UNIQUE INDEX `staffs_auth_uid_key` ON `staffs` (`auth_uid`);
-- Create index "staff_dealership_id_role" to table: "staffs"
CREATE INDEX `staff_dealership_id_role` ON `staffs` (`dealership_id`, `role`);
-- Create "survey_responses" table
CREATE TABLE `survey_responses` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `dealership_id` integer NOT NULL, `advisor_id` integer NULL, `answers` json NOT NULL, `index_score` real NOT NULL, `top_box` bool NOT NULL, `submitted_at` datetime NOT NULL, `owner_id` integer NOT NULL, `template_id` integer NOT NULL, `work_order_id` integer NULL, CONSTRAINT `survey_responses_owners_survey_responses` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION, CONSTRAINT `survey_responses_survey_templates_responses` FOREIGN KEY (`template_id`) REFERENCES `survey_templates` (`id`) ON DELETE NO ACTION, CONSTRAINT `survey_responses_work_orders_survey_responses` FOREIGN KEY (`work_order_id`) REFERENCES `work_orders` (`id`) ON DELETE SET NULL);
-- Set sequence for "survey_responses" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("survey_responses", 30064771072);
-- Create index "surveyresponse_dealership_id_submitted_at" to table: "survey_responses"
CREATE INDEX `surveyresponse_dealership_id_submitted_at` ON `survey_responses` (`dealership_id`, `submitted_at`);
-- Create index "surveyresponse_owner_id" to table: "survey_responses"
CREATE INDEX `surveyresponse_owner_id` ON `survey_responses` (`owner_id`);
-- Create "survey_templates" table
CREATE TABLE `survey_templates` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `dealer_group_id` integer NOT NULL, `dealership_id` integer NULL, `name` text NOT NULL, `kind` text NOT NULL, `version` integer NOT NULL, `scale_max` integer NOT NULL DEFAULT (10), `aspects` json NOT NULL, `free_text_questions` json NULL, `active` bool NOT NULL DEFAULT (true));
-- Set sequence for "survey_templates" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("survey_templates", 34359738368);
-- Create index "surveytemplate_dealer_group_id_kind_name_version" to table: "survey_templates"
CREATE UNIQUE INDEX `surveytemplate_dealer_group_id_kind_name_version` ON `survey_templates` (`dealer_group_id`, `kind`, `name`, `version`);
-- Create "vehicles" table
CREATE TABLE `vehicles` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `vin` text NOT NULL, `plate` text NULL, `make` text NOT NULL, `model` text NOT NULL, `model_year` integer NOT NULL, `fuel_type` text NOT NULL, `colour` text NULL, `delivery_date` date NOT NULL, `delivery_km` integer NOT NULL DEFAULT (0), `odometer_km` integer NOT NULL DEFAULT (0), `warranty_end_date` date NULL, `warranty_end_km` integer NULL, `insurance_expiry` date NULL, `insurer` text NULL, `next_inspection_date` date NULL, `first_service_km` integer NOT NULL DEFAULT (3000), `first_service_months` integer NOT NULL DEFAULT (2), `service_interval_km` integer NOT NULL DEFAULT (5000), `service_interval_months` integer NOT NULL DEFAULT (6), `last_service_date` date NULL, `last_service_km` integer NULL, `selling_dealership_id` integer NULL, `owner_id` integer NULL, CONSTRAINT `vehicles_dealerships_vehicles_sold` FOREIGN KEY (`selling_dealership_id`) REFERENCES `dealerships` (`id`) ON DELETE SET NULL, CONSTRAINT `vehicles_owners_vehicles` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE SET NULL);
-- Set sequence for "vehicles" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("vehicles", 38654705664);
-- Create index "vehicles_vin_key" to table: "vehicles"
CREATE UNIQUE INDEX `vehicles_vin_key` ON `vehicles` (`vin`);
-- Create index "vehicle_owner_id" to table: "vehicles"
CREATE INDEX `vehicle_owner_id` ON `vehicles` (`owner_id`);
-- Create index "vehicle_plate" to table: "vehicles"
CREATE INDEX `vehicle_plate` ON `vehicles` (`plate`);
-- Create index "vehicle_selling_dealership_id" to table: "vehicles"
CREATE INDEX `vehicle_selling_dealership_id` ON `vehicles` (`selling_dealership_id`);
-- Create "vehicle_ownerships" table
CREATE TABLE `vehicle_ownerships` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `started_at` datetime NOT NULL, `ended_at` datetime NULL, `owner_id` integer NOT NULL, `vehicle_id` integer NOT NULL, CONSTRAINT `vehicle_ownerships_owners_ownerships` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION, CONSTRAINT `vehicle_ownerships_vehicles_ownerships` FOREIGN KEY (`vehicle_id`) REFERENCES `vehicles` (`id`) ON DELETE NO ACTION);
-- Set sequence for "vehicle_ownerships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("vehicle_ownerships", 42949672960);
-- Create index "vehicleownership_vehicle_id_started_at" to table: "vehicle_ownerships"
CREATE INDEX `vehicleownership_vehicle_id_started_at` ON `vehicle_ownerships` (`vehicle_id`, `started_at`);
-- Create index "vehicleownership_owner_id" to table: "vehicle_ownerships"
CREATE INDEX `vehicleownership_owner_id` ON `vehicle_ownerships` (`owner_id`);
-- Create "widget_keys" table
CREATE TABLE `widget_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `prefix` text NOT NULL, `key_hash` text NOT NULL, `allowed_origins` json NOT NULL, `created_by_id` integer NULL, `revoked_at` datetime NULL, `last_used_at` datetime NULL, `dealership_id` integer NOT NULL, CONSTRAINT `widget_keys_dealerships_widget_keys` FOREIGN KEY (`dealership_id`) REFERENCES `dealerships` (`id`) ON DELETE NO ACTION);
-- Set sequence for "widget_keys" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("widget_keys", 60129542144);
-- Create index "widget_keys_key_hash_key" to table: "widget_keys"
CREATE UNIQUE INDEX `widget_keys_key_hash_key` ON `widget_keys` (`key_hash`);
-- Create "work_orders" table
CREATE TABLE `work_orders` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `number` text NOT NULL, `status` text NOT NULL DEFAULT ('checked_in'), `fault_description` text NULL, `promised_at` datetime NULL, `odometer_in_km` integer NOT NULL, `odometer_out_km` integer NULL, `opened_at` datetime NOT NULL, `delivered_at` datetime NULL, `labour_cents` integer NOT NULL DEFAULT (0), `parts_cents` integer NOT NULL DEFAULT (0), `total_cents` integer NOT NULL DEFAULT (0), `check_in` json NULL, `estimate_cents` integer NOT NULL DEFAULT (0), `last_event_seq` integer NOT NULL DEFAULT (0), `appointment_id` integer NULL, `dealership_id` integer NOT NULL, `owner_id` integer NOT NULL, `vehicle_id` integer NOT NULL, `advisor_id` integer NULL, CONSTRAINT `work_orders_appointments_work_order` FOREIGN KEY (`appointment_id`) REFERENCES `appointments` (`id`) ON DELETE SET NULL, CONSTRAINT `work_orders_dealerships_work_orders` FOREIGN KEY (`dealership_id`) REFERENCES `dealerships` (`id`) ON DELETE NO ACTION, CONSTRAINT `work_orders_owners_work_orders` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION, CONSTRAINT `work_orders_vehicles_work_orders` FOREIGN KEY (`vehicle_id`) REFERENCES `vehicles` (`id`) ON DELETE NO ACTION, CONSTRAINT `work_orders_staffs_advisor` FOREIGN KEY (`advisor_id`) REFERENCES `staffs` (`id`) ON DELETE SET NULL);
-- Set sequence for "work_orders" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("work_orders", 47244640256);
-- Create index "work_orders_appointment_id_key" to table: "work_orders"
CREATE UNIQUE INDEX `work_orders_appointment_id_key` ON `work_orders` (`appointment_id`);
-- Create index "workorder_dealership_id_number" to table: "work_orders"
CREATE UNIQUE INDEX `workorder_dealership_id_number` ON `work_orders` (`dealership_id`, `number`);
-- Create index "workorder_dealership_id_status" to table: "work_orders"
CREATE INDEX `workorder_dealership_id_status` ON `work_orders` (`dealership_id`, `status`);
-- Create index "workorder_vehicle_id_opened_at" to table: "work_orders"
CREATE INDEX `workorder_vehicle_id_opened_at` ON `work_orders` (`vehicle_id`, `opened_at`);
-- Create index "workorder_owner_id_opened_at" to table: "work_orders"
CREATE INDEX `workorder_owner_id_opened_at` ON `work_orders` (`owner_id`, `opened_at`);
-- Create "work_order_events" table
CREATE TABLE `work_order_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `seq` integer NOT NULL, `from_status` text NULL, `to_status` text NOT NULL, `actor_staff_id` integer NULL, `actor_kind` text NOT NULL, `message` text NULL, `promised_at` datetime NULL, `created_at` datetime NOT NULL, `work_order_id` integer NOT NULL, CONSTRAINT `work_order_events_work_orders_events` FOREIGN KEY (`work_order_id`) REFERENCES `work_orders` (`id`) ON DELETE NO ACTION);
-- Set sequence for "work_order_events" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("work_order_events", 51539607552);
-- Create index "workorderevent_work_order_id_seq" to table: "work_order_events"
CREATE UNIQUE INDEX `workorderevent_work_order_id_seq` ON `work_order_events` (`work_order_id`, `seq`);
