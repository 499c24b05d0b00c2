import { adjustmentFill, positionKey, type AppliedRun, type Finding, type InternalOrder, type Resolution, type ResolvedFinding, type RunRecord } from '../domain/reconciliation';
import { applyFill, EMPTY_BOOK, istTradingDay, paiseString, type PositionFill } from '../domain/positions';
import type { OrderStatus } from '../domain/order-types';
import { accountBook, bookOf, columnsOf, DEFAULT_ACCOUNT, lockInstrument, unattributedBook } from './position-store';
import { json } from './order-store';
import type { Db } from './prisma';

const TERMINAL: OrderStatus[] = ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'];

export interface ReconciliationStoreHooks {
  /** Test seam: called inside the apply transaction after each correction (throwing aborts the whole run). */
  afterCorrection?: (key: string) => Promise<void> | void;
}

const ORDER_COLUMNS = { id: true, tag: true, brokerOrderId: true, status: true, tradingsymbol: true, exchange: true, product: true } as const;

/** The reconciler's Prisma code: the OMS side of the comparison, and a run's findings and corrections in one transaction. */
export class ReconciliationStore {
  constructor(private readonly db: Db, private readonly hooks: ReconciliationStoreHooks = {}) {}

  /** OMS orders holding any of these tags or broker order ids as their current attempt's, and the orders not yet terminal. */
  async internalOrders(tags: string[], brokerOrderIds: string[]): Promise<InternalOrder[]> {
    const rows = await this.db.order.findMany({
      where: { OR: [{ tag: { in: tags } }, { brokerOrderId: { in: brokerOrderIds } }, { status: { notIn: TERMINAL } }] },
      select: ORDER_COLUMNS,
    });
    return rows.map((r) => ({ orderId: r.id, tag: r.tag, brokerOrderId: r.brokerOrderId, status: r.status as OrderStatus, tradingsymbol: r.tradingsymbol, exchange: r.exchange, product: r.product }));
  }

  /** Which of these tags belonged to an earlier attempt of an order (a refused placement the fallback ladder replaced). */
  async pastTags(tags: string[]): Promise<Set<string>> {
    if (!tags.length) return new Set();
    const rows = await this.db.$queryRaw<{ tag: string }[]>`
      SELECT DISTINCT payload->>'tag' AS tag FROM order_events
      WHERE type IN ('ATTEMPT_REJECTED', 'REPLACING') AND payload->>'tag' = ANY(${tags})`;
    return new Set(rows.map((r) => r.tag));
  }

