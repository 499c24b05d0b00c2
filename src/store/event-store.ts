import type { OutboxEvent, StrategyEventType } from '../domain/strategy-events';
import { Prisma } from '../generated/prisma/client';
import type { Db } from './prisma';

type Tx = Prisma.TransactionClient;

/** The channel a committed append notifies (NOTIFY is delivered at commit), so readers wake without polling. */
export const EVENTS_CHANNEL = 'oms_events';
/** The transaction-scoped lock every append takes: appends commit one at a time, in seq order. */
const OUTBOX_LOCK = 'oms-event-outbox';

/** An event as readers get it: its cursor (the stream's id) and what it says. */
export interface StoredEvent extends OutboxEvent {
  seq: bigint;
}

export interface EventFilter {
  /** Only these strategies' events (a strategy key's own); absent: every event (operators), alerts included. */
  strategyIds?: readonly string[];
  types?: readonly StrategyEventType[];
}

/**
 * Appends events in the caller's transaction; it must be the transaction's last statement. The lock is held until
 * commit, and the sequence is drawn after it, so a row with a smaller seq is always committed before a larger one:
 * a reader that saw seq N will never find a new row below N, which is what makes `since=<cursor>` lose nothing.
 * A key already there is skipped (the event was written by an earlier run of the same save).
 */
export async function appendEvents(tx: Tx, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${OUTBOX_LOCK}))) AS l`;
  const rows = events.map((e) => Prisma.sql`(${e.key}, ${e.type}, ${e.strategyId}, ${e.account}, ${e.orderId}, ${JSON.stringify(e.payload)}::jsonb, ${new Date(e.occurredAt)})`);
  await tx.$executeRaw`INSERT INTO events (key, type, strategy_id, account, order_id, payload, occurred_at) VALUES ${Prisma.join(rows)} ON CONFLICT (key) DO NOTHING`;
  await tx.$queryRaw`SELECT 1 AS notified FROM (SELECT pg_notify(${EVENTS_CHANNEL}, '')) AS n`;
}

/** The outbox: appends outside other writes (alerts), reads for the stream, and the webhooks' delivery cursors. */
export class EventStore {
  constructor(private readonly db: Db) {}

  async append(events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.$transaction((tx) => appendEvents(tx, events), { maxWait: 10_000, timeout: 30_000 });
  }

  /** Events after the cursor, oldest first. */
  async readAfter(after: bigint, f: EventFilter, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.strategyEvent.findMany({
      where: {
        seq: { gt: after },
        ...(f.strategyIds ? { strategyId: { in: [...f.strategyIds] } } : {}),
        ...(f.types ? { type: { in: [...f.types] } } : {}),
      },
      orderBy: { seq: 'asc' }, take: limit,
    });
    return rows.map((r) => ({
      seq: r.seq, key: r.key, type: r.type as StrategyEventType, strategyId: r.strategyId, account: r.account, orderId: r.orderId,
      payload: r.payload as Record<string, unknown>, occurredAt: r.occurredAt.toISOString(),
    }));
  }

  /** The newest event's cursor (0 when none). */
  async lastSeq(): Promise<bigint> {
    const r = await this.db.strategyEvent.aggregate({ _max: { seq: true } });
    return r._max.seq ?? 0n;
  }

  /**
   * Takes (or keeps) the lease of a subscription's delivery for `leaseMs`: its cursor, or null while another process
   * holds it. A subscription seen for the first time starts after `startAfter` (the stream's tail at that moment).
   */
  async leaseDelivery(subscription: string, owner: string, leaseMs: number, startAfter: bigint): Promise<{ lastSeq: bigint; attempts: number } | null> {
    const until = new Date(Date.now() + leaseMs);
    const rows = await this.db.$queryRaw<{ last_seq: bigint; attempts: number }[]>`
      INSERT INTO event_deliveries (subscription, last_seq, lease_owner, lease_until, updated_at) VALUES (${subscription}, ${startAfter}, ${owner}, ${until}, now())
      ON CONFLICT (subscription) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until
        WHERE event_deliveries.lease_owner = ${owner} OR event_deliveries.lease_until IS NULL OR event_deliveries.lease_until < now()
      RETURNING last_seq, attempts`;
    return rows.length ? { lastSeq: BigInt(rows[0].last_seq), attempts: rows[0].attempts } : null;
  }

  /** The event at `seq` was accepted (or skipped): the cursor moves past it, if this process still holds the lease. */
  async advanceDelivery(subscription: string, owner: string, seq: bigint): Promise<boolean> {
    const r = await this.db.eventDelivery.updateMany({
      where: { subscription, leaseOwner: owner, lastSeq: { lt: seq } },
      data: { lastSeq: seq, attempts: 0, lastError: null, updatedAt: new Date() },
    });
    return r.count === 1;
  }

  async recordDeliveryFailure(subscription: string, owner: string, error: string): Promise<void> {
    await this.db.eventDelivery.updateMany({
      where: { subscription, leaseOwner: owner },
      data: { attempts: { increment: 1 }, lastError: error.slice(0, 500), updatedAt: new Date() },
    });
  }

  async releaseDelivery(subscription: string, owner: string): Promise<void> {
    await this.db.eventDelivery.updateMany({ where: { subscription, leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null } });
  }

  /** Every subscription's cursor and last failure, for operators. */
  async listDeliveries() {
    return this.db.eventDelivery.findMany({ orderBy: { subscription: 'asc' } });
  }
}
