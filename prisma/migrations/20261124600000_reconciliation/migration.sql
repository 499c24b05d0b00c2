-- Reconciliation: runs, and each finding's key, product, policy and detail.

-- CreateTable
CREATE TABLE "reconciliation_runs" (
    "id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "broker_positions" INTEGER NOT NULL DEFAULT 0,
    "internal_positions" INTEGER NOT NULL DEFAULT 0,
    "broker_orders" INTEGER NOT NULL DEFAULT 0,
    "findings" INTEGER NOT NULL DEFAULT 0,
    "corrections" INTEGER NOT NULL DEFAULT 0,
    "summary" JSONB,

    CONSTRAINT "reconciliation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reconciliation_runs_started_at_idx" ON "reconciliation_runs"("started_at");

-- AlterTable
ALTER TABLE "reconciliation_log" ADD COLUMN "key" TEXT NOT NULL DEFAULT '',
ADD COLUMN "product" TEXT,
ADD COLUMN "policy" TEXT,
ADD COLUMN "detail" JSONB;
