-- Parent/child orders: split slices, OCO and bracket legs.
ALTER TABLE "orders" ADD COLUMN "parent_id" TEXT;
ALTER TABLE "orders" ADD COLUMN "leg_role" TEXT;
CREATE INDEX "orders_parent_id_idx" ON "orders"("parent_id");
