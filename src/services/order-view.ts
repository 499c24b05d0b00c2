import { LIVE_STATUSES } from '../domain/order-types';
import type { OrderState } from '../domain/order-state';
import { paiseToRupees } from '../domain/money';
import { isCompact } from '../domain/order-validation';
import type { OrderStore } from '../store/order-store';

type StoredOrder = NonNullable<Awaited<ReturnType<OrderStore['getOrder']>>>;
type ListedOrder = Awaited<ReturnType<OrderStore['listOrders']>>['orders'][number];

const rupees = (p: number | null | undefined) => (p === null || p === undefined ? null : paiseToRupees(p));
const dec = (d: { toFixed(n?: number): string } | null | undefined, places = 2) => (d ? d.toFixed(places) : null);

/**
 * The order as the API shows it, from the running workflow's state. Prices are decimal strings in rupees. `stored`:
 * the full risk report from Postgres, shown instead of the compact one the workflow carries.
 */
/** `stored`: the risk gate's full reports from Postgres (the workflow carries compact ones, an update answer none). */
export function viewFromState(s: OrderState, stored?: { validation: unknown; modificationRisk: unknown }, account?: string) {
  const r = s.request;
  return {
    orderId: s.orderId, clientOrderId: r.clientOrderId, strategyId: r.strategyId, ...(account ? { account } : {}),
    tradingsymbol: r.tradingsymbol, exchange: r.exchange, side: r.side, quantity: s.quantity, orderType: s.orderType,
    product: r.product, validity: r.validity, variety: r.variety,
    price: rupees(s.pricePaise), triggerPrice: rupees(s.triggerPricePaise), stopLoss: rupees(r.stopLossPaise), takeProfit: rupees(r.takeProfitPaise),
    status: s.status, statusMessage: s.statusMessage, filledQuantity: s.filledQuantity, pendingQuantity: pending(s.status, s.quantity, s.filledQuantity),
    averagePrice: s.averagePrice, brokerOrderId: s.brokerOrderId, brokerStatus: s.brokerStatus, tag: s.tag,
    fills: s.fills.map((f) => ({ tradeId: f.tradeId, quantity: f.quantity, price: paiseToRupees(f.pricePaise), executedAt: f.executedAt })),
    history: s.history, validation: ((s.validation === null || isCompact(s.validation)) && stored?.validation ? stored.validation : s.validation) as unknown,
    modificationRisk: stored?.modificationRisk ?? null, intervention: s.intervention ?? null,
    parentId: s.link?.parentId ?? null, legRole: s.link?.role ?? null, attempts: s.attempts ?? [],
    slices: (s.slices ?? []).map((x) => ({ orderId: x.orderId, quantity: x.quantity, filledQuantity: x.filledQuantity, status: x.status, averagePrice: x.averagePrice, brokerOrderId: x.brokerOrderId })),
    createdAt: s.createdAt, submittedAt: s.submittedAt, updatedAt: s.updatedAt, filledAt: s.filledAt,
    source: 'workflow' as const,
  };
}

/** The same shape from Postgres, for finished orders and lists. */
export function viewFromRow(o: StoredOrder | ListedOrder) {
  const full = 'events' in o ? (o as StoredOrder) : null;
  return {
    orderId: o.id, clientOrderId: o.clientOrderId, strategyId: o.strategyId, account: o.account,
    tradingsymbol: o.tradingsymbol, exchange: o.exchange, side: o.side, quantity: o.quantity, orderType: o.orderType,
    product: o.product, validity: o.validity, variety: o.variety,
    price: dec(o.price), triggerPrice: dec(o.triggerPrice), stopLoss: dec(o.stopLoss), takeProfit: dec(o.takeProfit),
    status: o.status, statusMessage: o.statusMessage, filledQuantity: o.filledQuantity, pendingQuantity: pending(o.status, o.quantity, o.filledQuantity),
    averagePrice: dec(o.averagePrice, 4), brokerOrderId: o.brokerOrderId, brokerStatus: o.brokerStatus, tag: o.tag,
    ...(full ? {
      fills: full.trades.map((t) => ({ tradeId: t.brokerTradeId, quantity: t.quantity, price: t.price.toFixed(2), executedAt: t.executedAt.toISOString() })),
      slices: full.legs.filter((l) => l.legRole?.startsWith('slice-')).map((l) => ({ orderId: l.id, quantity: l.quantity, filledQuantity: l.filledQuantity, status: l.status, averagePrice: dec(l.averagePrice, 4), brokerOrderId: l.brokerOrderId })),
      attempts: full.events.filter((e) => e.type === 'ATTEMPT_REJECTED').map((e) => e.payload),
      history: full.events.filter((e) => e.toStatus).map((e) => ({ status: e.toStatus, at: e.occurredAt.toISOString(), source: e.source, actor: e.actor, ...((e.payload as { message?: string } | null)?.message ? { message: (e.payload as { message: string }).message } : {}) })),
    } : {}),
    validation: o.validationResult, modificationRisk: o.modificationRisk ?? null, intervention: o.intervention ?? null, parentId: o.parentId, legRole: o.legRole,
    createdAt: o.createdAt.toISOString(), submittedAt: o.submittedAt?.toISOString() ?? null, updatedAt: o.updatedAt.toISOString(), filledAt: o.filledAt?.toISOString() ?? null,
    source: 'database' as const,
  };
}

function pending(status: string, quantity: number, filled: number): number {
  return (LIVE_STATUSES as string[]).includes(status) ? quantity - filled : 0;
}
