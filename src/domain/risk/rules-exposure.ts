/** Exposure across the account's book: how many contracts are open, how big one contract may get, how much of the
 * capital one underlying may take. Pending orders count as if they fill (the worst case). */
import { paiseToRupees } from '../money';
import type { RiskContext } from './risk-types';
import { checkOf, formatBps, formatRatio, NO_INSTRUMENT, NOT_CONFIGURED, REDUCE_ONLY, sameContract, underlyingOf, type RiskRule } from './risk-helpers';

const contractKey = (c: { exchange: string; tradingsymbol: string }): string => `${c.exchange}:${c.tradingsymbol}`;

/** Contracts with a non-zero position or a pending order. */
function openContracts(ctx: RiskContext): Set<string> {
  const { positions, pending } = ctx.account;
  return new Set([...positions.filter((p) => p.netQuantity !== 0).map(contractKey), ...pending.map(contractKey)]);
}

export const maxOpenPositions: RiskRule = (ctx, d) => {
  const c = checkOf('max_open_positions', 'exposure');
  const max = ctx.limits.exposure.maxOpenPositions;
  if (max === null) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  const open = openContracts(ctx);
  const key = contractKey(ctx.order);
  if (open.has(key)) return c.pass({ message: `${key} is already open`, values: { openPositions: open.size }, limit: max });
  const values = { openPositions: open.size, afterOrder: open.size + 1 };
  if (values.afterOrder > max)
    return c.fail('MAX_OPEN_POSITIONS', `${key} would be open position ${values.afterOrder}; the maximum is ${max}`, values, max);
  return c.pass({ values, limit: max });
};

/** Signed quantity (+ buy, - sell); `|| 0` turns -0 into 0 so reports never show "-0 lots". */
const signed = (side: 'BUY' | 'SELL', quantity: number): number => (side === 'BUY' ? quantity : -quantity) || 0;

/** net + same-side pending (opposite-side pending may never fill, so it does not offset) + this order. */
export const maxPositionPerSymbol: RiskRule = (ctx, d) => {
  const c = checkOf('max_position_per_symbol', 'exposure');
  const maxLots = ctx.limits.exposure.maxLotsPerSymbol;
  if (maxLots === null) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  if (!ctx.instrument) return c.skip(NO_INSTRUMENT);
  const { order, account } = ctx;
  const net = account.positions.filter((p) => sameContract(p, order)).reduce((sum, p) => sum + p.netQuantity, 0);
  const sameSide = account.pending.filter((p) => sameContract(p, order) && p.side === order.side);
  const pending = signed(order.side, sameSide.reduce((sum, p) => sum + p.remainingQuantity, 0));
  const projected = net + pending + signed(order.side, order.quantity);
  const lot = ctx.instrument.lotSize;
  const values = { positionLots: net / lot, pendingLots: pending / lot, orderLots: signed(order.side, order.quantity) / lot, projectedLots: projected / lot };
  if (Math.abs(projected) > maxLots * lot)
    return c.fail('MAX_POSITION_EXCEEDED', `${order.tradingsymbol} would reach ${Math.abs(values.projectedLots)} lots; the maximum is ${maxLots} lots`, values, maxLots);
  return c.pass({ values, limit: maxLots });
};

interface UnderlyingExposure {
  positions: bigint;
  pending: bigint;
  unpriced: string[];
}

function exposureOf(ctx: RiskContext, underlying: string): UnderlyingExposure {
  const result: UnderlyingExposure = { positions: 0n, pending: 0n, unpriced: [] };
  for (const p of ctx.account.positions) {
    if (p.underlying !== underlying || p.netQuantity === 0) continue;
    if (p.lastPricePaise === null) result.unpriced.push(p.tradingsymbol);
    result.positions += BigInt(Math.abs(p.netQuantity)) * BigInt(p.lastPricePaise ?? 0);
  }
  for (const p of ctx.account.pending) {
    if (p.underlying === underlying) result.pending += BigInt(p.remainingQuantity) * BigInt(p.referencePricePaise);
  }
  return result;
}

/** Positions (|net| x last price) + pending (remaining x reference) + this order, per underlying, within a share of capital. */
export const concentration: RiskRule = (ctx, d) => {
  const c = checkOf('concentration', 'exposure');
  const maxBps = ctx.limits.exposure.maxConcentrationBps;
  if (maxBps === null) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  const underlying = underlyingOf(ctx);
  const held = exposureOf(ctx, underlying);
  const exposure = held.positions + held.pending + BigInt(d.orderValuePaise);
  const capital = ctx.limits.capitalPaise;
  const share = formatRatio(exposure, capital);
  const values = {
    underlying, positionsValue: paiseToRupees(Number(held.positions)), pendingValue: paiseToRupees(Number(held.pending)),
    orderValue: paiseToRupees(d.orderValuePaise), exposure: paiseToRupees(Number(exposure)), capital: paiseToRupees(capital), share,
    ...(held.unpriced.length > 0 && { unpricedPositions: held.unpriced }),
  };
  const note = held.unpriced.length > 0 ? ` (${held.unpriced.join(', ')} valued at 0: no price)` : '';
  const limit = formatBps(maxBps);
  if (exposure * 10_000n > BigInt(maxBps) * BigInt(capital))
    return c.fail('CONCENTRATION_EXCEEDED', `exposure to ${underlying} ${values.exposure} is ${share} of capital ${values.capital}; the maximum is ${limit}${note}`, values, limit);
  return c.pass({ values, limit, ...(held.unpriced.length > 0 && { message: `exposure to ${underlying} is ${share} of capital${note}` }) });
};
