-- Several broker accounts in one deployment (config/accounts.json). Each order names its account; each account has
-- its own account book ('*:<account>') and unattributed book ('~unattributed:<account>'). The books of the one
-- account before this (named 'default', risk.json's account) keep their rows under the new names.
ALTER TABLE "orders" ADD COLUMN "account" TEXT NOT NULL DEFAULT 'default';
UPDATE "orders" SET "account" = "risk_account" WHERE "risk_account" IS NOT NULL;
CREATE INDEX "orders_account_status_idx" ON "orders"("account", "status");
UPDATE "positions" SET "strategy_id" = '*:default' WHERE "strategy_id" = '*';
UPDATE "positions" SET "strategy_id" = '~unattributed:default' WHERE "strategy_id" = '~unattributed';
