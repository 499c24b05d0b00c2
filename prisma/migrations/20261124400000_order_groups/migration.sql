-- OCO and bracket groups: one row per orderGroupWorkflow, its legs and episodes as JSON.
CREATE TABLE "order_groups" (
    "id" TEXT NOT NULL,
    "client_order_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "strategy_id" TEXT NOT NULL,
    "tradingsymbol" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "status_message" TEXT,
    "open_quantity" INTEGER NOT NULL DEFAULT 0,
    "payload_hash" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "legs" JSONB NOT NULL,
    "episodes" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_groups_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "order_groups_client_order_id_key" ON "order_groups"("client_order_id");
CREATE INDEX "order_groups_strategy_id_created_at_idx" ON "order_groups"("strategy_id", "created_at");
CREATE INDEX "order_groups_status_created_at_idx" ON "order_groups"("status", "created_at");
