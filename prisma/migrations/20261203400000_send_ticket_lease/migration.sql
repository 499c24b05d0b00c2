-- The holder of a send ticket promises to send nothing after send_by; it moves send_by to now when its attempt ends.
-- Another attempt may place under the tag only once send_by plus the settle window has passed.
ALTER TABLE "broker_send_tickets" ADD COLUMN "send_by" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
