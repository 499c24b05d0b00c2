/** Liquidity before adding risk: a two-sided market with a tight spread, enough volume and open interest. */
import { paiseToRupees } from '../money';
import type { MarketQuote, RiskContext } from './risk-types';
import { checkOf, formatBps, formatRatio, NO_MARKET_DATA, NOT_CONFIGURED, REDUCE_ONLY, type RiskRule } from './risk-helpers';

/** (ask - bid) / mid <= maxSpreadBps, i.e. (ask - bid) * 2 * 10000 <= maxSpreadBps * (ask + bid). */
export const bidAskSpread: RiskRule = (ctx, d) => {
  const c = checkOf('bid_ask_spread', 'market_conditions');
  const maxSpreadBps = ctx.limits.marketConditions.maxSpreadBps;
  if (maxSpreadBps === null) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  // market_data_fresh has already failed the order.
  if (!ctx.quote) return c.skip(NO_MARKET_DATA);
  const { bestBidPaise: bid, bestAskPaise: ask } = ctx.quote;
  const limit = formatBps(maxSpreadBps);
  if (bid === null || ask === null || bid <= 0 || ask <= 0)
    return c.fail('NO_TWO_SIDED_MARKET', 'there is no two-sided market (best bid or ask missing)', { bid: bid === null ? null : paiseToRupees(bid), ask: ask === null ? null : paiseToRupees(ask) }, limit);
  const spread = formatRatio(BigInt(ask - bid) * 2n, ask + bid);
  const values = { bid: paiseToRupees(bid), ask: paiseToRupees(ask), spread };
  if (BigInt(ask - bid) * 20_000n > BigInt(maxSpreadBps) * BigInt(ask + bid))
    return c.fail('SPREAD_TOO_WIDE', `the spread ${values.bid}/${values.ask} is ${spread} of the mid price; the maximum is ${limit}`, values, limit);
  return c.pass({ values, limit });
};

interface MinimumSpec {
  check: string;
  /** Key in values. */
  key: string;
  /** Words in messages. */
  label: string;
  code: string;
  limitOf: (ctx: RiskContext) => number | null;
  valueOf: (quote: MarketQuote) => number | null;
}

/** One shape for every "at least this much activity" rule; a missing figure fails closed. */
function minimumRule(spec: MinimumSpec): RiskRule {
  return (ctx, d) => {
    const c = checkOf(spec.check, 'market_conditions');
    const min = spec.limitOf(ctx);
    if (min === null) return c.skip(NOT_CONFIGURED);
    if (d.reduceOnly) return c.skip(REDUCE_ONLY);
    if (!ctx.quote) return c.skip(NO_MARKET_DATA);
    const value = spec.valueOf(ctx.quote);
    if (value === null) return c.fail('MARKET_DATA_INCOMPLETE', `the quote carries no ${spec.label}`, { [spec.key]: null }, min);
    if (value < min) return c.fail(spec.code, `${spec.label} ${value} is below the minimum ${min}`, { [spec.key]: value }, min);
    return c.pass({ values: { [spec.key]: value }, limit: min });
  };
}

export const minVolume = minimumRule({
  check: 'min_volume',
  key: 'volume',
  label: 'volume',
  code: 'VOLUME_TOO_LOW',
  limitOf: (ctx) => ctx.limits.marketConditions.minVolume,
  valueOf: (q) => q.volume,
});

export const minOpenInterest = minimumRule({
  check: 'min_open_interest',
  key: 'openInterest',
  label: 'open interest',
  code: 'OPEN_INTEREST_TOO_LOW',
  limitOf: (ctx) => ctx.limits.marketConditions.minOpenInterest,
  valueOf: (q) => q.openInterest,
});
