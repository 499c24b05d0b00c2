/**
 * The pre-trade risk engine: every rule runs (so the report is complete), the first failure is the answer. It runs
 * after the spine's basic validation (order-validation.ts), so it does not re-check fields, lots or ticks.
 */
import type { OrderRequest } from '../order-types';
import type { AccountSnapshot, MarketQuote, RiskContext, RiskReport } from './risk-types';
import { isOptionBuy, sameContract, type Derived, type RiskRule } from './risk-helpers';
import { restrictedList, watchList } from './rules-lists';
import { disclosedQuantityBounds, productRules, validityRules } from './rules-parameters';
import { expiry, freezeQuantity, segment } from './rules-instrument';
import { marketHours } from './rules-market-hours';
import { circuitLimits, marketDataFresh, priceBand, priceLimits } from './rules-price';
import { bidAskSpread, minOpenInterest, minVolume } from './rules-market-conditions';
import { fatFinger, maxOrderValue, maxQuantity } from './rules-size';
import { riskPerTrade, riskReward, stopLossRequired } from './rules-risk-per-trade';
import { concentration, maxOpenPositions, maxPositionPerSymbol } from './rules-exposure';
import { dailyLossLimit, dailyOrderCount, dailyTurnover } from './rules-daily';
import { margin } from './rules-margin';
import { killSwitch } from './rules-kill-switch';

/** Evaluation order: the report lists checks in this order and the first failure wins. */
const RULES: readonly RiskRule[] = [
  killSwitch,
  restrictedList,
  validityRules, productRules, disclosedQuantityBounds,
  segment, expiry, freezeQuantity,
  marketHours,
  marketDataFresh, priceBand, priceLimits, circuitLimits,
  bidAskSpread, minVolume, minOpenInterest,
  maxQuantity, maxOrderValue, fatFinger,
  stopLossRequired, riskPerTrade, riskReward,
  maxOpenPositions, maxPositionPerSymbol, concentration,
  dailyOrderCount, dailyTurnover, dailyLossLimit,
  margin,
  watchList,
];

/** The price the order is expected to trade at: its limit (LIMIT/SL), its trigger (SL-M), or the LTP (MARKET). */
export function referencePricePaise(order: OrderRequest, quote: MarketQuote | null): number | null {
  switch (order.orderType) {
    case 'LIMIT':
    case 'SL':
      return order.pricePaise ?? null;
    case 'SL-M':
      return order.triggerPricePaise ?? null;
    case 'MARKET':
      return quote?.lastPricePaise ?? null;
  }
}

/**
 * Whether the order only reduces a held position: opposite side to the net position, and no larger than what is
 * left of it after the pending orders on the order's side (which already reduce it) fill.
 */
export function isReduceOnly(order: OrderRequest, account: AccountSnapshot): boolean {
  const net = account.positions.filter((p) => sameContract(p, order)).reduce((sum, p) => sum + p.netQuantity, 0);
  if (net === 0) return false;
  const opposite = order.side === 'SELL' ? net > 0 : net < 0;
  if (!opposite) return false;
  const alreadyReducing = account.pending
    .filter((p) => sameContract(p, order) && p.side === order.side)
    .reduce((sum, p) => sum + p.remainingQuantity, 0);
  return order.quantity <= Math.abs(net) - alreadyReducing;
}

function derive(ctx: RiskContext): Derived {
  const reference = referencePricePaise(ctx.order, ctx.quote);
  return {
    reduceOnly: isReduceOnly(ctx.order, ctx.account),
    referencePricePaise: reference,
    orderValuePaise: reference === null ? 0 : ctx.order.quantity * reference,
  };
}

/** Runs every risk rule on one order; pure, so the same context always yields the same report. */
export function evaluateRisk(ctx: RiskContext): RiskReport {
  const derived = derive(ctx);
  const checks = RULES.map((rule) => rule(ctx, derived));
  const failure = checks.find((c) => c.status === 'failed');
  return {
    passed: failure === undefined,
    checks,
    ...(failure && { failure }),
    flags: checks.filter((c) => c.flagged === true).map((c) => c.check),
    reduceOnly: derived.reduceOnly,
    orderValuePaise: derived.orderValuePaise,
    referencePricePaise: derived.referencePricePaise,
  };
}

/**
 * The margin to hold for an admitted order until the broker shows it working: nothing for a reduce-only order, the
 * premium for an option buy, otherwise the broker's margin answer (0 when it gave none).
 */
export function marginToReservePaise(ctx: RiskContext, report: RiskReport): number {
  if (report.reduceOnly) return 0;
  if (isOptionBuy(ctx)) return report.orderValuePaise;
  return ctx.requiredMarginPaise ?? 0;
}
