-- Positions kept from fills. Trades carry the strategy and product of their order (the position book they belong to).
ALTER TABLE "trades" ADD COLUMN "strategy_id" TEXT, ADD COLUMN "product" TEXT;
UPDATE "trades" t SET "strategy_id" = o."strategy_id", "product" = o."product" FROM "orders" o WHERE o."id" = t."order_id";
ALTER TABLE "trades" ALTER COLUMN "strategy_id" SET NOT NULL, ALTER COLUMN "product" SET NOT NULL;

-- The placeholder positions table of the first migration was never written: replaced by one book per strategy
-- (and '*' for the whole account).
DROP TABLE "positions";
CREATE TABLE "positions" (
    "id" TEXT NOT NULL,
    "strategy_id" TEXT NOT NULL,
    "tradingsymbol" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 0,
    "open_value" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "average_price" DECIMAL(16,4),
    "realized_pnl" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "charges" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "buy_quantity" INTEGER NOT NULL DEFAULT 0,
    "buy_value" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "sell_quantity" INTEGER NOT NULL DEFAULT 0,
    "sell_value" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "trading_day" TEXT,
    "overnight_quantity" INTEGER NOT NULL DEFAULT 0,
    "overnight_value" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "day_buy_quantity" INTEGER NOT NULL DEFAULT 0,
    "day_buy_value" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "day_sell_quantity" INTEGER NOT NULL DEFAULT 0,
    "day_sell_value" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "day_realized_pnl" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "day_charges" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "last_trade_id" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "positions_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "positions_strategy_id_tradingsymbol_exchange_product_key" ON "positions"("strategy_id", "tradingsymbol", "exchange", "product");
CREATE INDEX "positions_tradingsymbol_exchange_product_idx" ON "positions"("tradingsymbol", "exchange", "product");
