-- Create index "contactattempt_care_task_id" to table: "contact_attempts"
CREATE INDEX `contactattempt_care_task_id` ON `contact_attempts` (`care_task_id`);
-- Create index "contactattempt_at" to table: "contact_attempts"
CREATE INDEX `contactattempt_at` ON `contact_attempts` (`at`);
-- Create index "caretask_vehicle_id" to table: "care_tasks"
CREATE INDEX `caretask_vehicle_id` ON `care_tasks` (`vehicle_id`);
-- Create index "complaint_dealership_id_created_at" to table: "complaints"
CREATE INDEX `complaint_dealership_id_created_at` ON `complaints` (`dealership_id`, `created_at`);
-- Create index "reminder_dealership_id_kind_due_date" to table: "reminders"
CREATE INDEX `reminder_dealership_id_kind_due_date` ON `reminders` (`dealership_id`, `kind`, `due_date`);
-- Create index "reminder_dealership_id_send_at" to table: "reminders"
CREATE INDEX `reminder_dealership_id_send_at` ON `reminders` (`dealership_id`, `send_at`);
