-- Add column "care_calendar" to table: "dealerships"
ALTER TABLE `dealerships` ADD COLUMN `care_calendar` json NULL;
