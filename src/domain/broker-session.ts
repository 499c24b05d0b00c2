/** Kite's daily session: when an access token stops working, and what an operator is told about it. */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const IST_OFFSET = 330 * MINUTE;
/** Kite invalidates every access token at 06:00 IST (the regulatory daily logout). */
const EXPIRY_IST_MINUTES = 6 * 60;

/** The instant (epoch ms) a token issued at `issuedAtMs` expires: the first 06:00 IST strictly after it. */
export function sessionExpiresAt(issuedAtMs: number): number {
  const ist = issuedAtMs + IST_OFFSET;
  let expiry = Math.floor(ist / DAY) * DAY + EXPIRY_IST_MINUTES * MINUTE;
  if (expiry <= ist) expiry += DAY;
  return expiry - IST_OFFSET;
}

/** What the OMS knows of an account's session; never the token. */
export interface SessionRecord { since: number; expiresAt: number | null }

export type SessionState =
  /** A token is stored, its expiry is ahead and the broker has not refused it. */
  | 'LIVE'
  /** Its expiry has passed, or the broker refused the token in use (TokenException) with nothing newer stored. */
  | 'EXPIRED'
  /** No token came through the login (the one from the environment may still work until the broker refuses it). */
  | 'NONE';

/** The session's state at `nowMs`; `refusedByBroker`: the broker answered the token in use with a TokenException. */
export function sessionState(record: SessionRecord | null, nowMs: number, refusedByBroker: boolean): SessionState {
  if (refusedByBroker) return 'EXPIRED';
  if (!record) return 'NONE';
  if (record.expiresAt !== null && record.expiresAt <= nowMs) return 'EXPIRED';
  return 'LIVE';
}
