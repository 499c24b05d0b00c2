import type { Prisma } from '../generated/prisma/client';
import type { Db } from './prisma';

export interface MetricsScope { from?: Date; to?: Date; strategyId?: string; strategyIds?: readonly string[] }
export interface AuditFilter { orderId?: string; from?: Date; to?: Date; strategyIds?: readonly string[]; limit: number; after?: { occurredAt: Date; id: string } }

const FINISHED = ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'];

/** Read models over orders and order_events for the metrics summary and the audit export. */
export class ReportStore {
  constructor(private readonly db: Db) {}

  /**
   * Orders created in [from, to) by strategy. A split order counts once (its slices are not orders of their own
   * here), but the slices' retries and ladder steps count.
   */
  async metrics(s: MetricsScope) {
    const strategies = s.strategyId ? [s.strategyId] : s.strategyIds ? [...s.strategyIds] : null;
    const from = s.from ?? null;
    const to = s.to ?? null;
    const scoped = (alias: string) => `(${alias}.created_at >= $1::timestamptz OR $1::timestamptz IS NULL) AND (${alias}.created_at < $2::timestamptz OR $2::timestamptz IS NULL) AND (${alias}.strategy_id = ANY($3::text[]) OR $3::text[] IS NULL)`;
    const topLevel = `NOT EXISTS (SELECT 1 FROM orders p WHERE p.id = o.parent_id)`;
    const [totals] = await this.db.$queryRawUnsafe<{ total: number; finished: number; filled: number; rejected: number; failed: number; cancelled: number; expired: number; avg_fill_ms: string | null; fills_timed: number }[]>(`
      SELECT COUNT(*)::int AS total,
             COUNT(*) FILTER (WHERE status = ANY($4::text[]))::int AS finished,
             COUNT(*) FILTER (WHERE status = 'FILLED')::int AS filled,
             COUNT(*) FILTER (WHERE status = 'REJECTED')::int AS rejected,
             COUNT(*) FILTER (WHERE status = 'FAILED')::int AS failed,
             COUNT(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled,
             COUNT(*) FILTER (WHERE status = 'EXPIRED')::int AS expired,
             ROUND(AVG(EXTRACT(EPOCH FROM (filled_at - submitted_at)) * 1000) FILTER (WHERE status = 'FILLED' AND filled_at IS NOT NULL AND submitted_at IS NOT NULL))::text AS avg_fill_ms,
             COUNT(*) FILTER (WHERE status = 'FILLED' AND filled_at IS NOT NULL AND submitted_at IS NOT NULL)::int AS fills_timed
      FROM orders o WHERE ${scoped('o')} AND ${topLevel}`, from, to, strategies, FINISHED);
    const rejections = await this.db.$queryRawUnsafe<{ check: string; count: number }[]>(`
      SELECT COALESCE(o.validation_result->'failure'->>'check', 'broker') AS check, COUNT(*)::int AS count
      FROM orders o WHERE ${scoped('o')} AND ${topLevel} AND o.status = 'REJECTED' GROUP BY 1 ORDER BY 2 DESC, 1`, from, to, strategies);
    const events = await this.db.$queryRawUnsafe<{ type: string; count: number }[]>(`
      SELECT e.type, COUNT(*)::int AS count FROM order_events e JOIN orders o ON o.id = e.order_id
      WHERE ${scoped('o')} AND e.type IN ('RETRY_SCHEDULED', 'LADDER_STEP', 'FALLBACK_STEP') GROUP BY e.type`, from, to, strategies);
    return { ...totals, rejections, events: Object.fromEntries(events.map((e) => [e.type, e.count])) as Record<string, number> };
  }

  /** Order events oldest first (occurred_at, then id), after the cursor; one more than `limit` tells a next page. */
  async auditEvents(f: AuditFilter) {
    const where: Prisma.OrderEventWhereInput = {
      orderId: f.orderId,
      occurredAt: f.from || f.to ? { gte: f.from, lt: f.to } : undefined,
      ...(f.strategyIds ? { order: { strategyId: { in: [...f.strategyIds] } } } : {}),
      ...(f.after ? { OR: [{ occurredAt: { gt: f.after.occurredAt } }, { occurredAt: f.after.occurredAt, id: { gt: f.after.id } }] } : {}),
    };
    const rows = await this.db.orderEvent.findMany({
      where, orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }], take: f.limit + 1,
      include: { order: { select: { strategyId: true, clientOrderId: true, tradingsymbol: true } } },
    });
    return { rows: rows.slice(0, f.limit), more: rows.length > f.limit };
  }
}
