/** Order size: lots and notional caps, and a fat-finger check against the strategy's own recent orders. These apply to
 * reduce-only orders too: a mistyped exit is as costly as a mistyped entry. */
import { planSlices } from '../fallback';
import { paiseToRupees } from '../money';
import { MAX_SLICES } from './rules-instrument';
import { checkOf, hundredths, NO_INSTRUMENT, NO_REFERENCE_PRICE, NOT_CONFIGURED, type RiskRule } from './risk-helpers';

/**
 * The largest slice of a split order above its underlying's freeze quantity (the workflow places no slice larger; a
 * configured smaller slice size only makes them smaller); null when the order is not split that way.
 */
function largestSlice(ctx: Parameters<RiskRule>[0], lotSize: number): number | null {
  const name = ctx.instrument?.name;
  const freezes = ctx.limits.instrument.freezeQuantities;
  if (ctx.order.split !== true || name === undefined || !Object.hasOwn(freezes, name)) return null;
  const plan = planSlices(ctx.order.quantity, lotSize, freezes[name], MAX_SLICES);
  return plan.ok && plan.slices.length > 1 ? Math.max(...plan.slices) : null; // a plan that fails is freeze_quantity's refusal
}

/**
 * Lots per order sent to the exchange. A split order reaches the exchange as its slices, so the limit applies to each
 * slice; its total is bounded by max_order_value, max_position_per_symbol, fat_finger and the 10-slice cap instead.
 */
export const maxQuantity: RiskRule = (ctx) => {
  const c = checkOf('max_quantity', 'size');
  const maxLots = ctx.limits.size.maxLots;
  if (maxLots === null) return c.skip(NOT_CONFIGURED);
  if (!ctx.instrument) return c.skip(NO_INSTRUMENT);
  const { lotSize } = ctx.instrument;
  const { quantity } = ctx.order;
  const slice = largestSlice(ctx, lotSize);
  if (slice !== null) {
    const values = { quantity, lots: quantity / lotSize, lotSize, split: true, largestSlice: slice, sliceLots: slice / lotSize };
    if (slice > maxLots * lotSize)
      return c.fail('MAX_QUANTITY_EXCEEDED', `split order: its largest slice ${slice} is ${values.sliceLots} lots; the maximum is ${maxLots} lots`, values, maxLots);
    return c.pass({ message: `split order: each slice is at most ${values.sliceLots} lots (the limit applies per slice)`, values, limit: maxLots });
  }
  const values = { quantity, lots: quantity / lotSize, lotSize };
  // Compared in units, so a quantity that is not a whole number of lots cannot slip through a rounded division.
  if (quantity > maxLots * lotSize)
    return c.fail('MAX_QUANTITY_EXCEEDED', `quantity ${quantity} is ${values.lots} lots; the maximum is ${maxLots} lots`, values, maxLots);
  return c.pass({ values, limit: maxLots });
};

export const maxOrderValue: RiskRule = (ctx, d) => {
  const c = checkOf('max_order_value', 'size');
  const max = ctx.limits.size.maxOrderValuePaise;
  if (max === null) return c.skip(NOT_CONFIGURED);
  if (d.referencePricePaise === null) return c.skip(NO_REFERENCE_PRICE);
  const values = { quantity: ctx.order.quantity, referencePrice: paiseToRupees(d.referencePricePaise), orderValue: paiseToRupees(d.orderValuePaise) };
  if (d.orderValuePaise > max)
    return c.fail('MAX_ORDER_VALUE_EXCEEDED', `order value ${values.orderValue} exceeds the maximum ${paiseToRupees(max)}`, values, paiseToRupees(max));
  return c.pass({ values, limit: paiseToRupees(max) });
};

/** Twice the median, so an even-sized sample's half-unit median stays an exact integer. */
function twiceMedian(xs: readonly number[]): bigint {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? BigInt(sorted[mid]) * 2n : BigInt(sorted[mid - 1]) + BigInt(sorted[mid]);
}

/** Half of a doubled paise figure for display, rounded half up to a whole paisa. */
const halve = (doubled: bigint): number => Number((doubled + 1n) / 2n);

/** x > multiplier * median, i.e. x * 100 * 2 > round(multiplier * 100) * (2 * median). */
const exceeds = (x: number, multiplier100: bigint, doubledMedian: bigint): boolean => BigInt(x) * 200n > multiplier100 * doubledMedian;

export const fatFinger: RiskRule = (ctx, d) => {
  const c = checkOf('fat_finger', 'size');
  const config = ctx.limits.size.fatFinger;
  if (config === null) return c.skip(NOT_CONFIGURED);
  const { quantities, valuesPaise } = ctx.account.recent;
  const samples = Math.min(quantities.length, valuesPaise.length);
  if (samples === 0 || samples < config.minSamples) return c.skip(`not enough history (${samples} of ${config.minSamples} orders)`);
  const m100 = hundredths(config.multiplier);
  const qty2 = twiceMedian(quantities);
  const value2 = twiceMedian(valuesPaise);
  const values = {
    quantity: ctx.order.quantity,
    typicalQuantity: Number(qty2) / 2,
    orderValue: paiseToRupees(d.orderValuePaise),
    typicalValue: paiseToRupees(halve(value2)),
    multiplier: config.multiplier,
  };
  const multiplier = `${config.multiplier}x`;
  if (exceeds(ctx.order.quantity, m100, qty2))
    return c.fail('FAT_FINGER', `quantity ${values.quantity} is more than ${multiplier} the typical ${values.typicalQuantity}`, values, config.multiplier);
  if (exceeds(d.orderValuePaise, m100, value2))
    return c.fail('FAT_FINGER', `order value ${values.orderValue} is more than ${multiplier} the typical ${values.typicalValue}`, values, config.multiplier);
  return c.pass({ values, limit: config.multiplier });
};
