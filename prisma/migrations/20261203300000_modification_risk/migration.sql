-- The risk gate's full report on the order's last modification (the workflow history carries the compact one).
ALTER TABLE "orders" ADD COLUMN "modification_risk" JSONB;
