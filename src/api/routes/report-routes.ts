import { Router } from 'express';
import { z } from 'zod';
import { canActFor } from '../../config/access-config';
import { AppError, notFound } from '../../services/app-errors';
import { principalOf } from '../auth';
import { toCsv } from '../../services/csv';
import { AUDIT_COLUMNS, type ReportService } from '../../services/report-service';

const strategyId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -');
const instant = z.string().datetime({ offset: true, message: 'an ISO-8601 time, e.g. 2026-11-24T09:15:00+05:30' }).transform((s) => new Date(s));
const range = <T extends { from?: Date; to?: Date }>(q: T, ctx: z.RefinementCtx) => {
  if (q.from && q.to && q.to <= q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
};

export const MetricsQuery = z.strictObject({ from: instant.optional(), to: instant.optional(), strategyId: strategyId.optional() }).superRefine(range);

export const AuditQuery = z.strictObject({
  orderId: z.string().regex(/^order-[A-Za-z0-9_.:-]{1,64}$/, 'an order id (order-<clientOrderId>)').optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  cursor: z.string().max(500).optional(),
  format: z.enum(['json', 'csv']).default('json'),
}).superRefine(range);

/** GET /api/v1/metrics/summary and GET /api/v1/audit. A strategy key sees only its own strategies' orders. */
export function reportRoutes(service: ReportService, strategyOfOrder: (orderId: string) => Promise<string | null>): Router {
  const r = Router();

  /** Success and fill rates, average fill time, rejections by check, retries and ladder steps. */
  r.get('/metrics/summary', async (req, res) => {
    const q = MetricsQuery.parse(req.query);
    const p = principalOf(res);
    if (q.strategyId && !canActFor(p, q.strategyId)) throw new AppError(403, 'STRATEGY_NOT_ALLOWED', `this key may not read strategy ${q.strategyId}`);
    res.json({ summary: await service.summary({ ...q, strategyIds: p.strategies === 'all' ? undefined : p.strategies }) });
  });

  /** The order audit trail (order_events), oldest first, as JSON pages or CSV. */
  r.get('/audit', async (req, res) => {
    const q = AuditQuery.parse(req.query);
    const p = principalOf(res);
    if (q.orderId && p.strategies !== 'all') {
      const owner = await strategyOfOrder(q.orderId);
      if (!owner || !canActFor(p, owner)) throw notFound(`order ${q.orderId}`);
    }
    const { events, nextCursor } = await service.audit({ ...q, strategyIds: p.strategies === 'all' ? undefined : p.strategies });
    if (q.format === 'csv') {
      if (nextCursor) res.setHeader('x-next-cursor', nextCursor);
      res.type('text/csv; charset=utf-8').attachment('audit.csv').send(toCsv(AUDIT_COLUMNS, events));
      return;
    }
    res.json({ events, nextCursor });
  });
  return r;
}
