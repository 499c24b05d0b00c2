import type { HaltDecision, HaltOrderFacts } from '../domain/halt-protection';
import type { Side } from '../domain/order-types';
import { AppError } from './app-errors';
import type { OrderStore } from '../store/order-store';
import type { CancelResult, KeptOrder, SweepResult } from '../workflows/kill-switch-messages';

/** Which live orders: one strategy's, one symbol's, one broker account's (none: every live order). */
export interface CancelFilter { strategyId?: string; tradingsymbol?: string; account?: string }

export interface CancelDeps {
  /** OrderService.cancelOrder: the order workflow's cancel update, answered once the broker confirms. */
  orders: { cancelOrder(orderId: string, reason?: string, by?: string): Promise<{ status: string }> };
  store: Pick<OrderStore, 'listLiveOrders'>;
  /** Each cancel's own deadline: an order whose workflow does not answer by then is reported timed_out. Default 15 s. */
  cancelTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type LiveOrder = Awaited<ReturnType<OrderStore['listLiveOrders']>>[number];

/** A live order as the halt's planner (domain/halt-protection) sees it. */
export const haltFactsOf = (o: LiveOrder): HaltOrderFacts => ({
  orderId: o.id, strategyId: o.strategyId, exchange: o.exchange, tradingsymbol: o.tradingsymbol, product: o.product, side: o.side as Side,
  quantity: o.quantity, filledQuantity: o.filledQuantity, parentId: o.parentId, legRole: o.legRole,
});

export interface CancelOptions {
  /** Who asks (the audit rows' actor): an API key, or the kill switch's engagement. */
  by?: string;
  /** How long an order not yet at the broker is asked again. Default 15 s. */
  settleMs?: number;
  /** Decides which live orders stay working (the kill switch keeps protective exits); without it every one is cancelled. */
  decide?: (live: LiveOrder[]) => Promise<HaltDecision[]>;
}

const NOT_YET_AT_BROKER = new Set(['RECEIVED', 'PENDING', 'SUBMITTED']);
const CONCURRENCY = 8;
const DEFAULT_CANCEL_TIMEOUT_MS = 15_000;

/**
 * Cancels every live order matching the filter through each order's own workflow (the cancelOrderUpdate the API's
 * DELETE sends), so each cancel is audited and confirmed by the broker. An order not yet at the broker cannot be
 * cancelled yet: it is asked again for up to `settleMs`. A split slice whose parent is being cancelled is left to the
 * parent. Each cancel has its own deadline, so one order whose workflow does not answer never holds the sweep: it is
 * reported timed_out and the sweep goes on. Safe to repeat: an order that already ended is reported as such.
 */
export async function cancelOpenOrders(d: CancelDeps, filter: CancelFilter, reason: string, opts: CancelOptions = {}): Promise<SweepResult> {
  const now = d.now ?? Date.now;
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const live = await d.store.listLiveOrders(filter);
  const decisions = new Map((opts.decide ? await opts.decide(live) : []).map((x) => [x.orderId, x]));
  const kept = live.flatMap((o) => {
    const why = decisions.get(o.id);
    return why?.action === 'keep' ? [keptOrder(o, why)] : [];
  });
  const toCancel = live.filter((o) => decisions.get(o.id)?.action !== 'keep');
  const ids = new Set(toCancel.map((o) => o.id));
  let todo = toCancel.filter((o) => !(o.parentId && ids.has(o.parentId)));
  const results = new Map<string, CancelResult>();
  const deadline = now() + (opts.settleMs ?? 15_000);
  for (;;) {
    const round = await mapLimit(todo, CONCURRENCY, (o) => cancelOne(d, o, reason, opts.by));
    for (const r of round) {
      const why = decisions.get(r.orderId);
      results.set(r.orderId, why?.action === 'cancel' ? { ...r, haltReason: why.reason } : r);
    }
    todo = todo.filter((o, i) => round[i].error?.code === 'ORDER_NOT_CHANGEABLE' && NOT_YET_AT_BROKER.has(o.status) && !o.brokerOrderId);
    if (todo.length === 0 || now() >= deadline) break;
    await sleep(500);
  }
  return { asked: results.size, results: [...results.values()], kept };
}

function keptOrder(o: LiveOrder, why: Extract<HaltDecision, { action: 'keep' }>): KeptOrder {
  return {
    orderId: o.id, clientOrderId: o.clientOrderId, strategyId: o.strategyId, tradingsymbol: o.tradingsymbol, status: o.status,
    parentId: o.parentId, legRole: o.legRole, reason: why.reason, message: why.message,
  };
}

async function cancelOne(d: CancelDeps, o: LiveOrder, reason: string, by?: string): Promise<CancelResult> {
  const base = { orderId: o.id, clientOrderId: o.clientOrderId, strategyId: o.strategyId, tradingsymbol: o.tradingsymbol, statusBefore: o.status };
  const timeoutMs = d.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS;
  try {
    const view = await withDeadline(d.orders.cancelOrder(o.id, reason, by), timeoutMs);
    if (view === TIMED_OUT) {
      const message = `order ${o.id} did not answer the cancel within ${timeoutMs} ms; it may still be cancelled: check it, or cancel it again`;
      return { ...base, outcome: 'timed_out', error: { code: 'CANCEL_TIMED_OUT', message } };
    }
    return { ...base, outcome: view.status === 'CANCELLED' ? 'cancelled' : 'ended', status: view.status };
  } catch (err) {
    const error = err instanceof AppError ? { code: err.code, message: err.message } : { code: 'CANCEL_FAILED', message: (err as Error).message ?? String(err) };
    if (error.code === 'ORDER_NOT_CHANGEABLE' && /is (FILLED|CANCELLED|REJECTED|EXPIRED|FAILED)|has finished|being cancelled/.test(error.message)) {
      return { ...base, outcome: 'ended', error };
    }
    return { ...base, outcome: 'failed', error };
  }
}

const TIMED_OUT = Symbol('timed out');

/** The promise's value, or TIMED_OUT after `ms` (the promise runs on; a late failure is swallowed, not unhandled). */
async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => { timer = setTimeout(() => resolve(TIMED_OUT), ms); });
  p.catch(() => undefined);
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
