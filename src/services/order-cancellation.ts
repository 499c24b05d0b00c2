import { AppError } from './app-errors';
import type { OrderStore } from '../store/order-store';
import type { CancelResult } from '../workflows/kill-switch-messages';

export interface CancelFilter { strategyId?: string; tradingsymbol?: string }

export interface CancelDeps {
  /** OrderService.cancelOrder: the order workflow's cancel update, answered once the broker confirms. */
  orders: { cancelOrder(orderId: string, reason?: string): Promise<{ status: string }> };
  store: Pick<OrderStore, 'listLiveOrders'>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const NOT_YET_AT_BROKER = new Set(['RECEIVED', 'PENDING', 'SUBMITTED']);
const CONCURRENCY = 8;

/**
 * Cancels every live order matching the filter through each order's own workflow (the cancelOrderUpdate the API's
 * DELETE sends), so each cancel is audited and confirmed by the broker. An order not yet at the broker cannot be
 * cancelled yet: it is asked again for up to `settleMs`. A split slice whose parent is being cancelled is left to the
 * parent. Safe to repeat: an order that already ended is reported as such.
 */
export async function cancelOpenOrders(d: CancelDeps, filter: CancelFilter, reason: string, settleMs = 15_000): Promise<{ asked: number; results: CancelResult[] }> {
  const now = d.now ?? Date.now;
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const live = await d.store.listLiveOrders(filter);
  const ids = new Set(live.map((o) => o.id));
  let todo = live.filter((o) => !(o.parentId && ids.has(o.parentId)));
  const results = new Map<string, CancelResult>();
  const deadline = now() + settleMs;
  for (;;) {
    const round = await mapLimit(todo, CONCURRENCY, (o) => cancelOne(d, o, reason));
    for (const r of round) results.set(r.orderId, r);
    todo = todo.filter((o, i) => round[i].error?.code === 'ORDER_NOT_CHANGEABLE' && NOT_YET_AT_BROKER.has(o.status) && !o.brokerOrderId);
    if (todo.length === 0 || now() >= deadline) break;
    await sleep(500);
  }
  return { asked: results.size, results: [...results.values()] };
}

type Live = Awaited<ReturnType<OrderStore['listLiveOrders']>>[number];

async function cancelOne(d: CancelDeps, o: Live, reason: string): Promise<CancelResult> {
  const base = { orderId: o.id, clientOrderId: o.clientOrderId, strategyId: o.strategyId, tradingsymbol: o.tradingsymbol, statusBefore: o.status };
  try {
    const view = await d.orders.cancelOrder(o.id, reason);
    return { ...base, outcome: view.status === 'CANCELLED' ? 'cancelled' : 'ended', status: view.status };
  } catch (err) {
    const error = err instanceof AppError ? { code: err.code, message: err.message } : { code: 'CANCEL_FAILED', message: (err as Error).message ?? String(err) };
    if (error.code === 'ORDER_NOT_CHANGEABLE' && /is (FILLED|CANCELLED|REJECTED|EXPIRED|FAILED)|has finished|being cancelled/.test(error.message)) {
      return { ...base, outcome: 'ended', error };
    }
    return { ...base, outcome: 'failed', error };
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
