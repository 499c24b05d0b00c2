-- One row per broker tag a placement was sent for: the first sender takes it; whoever finds it taken (a placement
-- run again after a crash) looks the tag up at the broker before it places anything.
CREATE TABLE "broker_send_tickets" (
    "tag" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "broker_send_tickets_pkey" PRIMARY KEY ("tag")
);
