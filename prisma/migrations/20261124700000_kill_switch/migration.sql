-- The daily-loss kill switch: one row per broker account (its current state), and an append-only event trail.
CREATE TABLE "kill_switches" (
    "account" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "source" TEXT,
    "by" TEXT,
    "engaged_at" TIMESTAMPTZ(3),
    "reset_at" TIMESTAMPTZ(3),
    "released_at" TIMESTAMPTZ(3),
    "engagement_id" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kill_switches_pkey" PRIMARY KEY ("account")
);

CREATE TABLE "kill_switch_events" (
    "id" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "engagement_id" TEXT,
    "reason" TEXT,
    "source" TEXT,
    "by" TEXT,
    "payload" JSONB,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kill_switch_events_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "kill_switch_events_account_occurred_at_idx" ON "kill_switch_events"("account", "occurred_at");

-- The audit export reads order events by time range.
CREATE INDEX "order_events_occurred_at_idx" ON "order_events"("occurred_at");
