import { paiseToRupees } from './money';
import type { OrderState } from './order-state';
import { isTerminal, type OrderRequest } from './order-types';
import type { GroupRequest } from './order-group-legs';

/**
 * What an operator reads of an order at a glance in the Temporal UI: one line, fixed when the order starts, e.g.
 * `BUY 90 BANKNIFTY26DEC51000CE LIMIT 98.00 · s1` (a stop's trigger after `trg`, a leg's role at the end).
 */
export function orderSummary(r: OrderRequest, role?: string): string {
  const price = r.pricePaise !== undefined && r.orderType !== 'MARKET' && r.orderType !== 'SL-M' ? ` ${paiseToRupees(r.pricePaise)}` : '';
  const trigger = r.triggerPricePaise !== undefined ? ` trg ${paiseToRupees(r.triggerPricePaise)}` : '';
  return `${r.side} ${r.quantity} ${r.tradingsymbol} ${r.orderType}${price}${trigger} · ${r.strategyId}${role ? ` · ${role}` : ''}`;
}

/**
 * The order as it stands (Temporal's current details, markdown): status, how much filled at what average, the
 * broker's id and status, and what the order waits for now.
 */
export function orderDetails(s: OrderState): string {
  const lines = [`**${s.status}** ${s.filledQuantity}/${s.quantity} filled${s.averagePrice ? ` @ ${Number(s.averagePrice).toFixed(2)}` : ''}`];
  if (s.brokerOrderId) lines.push(`broker order ${s.brokerOrderId}${s.brokerStatus ? ` (${s.brokerStatus})` : ''}`);
  if (s.slices?.length) lines.push(`split into ${s.slices.length} slices: ${s.slices.map((x) => `${x.filledQuantity}/${x.quantity} ${x.status}`).join(', ')}`);
  lines.push(`waiting for: ${waitingFor(s)}`);
  if (s.statusMessage && (isTerminal(s.status) || s.intervention)) lines.push(s.statusMessage);
  return lines.join('\n');
}

function waitingFor(s: OrderState): string {
  if (s.intervention) return `an operator (${s.intervention.reason}: ${s.intervention.actions.join(' / ')})`;
  if (isTerminal(s.status)) return 'nothing (final)';
  if (s.status === 'RECEIVED' || s.status === 'PENDING') return s.brokerOrderId ? 'the broker' : 'placement at the broker';
  if (s.cancelRequested) return 'the broker to confirm the cancel';
  return s.slices?.length ? 'its slices to fill' : 'fills at the broker';
}

/** An OCO or bracket group at a glance: `OCO on long 90 BANKNIFTY26DEC51000CE · s1`, `BRACKET BUY 90 … · s1`. */
export function groupSummary(g: GroupRequest): string {
  const head = g.kind === 'oco' ? `OCO on ${g.side === 'BUY' ? 'long' : 'short'} ${g.quantity}` : `BRACKET ${g.side} ${g.quantity}`;
  return `${head} ${g.tradingsymbol} · ${g.strategyId}`;
}

/** A position monitor at a glance: what it watches, for which entry. */
export function monitorSummary(entry: OrderRequest, entryOrderId: string): string {
  return `MONITOR ${entry.side === 'BUY' ? 'long' : 'short'} ${entry.quantity} ${entry.tradingsymbol} · ${entry.strategyId} · entry ${entryOrderId}`;
}
