import { isTerminal, type OrderStatus } from '../domain/order-types';
import { paiseString, ratioRupees, roundHalfUp, rupeesToPaise } from '../domain/positions';
import type { OrderStore } from '../store/order-store';
import { notFound } from './app-errors';

type StoredOrder = NonNullable<Awaited<ReturnType<OrderStore['getOrder']>>>;
type StoredTrade = StoredOrder['trades'][number];
interface CheckLike { check?: string; values?: Record<string, unknown> }
interface ReportLike { referencePrice?: string | null; checks?: CheckLike[] }

const CHARGE_FIELDS = ['brokerage', 'stt', 'exchangeCharges', 'sebiCharges', 'stampDuty', 'gst', 'totalCharges'] as const;
const paiseOf = (d: { toString(): string } | null | undefined) => (d === null || d === undefined ? null : rupeesToPaise(d.toString()));

/**
 * The arrival price: the last price the risk gate saw when the order was admitted. A MARKET order's reference price
 * is that LTP; for priced orders the market_data_fresh check (and price_band) record it. Null when the gate recorded none.
 */
export function arrivalPricePaise(orderType: string, validation: unknown): { paise: bigint; source: string } | null {
  const report = (validation ?? {}) as ReportLike;
  if (orderType === 'MARKET' && report.referencePrice) return { paise: rupeesToPaise(report.referencePrice), source: 'risk_gate_reference_ltp' };
  const ltp = report.checks?.find((c) => typeof c.values?.ltp === 'string')?.values?.ltp as string | undefined;
  return ltp ? { paise: rupeesToPaise(ltp), source: 'risk_gate_ltp' } : null;
}

/** Cost against a benchmark (positive = the order did worse): per unit, in basis points of the benchmark, in total. */
function slippage(side: string, trades: readonly StoredTrade[], benchmarkPaise: bigint | null) {
  const qty = trades.reduce((s, t) => s + t.quantity, 0);
  if (benchmarkPaise === null || benchmarkPaise === 0n || qty === 0) return null;
  const value = trades.reduce((s, t) => s + BigInt(t.quantity) * rupeesToPaise(t.price.toString()), 0n);
  const diff = value - BigInt(qty) * benchmarkPaise;
  const total = side === 'BUY' ? diff : -diff;
  const bps = roundHalfUp(total * 1_000_000n, BigInt(qty) * benchmarkPaise); // hundredths of a basis point
  return { benchmark: paiseString(benchmarkPaise), perUnit: ratioRupees(total, qty), bps: paiseString(bps), total: paiseString(total) };
}

const ms = (from: Date | null, to: Date | null) => (from && to ? to.getTime() - from.getTime() : null);

/** GET /orders/:id/report: fills, average price, slippage, charges and timings of one order, from Postgres. */
export async function executionReport(store: Pick<OrderStore, 'getOrder'>, orderId: string) {
  const o = await store.getOrder(orderId);
  if (!o) throw notFound(`order ${orderId}`);
  const trades = [...o.trades].sort((a, b) => a.executedAt.getTime() - b.executedAt.getTime());
  const qty = trades.reduce((s, t) => s + t.quantity, 0);
  const value = trades.reduce((s, t) => s + BigInt(t.quantity) * rupeesToPaise(t.price.toString()), 0n);
  const charges = Object.fromEntries(CHARGE_FIELDS.map((f) => [f, paiseString(trades.reduce((s, t) => s + rupeesToPaise(t[f].toString()), 0n))]));
  const totalCharges = rupeesToPaise(charges.totalCharges);
  const arrival = arrivalPricePaise(o.orderType, o.validationResult);
  const firstFillAt = trades[0]?.executedAt ?? null;
  const completedAt = o.filledAt ?? (isTerminal(o.status as OrderStatus) ? o.updatedAt : null);
  return {
    orderId: o.id, clientOrderId: o.clientOrderId, strategyId: o.strategyId, tradingsymbol: o.tradingsymbol, exchange: o.exchange,
    side: o.side, orderType: o.orderType, product: o.product, quantity: o.quantity, status: o.status,
    filledQuantity: qty, averagePrice: ratioRupees(value, qty), value: paiseString(value),
    limitPrice: o.price?.toFixed(2) ?? null,
    arrivalPrice: arrival ? paiseString(arrival.paise) : null, arrivalPriceSource: arrival?.source ?? null,
    slippage: { vsArrival: slippage(o.side, trades, arrival?.paise ?? null), vsLimit: slippage(o.side, trades, paiseOf(o.price)) },
    charges,
    // What the order moved in cash after charges: a buy pays value + charges, a sell receives value - charges.
    netValue: paiseString(o.side === 'BUY' ? -(value + totalCharges) : value - totalCharges),
    fills: trades.map((t) => ({
      tradeId: t.brokerTradeId, orderId: t.orderId, quantity: t.quantity, price: t.price.toFixed(2), executedAt: t.executedAt.toISOString(),
      charges: Object.fromEntries(CHARGE_FIELDS.map((f) => [f, t[f].toFixed(2)])),
    })),
    timings: {
      receivedAt: o.createdAt.toISOString(), submittedAt: o.submittedAt?.toISOString() ?? null,
      firstFillAt: firstFillAt?.toISOString() ?? null, completedAt: completedAt?.toISOString() ?? null,
      receivedToSubmittedMs: ms(o.createdAt, o.submittedAt), receivedToFirstFillMs: ms(o.createdAt, firstFillAt), receivedToCompletedMs: ms(o.createdAt, completedAt),
    },
  };
}
