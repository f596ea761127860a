-- Create index "workorder_dealership_id_opened_at" to table: "work_orders"
CREATE INDEX "workorder_dealership_id_opened_at" ON "work_orders" ("dealership_id", "opened_at");
