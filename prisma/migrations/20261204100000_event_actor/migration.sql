-- Who acted, on every audit row: an API key (id and role), an operator (Temporal CLI), a workflow rule, the reconciler.
-- Rows written before this column existed say only their source.
ALTER TABLE "order_events" ADD COLUMN "actor" TEXT NOT NULL DEFAULT '';
UPDATE "order_events" SET "actor" = "source" WHERE "actor" = '';
