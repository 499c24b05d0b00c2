-- CreateTable
CREATE TABLE "orders" (
    "id" TEXT NOT NULL,
    "client_order_id" TEXT NOT NULL,
    "strategy_id" TEXT NOT NULL,
    "tradingsymbol" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "order_type" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "validity" TEXT NOT NULL,
    "variety" TEXT NOT NULL,
    "price" DECIMAL(14,2),
    "trigger_price" DECIMAL(14,2),
    "stop_loss" DECIMAL(14,2),
    "take_profit" DECIMAL(14,2),
    "status" TEXT NOT NULL,
    "status_message" TEXT,
    "filled_quantity" INTEGER NOT NULL DEFAULT 0,
    "average_price" DECIMAL(16,4),
    "broker_order_id" TEXT,
    "broker_status" TEXT,
    "tag" TEXT NOT NULL,
    "payload_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submitted_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "filled_at" TIMESTAMPTZ(3),
    "validation_result" JSONB,
    "metadata" JSONB,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_events" (
    "id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "from_status" TEXT,
    "to_status" TEXT,
    "source" TEXT NOT NULL,
    "payload" JSONB,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trades" (
    "id" TEXT NOT NULL,
    "broker_trade_id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "broker_order_id" TEXT NOT NULL,
    "tradingsymbol" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "price" DECIMAL(14,2) NOT NULL,
    "brokerage" DECIMAL(14,4) NOT NULL DEFAULT 0,
    "stt" DECIMAL(14,4) NOT NULL DEFAULT 0,
    "exchange_charges" DECIMAL(14,4) NOT NULL DEFAULT 0,
    "sebi_charges" DECIMAL(14,4) NOT NULL DEFAULT 0,
    "stamp_duty" DECIMAL(14,4) NOT NULL DEFAULT 0,
    "gst" DECIMAL(14,4) NOT NULL DEFAULT 0,
    "total_charges" DECIMAL(14,4) NOT NULL DEFAULT 0,
    "executed_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trades_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "positions" (
    "id" TEXT NOT NULL,
    "tradingsymbol" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 0,
    "average_price" DECIMAL(16,4) NOT NULL DEFAULT 0,
    "realized_pnl" DECIMAL(16,4) NOT NULL DEFAULT 0,
    "charges" DECIMAL(16,4) NOT NULL DEFAULT 0,
    "last_trade_id" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "positions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_log" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tradingsymbol" TEXT,
    "exchange" TEXT,
    "order_id" TEXT,
    "internal" JSONB,
    "broker" JSONB,
    "resolution" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "orders_client_order_id_key" ON "orders"("client_order_id");

-- CreateIndex
CREATE UNIQUE INDEX "orders_broker_order_id_key" ON "orders"("broker_order_id");

-- CreateIndex
CREATE UNIQUE INDEX "orders_tag_key" ON "orders"("tag");

-- CreateIndex
CREATE INDEX "orders_strategy_id_created_at_idx" ON "orders"("strategy_id", "created_at");

-- CreateIndex
CREATE INDEX "orders_tradingsymbol_created_at_idx" ON "orders"("tradingsymbol", "created_at");

-- CreateIndex
CREATE INDEX "orders_status_created_at_idx" ON "orders"("status", "created_at");

-- CreateIndex
CREATE INDEX "orders_created_at_idx" ON "orders"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "order_events_order_id_sequence_key" ON "order_events"("order_id", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "trades_broker_trade_id_key" ON "trades"("broker_trade_id");

-- CreateIndex
CREATE INDEX "trades_order_id_idx" ON "trades"("order_id");

-- CreateIndex
CREATE INDEX "trades_tradingsymbol_executed_at_idx" ON "trades"("tradingsymbol", "executed_at");

-- CreateIndex
CREATE UNIQUE INDEX "positions_tradingsymbol_exchange_product_key" ON "positions"("tradingsymbol", "exchange", "product");

-- CreateIndex
CREATE INDEX "reconciliation_log_run_id_idx" ON "reconciliation_log"("run_id");

-- CreateIndex
CREATE INDEX "reconciliation_log_created_at_idx" ON "reconciliation_log"("created_at");

-- AddForeignKey
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trades" ADD CONSTRAINT "trades_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
