-- The daily login: when the stored access token stops working (the next 06:00 IST after it was issued, Kite's expiry).
-- Tokens stored before this column existed have no known expiry.
ALTER TABLE "broker_sessions" ADD COLUMN "expires_at" TIMESTAMPTZ(3);
