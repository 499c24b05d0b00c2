-- The broker's order-request rate limit, shared by every OMS process of an account: one row per request sent.
CREATE TABLE "broker_rate_slots" (
    "id" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,
    "answered_at" TIMESTAMPTZ(3),

    CONSTRAINT "broker_rate_slots_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "broker_rate_slots_account_sent_at_idx" ON "broker_rate_slots"("account", "sent_at");
