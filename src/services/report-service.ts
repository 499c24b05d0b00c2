import { formatRatio } from '../domain/risk/risk-helpers';
import type { AuditFilter, MetricsScope, ReportStore } from '../store/report-store';
import { AppError } from './app-errors';

export const AUDIT_COLUMNS = [
  'id', 'orderId', 'clientOrderId', 'strategyId', 'tradingsymbol', 'sequence', 'type', 'fromStatus', 'toStatus', 'source', 'occurredAt', 'recordedAt', 'payload',
] as const;
export type AuditRow = Record<(typeof AUDIT_COLUMNS)[number], unknown>;

/** Opaque keyset cursor: the last row's time and id. */
export const encodeCursor = (occurredAt: Date, id: string) => Buffer.from(JSON.stringify([occurredAt.toISOString(), id])).toString('base64url');
export function decodeCursor(cursor: string): { occurredAt: Date; id: string } {
  try {
    const [t, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const occurredAt = new Date(t);
    if (typeof id !== 'string' || Number.isNaN(occurredAt.getTime())) throw new Error('bad cursor');
    return { occurredAt, id };
  } catch {
    throw new AppError(400, 'BAD_CURSOR', 'the cursor is not one this API returned');
  }
}

/** The metrics summary and the audit trail, over Postgres. */
export class ReportService {
  constructor(private readonly store: Pick<ReportStore, 'metrics' | 'auditEvents'>) {}

  /**
   * successRate: orders that were not REJECTED or FAILED, of all orders; fillRate: FILLED of the finished orders;
   * averageFillTimeMs: submitted -> completely filled, over FILLED orders. Rates are exact percentage strings.
   */
  async summary(scope: MetricsScope) {
    const m = await this.store.metrics(scope);
    return {
      scope: { from: scope.from?.toISOString() ?? null, to: scope.to?.toISOString() ?? null, strategyIds: scope.strategyId ? [scope.strategyId] : scope.strategyIds ?? null },
      orders: { total: m.total, finished: m.finished, filled: m.filled, cancelled: m.cancelled, rejected: m.rejected, failed: m.failed, expired: m.expired },
      successRate: formatRatio(m.total - m.rejected - m.failed, m.total),
      fillRate: formatRatio(m.filled, m.finished),
      averageFillTimeMs: m.avg_fill_ms === null ? null : Number(m.avg_fill_ms),
      rejectionsByCheck: Object.fromEntries(m.rejections.map((r) => [r.check, r.count])),
      retries: m.events.RETRY_SCHEDULED ?? 0,
      ladderSteps: { chase: m.events.LADDER_STEP ?? 0, fallback: m.events.FALLBACK_STEP ?? 0, total: (m.events.LADDER_STEP ?? 0) + (m.events.FALLBACK_STEP ?? 0) },
    };
  }

  async audit(f: Omit<AuditFilter, 'after'> & { cursor?: string }) {
    const { rows, more } = await this.store.auditEvents({ ...f, after: f.cursor ? decodeCursor(f.cursor) : undefined });
    const events: AuditRow[] = rows.map((e) => ({
      id: e.id, orderId: e.orderId, clientOrderId: e.order.clientOrderId, strategyId: e.order.strategyId, tradingsymbol: e.order.tradingsymbol,
      sequence: e.sequence, type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, source: e.source,
      occurredAt: e.occurredAt.toISOString(), recordedAt: e.recordedAt.toISOString(), payload: e.payload,
    }));
    const last = rows.at(-1);
    return { events, nextCursor: more && last ? encodeCursor(last.occurredAt, last.id) : null };
  }
}
