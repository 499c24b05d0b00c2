import { isForward, isKiteFinal, mapKiteStatus } from './kite-status';
import { paiseToRupees, vwapRupees } from './money';
import type { Draft } from './order-draft';
import type { EventSource, SliceView } from './order-state';
import { isTerminal, type BrokerOrderSnapshot, type Fill, type OrderStatus, type OrderType } from './order-types';

/** The broker's view of an order (a snapshot) or of a split order's slices, merged into the draft. */
export function applySnapshot(d: Draft, snap: BrokerOrderSnapshot, source: EventSource, at: string): void {
  const before = d.state;
  // A stale snapshot (a poll that raced a postback) says nothing new about a finished order.
  if (isTerminal(before.status) && !isKiteFinal(snap.status)) return;
  if (before.brokerStatus !== snap.status) d.record('BROKER_UPDATE', source, at, { brokerStatus: snap.status, message: snap.statusMessage, filledQuantity: snap.filledQuantity });
  if (!isTerminal(before.status)) {
    // Broker truth for the working terms (a confirmed modify shows up here).
    d.state = { ...d.state, quantity: snap.quantity || d.state.quantity, pricePaise: snap.pricePaise ?? d.state.pricePaise, triggerPricePaise: snap.triggerPricePaise ?? d.state.triggerPricePaise, orderType: (snap.orderType as OrderType) || d.state.orderType };
  }
  d.state = { ...d.state, brokerStatus: snap.status, brokerOrderId: d.state.brokerOrderId ?? snap.brokerOrderId };
  mergeFills(d, snap, source, at);
  const next = mapKiteStatus(snap.status, { filledQuantity: d.state.filledQuantity, cancelRequested: d.state.cancelRequested, validity: d.state.request.validity, message: snap.statusMessage });
  if (next && isForward(d.state.status, next)) d.moveTo(next, source, at, snap.statusMessage, { brokerStatus: snap.status });
}

/** Fills come from trades (de-duplicated by trade id); the broker's cumulative filled quantity is never added up. */
function mergeFills(d: Draft, snap: BrokerOrderSnapshot, source: EventSource, at: string): void {
  const known = new Set([...d.state.fills.map((f) => f.tradeId), ...(d.state.rejectedTradeIds ?? [])]);
  let fills = d.state.fills;
  let tradedQty = fills.reduce((s, f) => s + f.quantity, 0);
  for (const t of snap.trades) {
    if (known.has(t.tradeId)) continue;
    known.add(t.tradeId);
    if (tradedQty + t.quantity > d.state.quantity) {
      d.state = { ...d.state, rejectedTradeIds: [...(d.state.rejectedTradeIds ?? []), t.tradeId] };
      d.record('OVERFILL_REJECTED', source, at, { tradeId: t.tradeId, quantity: t.quantity, filledSoFar: tradedQty, orderQuantity: d.state.quantity });
      continue;
    }
    fills = [...fills, t];
    tradedQty += t.quantity;
    d.record('FILL', source, t.executedAt, { tradeId: t.tradeId, quantity: t.quantity, price: paiseToRupees(t.pricePaise) });
  }
  // Trades can lag the order's own cumulative figure; the larger of the two (capped at the order) is the truth.
  const filled = Math.min(d.state.quantity, Math.max(d.state.filledQuantity, tradedQty, snap.filledQuantity));
  const averagePrice = tradedQty === filled ? vwapRupees(fills) : filled > 0 ? averageFromBroker(snap.averagePricePaise, d.state.averagePrice) : null;
  d.state = { ...d.state, fills, filledQuantity: filled, averagePrice };
}

/** A split order's status and fills are its slices': FILLED when all are, OPEN/PARTIALLY_FILLED while any works. */
export function applySlices(d: Draft, slices: SliceView[], fills: Fill[], at: string): void {
  const filled = slices.reduce((n, x) => n + x.filledQuantity, 0);
  const known = new Set(d.state.fills.map((f) => f.tradeId));
  for (const f of fills) if (!known.has(f.tradeId)) d.record('FILL', 'workflow', f.executedAt, { tradeId: f.tradeId, quantity: f.quantity, price: paiseToRupees(f.pricePaise), slice: true });
  d.state = { ...d.state, slices, fills, filledQuantity: filled, averagePrice: vwapRupees(fills) ?? d.state.averagePrice };
  const live = slices.filter((x) => !isTerminal(x.status));
  let next: OrderStatus;
  if (live.length > 0) next = filled > 0 ? 'PARTIALLY_FILLED' : slices.some((x) => x.status === 'OPEN') ? 'OPEN' : 'SUBMITTED';
  else if (filled === d.state.quantity) next = 'FILLED';
  else if (filled === 0 && slices.every((x) => x.status === 'REJECTED')) next = 'REJECTED';
  else next = d.state.cancelRequested || filled > 0 ? 'CANCELLED' : slices.some((x) => x.status === 'FAILED') ? 'FAILED' : 'CANCELLED';
  if (!isTerminal(d.state.status) && next !== d.state.status && (isTerminal(next) || isForward(d.state.status, next))) d.moveTo(next, 'workflow', at, `slices: ${slices.map((x) => `${x.status} ${x.filledQuantity}/${x.quantity}`).join(', ')}`);
}

function averageFromBroker(avgPaise: number, previous: string | null): string | null {
  if (avgPaise > 0) return vwapRupees([{ quantity: 1, pricePaise: avgPaise }]);
  return previous;
}


/**
 * The broker refused an order still working before anything of it filled (an RMS rejection): the fallback ladder may
 * re-place it instead of the snapshot ending it.
 */
export function refusedBeforeFill(status: OrderStatus, snap: BrokerOrderSnapshot): boolean {
  return snap.status === 'REJECTED' && snap.filledQuantity === 0 && !isTerminal(status);
}
