import { randomUUID } from 'node:crypto';
import { slotWaitMs, type RateWindow, type SlotOffer } from '../broker/rate-limiter';
import type { Db } from './prisma';

/**
 * The account's order-request slots in Postgres, so that every OMS process of an account shares Kite's limits. Taking
 * a slot is one transaction under the account's advisory lock: read the requests sent within the longest window, and
 * insert one more only when every window has room (`slotWaitMs`, the same rule as the in-process limiter). Times are
 * the database's clock, one clock for every process. A request never reported answered (its process died while it
 * was out) is taken as answered `leaseMs` after it was sent.
 */
export class RateSlotStore {
  constructor(private readonly db: Db) {}

  async take(account: string, windows: readonly RateWindow[], leaseMs: number): Promise<SlotOffer> {
    const horizonMs = Math.max(...windows.map((w) => w.windowMs)) + leaseMs;
    return this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${'oms-rate:' + account}))) AS l`;
      const rows = await tx.$queryRaw<{ now: number; sent: number | null; answered: number | null }[]>`
        SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now,
               (extract(epoch FROM s.sent_at) * 1000)::float8 AS sent, (extract(epoch FROM s.answered_at) * 1000)::float8 AS answered
        FROM (SELECT 1) AS one
        LEFT JOIN broker_rate_slots s ON s.account = ${account} AND s.sent_at > clock_timestamp() - make_interval(secs => ${horizonMs / 1000})`;
      const now = rows[0].now;
      const slots = rows.flatMap((r) => (r.sent === null ? [] : [{ answeredAt: r.answered ?? (now - r.sent >= leaseMs ? r.sent + leaseMs : null) }]));
      const waitMs = slotWaitMs(slots, windows, now);
      if (waitMs > 0) return { waitMs };
      const slotId = randomUUID();
      await tx.$executeRaw`INSERT INTO broker_rate_slots (id, account, sent_at) VALUES (${slotId}, ${account}, clock_timestamp())`;
      await tx.$executeRaw`DELETE FROM broker_rate_slots WHERE account = ${account} AND sent_at <= clock_timestamp() - make_interval(secs => ${horizonMs / 1000})`;
      return { slotId };
    }, { maxWait: 5_000, timeout: 10_000 });
  }

  /** The request of this slot has its answer (or failed): its place in each window now runs from here. */
  async answered(slotId: string): Promise<void> {
    await this.db.$executeRaw`UPDATE broker_rate_slots SET answered_at = clock_timestamp() WHERE id = ${slotId} AND answered_at IS NULL`;
  }
}
