-- Modify "dealerships" table
ALTER TABLE "dealerships" ADD COLUMN "care_calendar" jsonb NULL;
