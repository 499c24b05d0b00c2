import { LIVE_STATUSES } from '../domain/order-types';
import { istDayStart } from './risk-store';
import type { Db } from './prisma';


/** What a Prometheus scrape reads of Postgres: today's orders and fills, what is open, and what waits. */
export class MetricsStore {
  constructor(private readonly db: Db) {}

  /** Today's (IST) orders by status and strategy. */
  async ordersToday(nowMs: number): Promise<{ status: string; strategy: string; n: number }[]> {
    const rows = await this.db.order.groupBy({ by: ['status', 'strategyId'], where: { createdAt: { gte: istDayStart(nowMs) } }, _count: { _all: true } });
    return rows.map((r) => ({ status: r.status, strategy: r.strategyId, n: r._count._all }));
  }

  /** Working orders by broker account. */
  async openOrders(): Promise<{ account: string; n: number }[]> {
    const rows = await this.db.order.groupBy({ by: ['account'], where: { status: { in: LIVE_STATUSES } }, _count: { _all: true } });
    return rows.map((r) => ({ account: r.account, n: r._count._all }));
  }

  /** Today's (IST) fills by strategy: how many and the quantity. */
  async fillsToday(nowMs: number): Promise<{ strategy: string; n: number; quantity: number }[]> {
    const rows = await this.db.trade.groupBy({ by: ['strategyId'], where: { executedAt: { gte: istDayStart(nowMs) } }, _count: { _all: true }, _sum: { quantity: true } });
    return rows.map((r) => ({ strategy: r.strategyId, n: r._count._all, quantity: r._sum.quantity ?? 0 }));
  }

  /** The unresolved findings of the latest reconciliation run, by kind. */
  async openFindings(): Promise<{ kind: string; n: number }[]> {
    const latest = await this.db.reconciliationRun.findFirst({ orderBy: { startedAt: 'desc' }, select: { id: true } });
    if (!latest) return [];
    const rows = await this.db.reconciliationLog.groupBy({ by: ['kind'], where: { runId: latest.id, resolvedAt: null }, _count: { _all: true } });
    return rows.map((r) => ({ kind: r.kind, n: r._count._all }));
  }

  async killSwitches(): Promise<{ account: string; status: string; resetAt: Date | null }[]> {
    return this.db.killSwitch.findMany({ select: { account: true, status: true, resetAt: true } });
  }

  async sessions(): Promise<{ account: string; expiresAt: Date | null }[]> {
    return this.db.brokerSession.findMany({ select: { account: true, expiresAt: true } });
  }

  /** How many events each webhook or alert channel has not delivered yet (the newest seq minus its cursor). */
  async eventBacklog(): Promise<{ subscription: string; behind: number; attempts: number }[]> {
    const [last, deliveries] = await Promise.all([this.db.strategyEvent.aggregate({ _max: { seq: true } }), this.db.eventDelivery.findMany()]);
    const newest = last._max.seq ?? 0n;
    return deliveries.map((d) => ({ subscription: d.subscription, behind: Number(newest - d.lastSeq), attempts: d.attempts }));
  }
}