  /**
   * Writes a run: its findings, their resolutions and every correction of the account book, in ONE transaction, keyed
   * by the run id (a retried apply finds the run and does nothing). A correction is made only while the book still
   * holds the quantity the run saw (otherwise STALE: a fill got there first and the next run looks again).
   */
  async applyRun(run: RunRecord, nowMs: number): Promise<AppliedRun> {
    return this.db.$transaction(async (tx) => {
      // One apply at a time: two runs that saw the same gap must not both close it.
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext('oms-reconciliation'))) AS l`;
      const done = await tx.reconciliationRun.findUnique({ where: { id: run.runId } });
      if (done) {
        const summary = (done.summary ?? {}) as { resolutions?: Record<string, number> };
        return { runId: run.runId, alreadyApplied: true, findings: done.findings, corrections: done.corrections, resolutions: summary.resolutions ?? {} };
      }
      const now = new Date(nowMs);
      const logged: { f: ResolvedFinding; resolution: Resolution; detail: Record<string, unknown> | undefined }[] = [];
      for (const f of run.findings) {
        if (f.resolution) {
          logged.push({ f, resolution: f.resolution, detail: f.detail });
        } else if (f.deferred) {
          logged.push({ f, resolution: 'DEFERRED', detail: { why: 'OMS orders in this instrument are still working' } });
        } else if (f.policy !== 'trust-broker') {
          logged.push({ f, resolution: 'ALERTED', detail: undefined });
        } else {
          const outcome = await correct(tx, run.runId, run.account ?? DEFAULT_ACCOUNT, f, nowMs);
          logged.push({ f, ...outcome });
          if (outcome.resolution === 'CORRECTED') await this.hooks.afterCorrection?.(f.key);
        }
      }
      await tx.reconciliationLog.createMany({
        data: logged.map(({ f, resolution, detail }) => ({
          runId: run.runId, kind: f.kind, key: f.key, tradingsymbol: f.tradingsymbol, exchange: f.exchange, product: f.product, orderId: f.orderId,
          internal: f.internal ? json(f.internal) : undefined, broker: f.broker ? json(f.broker) : undefined, policy: f.policy, resolution,
          detail: detail ? json(detail) : undefined,
          // Only what was fixed (or handed to the order's workflow) is resolved; the rest stays open for an operator.
          resolvedAt: resolution === 'CORRECTED' || resolution === 'SIGNALLED' || resolution === 'DUPLICATE_SETTLED' ? now : null, createdAt: now,
        })),
      });
      const resolutions: Record<string, number> = {};
      for (const l of logged) resolutions[l.resolution] = (resolutions[l.resolution] ?? 0) + 1;
      const corrections = resolutions.CORRECTED ?? 0;
      await tx.reconciliationRun.create({
        data: {
          id: run.runId, status: 'APPLIED', startedAt: new Date(run.startedAt), finishedAt: now,
          brokerPositions: run.counts.brokerPositions, internalPositions: run.counts.internalPositions, brokerOrders: run.counts.brokerOrders,
          findings: logged.length, corrections, summary: json({ resolutions }),
        },
      });
      return { runId: run.runId, alreadyApplied: false, findings: logged.length, corrections, resolutions };
    }, { maxWait: 10_000, timeout: 30_000 });
  }

  /** The latest runs, newest first. */
  async recentRuns(limit: number) {
    return this.db.reconciliationRun.findMany({ orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: limit });
  }

  /** The unresolved findings of the latest run: what is still wrong as far as the reconciler knows. */
  async openFindings() {
    const [latest] = await this.recentRuns(1);
    if (!latest) return [];
    return this.db.reconciliationLog.findMany({ where: { runId: latest.id, resolvedAt: null }, orderBy: [{ kind: 'asc' }, { key: 'asc' }] });
  }

  async findings(runId: string) {
    return this.db.reconciliationLog.findMany({ where: { runId }, orderBy: [{ kind: 'asc' }, { key: 'asc' }] });
  }
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Moves the account book onto the broker's quantity by an adjustment fill (no trade row: it is not a trade), and
 * books the same fill in the unattributed book: the broker cannot say which strategy the difference belongs to, the
 * strategies' own books keep what they traded, and the strategy books still add up to the account book.
 */
async function correct(tx: Tx, runId: string, account: string, f: Finding, nowMs: number): Promise<{ resolution: Resolution; detail: Record<string, unknown> }> {
  const pos = { tradingsymbol: f.tradingsymbol, exchange: f.exchange, product: f.product };
  await lockInstrument(tx, pos);
  const key = { strategyId: accountBook(account), ...pos };
  const row = await tx.position.findUnique({ where: { strategyId_tradingsymbol_exchange_product: key } });
  const book = row ? bookOf(row) : EMPTY_BOOK;
  const seen = Number(f.internal?.quantity ?? 0);
  if (book.quantity !== seen) return { resolution: 'STALE', detail: { why: 'the book changed since detection', quantityNow: book.quantity } };
  const target = Number(f.broker?.quantity ?? 0);
  const avg = f.broker?.averagePricePaise;
  const fill = adjustmentFill(book, target, { mark: f.mark ?? null, brokerAveragePaise: typeof avg === 'number' ? avg : null }, `recon:${runId}:${positionKey(pos)}`, istTradingDay(nowMs));
  if (!fill) return { resolution: 'STALE', detail: { why: 'already at the broker quantity' } };
  const next = await applyToBook(tx, key, fill, nowMs);
  const unattributed = await applyToBook(tx, { ...key, strategyId: unattributedBook(account) }, fill, nowMs);
  return {
    resolution: 'CORRECTED',
    detail: {
      adjustment: { id: fill.tradeId, side: fill.side, quantity: fill.quantity, price: paiseString(BigInt(fill.pricePaise)), priceSource: fill.priceSource },
      quantityBefore: book.quantity, quantityAfter: next.quantity, unattributedQuantityAfter: unattributed.quantity,
    },
  };
}

async function applyToBook(tx: Tx, key: { strategyId: string; tradingsymbol: string; exchange: string; product: string }, fill: PositionFill, nowMs: number) {
  const row = await tx.position.findUnique({ where: { strategyId_tradingsymbol_exchange_product: key } });
  const next = applyFill(row ? bookOf(row) : EMPTY_BOOK, fill).book;
  const data = { ...columnsOf(next), lastTradeId: fill.tradeId, updatedAt: new Date(nowMs) };
  await tx.position.upsert({ where: { strategyId_tradingsymbol_exchange_product: key }, create: { ...key, ...data }, update: data });
  return next;
}
