-- Risk engine: an order that passed the pre-trade gate reserves its exposure, notional and margin until it ends.
ALTER TABLE "orders"
  ADD COLUMN "risk_account" TEXT,
  ADD COLUMN "underlying" TEXT,
  ADD COLUMN "reference_price" DECIMAL(14,2),
  ADD COLUMN "reserved_margin" DECIMAL(16,2),
  ADD COLUMN "risk_passed" BOOLEAN NOT NULL DEFAULT false;

CREATE INDEX "orders_risk_account_status_idx" ON "orders"("risk_account", "status");
CREATE INDEX "orders_risk_account_created_at_idx" ON "orders"("risk_account", "created_at");
