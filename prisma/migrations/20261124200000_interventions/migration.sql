-- Orders waiting for an operator (token expiry, manual review): why, since when, and what may be done.
ALTER TABLE "orders" ADD COLUMN "intervention" JSONB;

-- The broker session an operator supplied after a token expiry; the access token is stored encrypted (AES-256-GCM).
CREATE TABLE "broker_sessions" (
    "account" TEXT NOT NULL,
    "access_token_enc" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "broker_sessions_pkey" PRIMARY KEY ("account")
);
