/** Price sanity against the market: fresh data, a band around LTP, absolute bounds, exchange circuit limits. */
import { paiseToRupees } from '../money';
import type { RiskContext } from './risk-types';
import { checkOf, formatBps, formatRatio, NO_MARKET_DATA, NO_REFERENCE_PRICE, NOT_CONFIGURED, orderPrices, priceLabel, type RiskRule } from './risk-helpers';

const rupeesOrNull = (paise: number | null): string | null => (paise === null ? null : paiseToRupees(paise));

/** Never skipped: without a fresh quote no price rule can be trusted, so the order fails closed. */
export const marketDataFresh: RiskRule = (ctx) => {
  const c = checkOf('market_data_fresh', 'price');
  const maxAgeMs = ctx.limits.marketData.maxAgeMs;
  if (!ctx.quote) return c.fail('STALE_MARKET_DATA', `no market data for ${ctx.order.exchange}:${ctx.order.tradingsymbol}`, { ageMs: null, maxAgeMs }, maxAgeMs);
  const ageMs = ctx.nowMs - ctx.quote.receivedAtMs;
  // The LTP is recorded too: it is the order's arrival price in its execution report.
  const values = { ageMs, maxAgeMs, ltp: paiseToRupees(ctx.quote.lastPricePaise) };
  if (ageMs > maxAgeMs) return c.fail('STALE_MARKET_DATA', `market data is ${ageMs} ms old; the maximum age is ${maxAgeMs} ms`, values, maxAgeMs);
  return c.pass({ values, limit: maxAgeMs });
};

/** LIMIT/SL price and SL/SL-M trigger within +/- bandBps of LTP: |p - ltp| * 10000 <= band * ltp. */
export const priceBand: RiskRule = (ctx) => {
  const c = checkOf('price_band', 'price');
  const bandBps = ctx.limits.price.bandBps;
  if (bandBps === null) return c.skip(NOT_CONFIGURED);
  if (!ctx.quote) return c.skip(NO_MARKET_DATA);
  if (ctx.order.orderType === 'MARKET') return c.skip('market order: no price to check');
  const ltp = ctx.quote.lastPricePaise;
  const band = formatBps(bandBps);
  for (const [name, p] of orderPrices(ctx)) {
    const distance = Math.abs(p - ltp);
    if (BigInt(distance) * 10_000n > BigInt(bandBps) * BigInt(ltp)) {
      const deviation = formatRatio(distance, ltp);
      const message = `${priceLabel(name)} ${paiseToRupees(p)} is ${deviation} from LTP ${paiseToRupees(ltp)}; the band is ${band}`;
      return c.fail('PRICE_OUTSIDE_BAND', message, { field: name, [name]: paiseToRupees(p), ltp: paiseToRupees(ltp), deviation }, band);
    }
  }
  return c.pass({ values: { ltp: paiseToRupees(ltp) }, limit: band });
};

/** The prices a bound applies to: the order's own, or for a MARKET order the price it is expected to fill at. */
function pricesToBound(ctx: RiskContext, referencePricePaise: number | null): Array<[string, number]> {
  if (ctx.order.orderType !== 'MARKET') return orderPrices(ctx);
  return referencePricePaise === null ? [] : [['referencePrice', referencePricePaise]];
}

export const priceLimits: RiskRule = (ctx, d) => {
  const c = checkOf('price_limits', 'price');
  const { minPricePaise: min, maxPricePaise: max } = ctx.limits.price;
  if (min === null && max === null) return c.skip(NOT_CONFIGURED);
  const prices = pricesToBound(ctx, d.referencePricePaise);
  if (prices.length === 0) return c.skip(NO_REFERENCE_PRICE);
  const limit = { min: rupeesOrNull(min), max: rupeesOrNull(max) };
  for (const [name, p] of prices) {
    const values = { field: name, [name]: paiseToRupees(p) };
    if (min !== null && p < min) return c.fail('PRICE_BELOW_MIN', `${priceLabel(name)} ${paiseToRupees(p)} is below the minimum ${paiseToRupees(min)}`, values, limit);
    if (max !== null && p > max) return c.fail('PRICE_ABOVE_MAX', `${priceLabel(name)} ${paiseToRupees(p)} is above the maximum ${paiseToRupees(max)}`, values, limit);
  }
  return c.pass({ limit });
};

/** The exchange rejects prices outside the day's circuit limits; bounds are inclusive. */
export const circuitLimits: RiskRule = (ctx) => {
  const c = checkOf('circuit_limits', 'price');
  if (!ctx.limits.price.circuitLimits) return c.skip(NOT_CONFIGURED);
  const lower = ctx.quote?.lowerCircuitPaise ?? null;
  const upper = ctx.quote?.upperCircuitPaise ?? null;
  if (lower === null || upper === null) return c.skip('the quote carries no circuit limits');
  const prices = orderPrices(ctx);
  if (prices.length === 0) return c.skip('market order: no price to check');
  const limit = { lower: paiseToRupees(lower), upper: paiseToRupees(upper) };
  for (const [name, p] of prices) {
    if (p < lower || p > upper)
      return c.fail('OUTSIDE_CIRCUIT_LIMITS', `${priceLabel(name)} ${paiseToRupees(p)} is outside the circuit limits ${limit.lower}-${limit.upper}`, { field: name, [name]: paiseToRupees(p) }, limit);
  }
  return c.pass({ limit });
};
