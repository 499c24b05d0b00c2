-- The event outbox (SSE stream, strategy webhooks, alert channels) and the delivery cursor of each webhook.
CREATE TABLE "events" (
    "seq" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "strategy_id" TEXT,
    "account" TEXT,
    "order_id" TEXT,
    "payload" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "events_pkey" PRIMARY KEY ("seq")
);
CREATE UNIQUE INDEX "events_key_key" ON "events"("key");
CREATE INDEX "events_strategy_id_seq_idx" ON "events"("strategy_id", "seq");
CREATE INDEX "events_type_seq_idx" ON "events"("type", "seq");

CREATE TABLE "event_deliveries" (
    "subscription" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "event_deliveries_pkey" PRIMARY KEY ("subscription")
);
