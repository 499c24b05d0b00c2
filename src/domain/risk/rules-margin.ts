/** Margin: the order's requirement plus a buffer must fit in what the broker shows free, less what pending orders hold. */
import { paiseToRupees } from '../money';
import type { RiskContext } from './risk-types';
import { checkOf, formatBps, isOptionBuy, NOT_CONFIGURED, REDUCE_ONLY, type Derived, type RiskRule } from './risk-helpers';

/** An option buyer pays the premium (the order value); anything else needs the broker's margin answer. */
export function requiredMarginOf(ctx: RiskContext, d: Derived): number | null {
  if (isOptionBuy(ctx)) return d.referencePricePaise === null ? null : d.orderValuePaise;
  return ctx.requiredMarginPaise;
}

/** Fails closed: an unknown requirement or an unknown balance is never assumed to fit. */
export const margin: RiskRule = (ctx, d) => {
  const c = checkOf('margin', 'margin');
  if (!ctx.limits.margin.enabled) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  const required = requiredMarginOf(ctx, d);
  const available = ctx.account.availableMarginPaise;
  if (required === null || available === null) {
    const missing = required === null ? 'the required margin' : 'the available margin';
    return c.fail('MARGIN_UNAVAILABLE', `${missing} is unknown`, { required: required === null ? null : paiseToRupees(required), available: available === null ? null : paiseToRupees(available) });
  }
  const reserved = ctx.account.pending.reduce((sum, p) => sum + p.reservedMarginPaise, 0);
  const free = available - reserved;
  const bufferBps = ctx.limits.margin.bufferBps;
  const values = {
    required: paiseToRupees(required), buffer: formatBps(bufferBps), available: paiseToRupees(available),
    reservedByPending: paiseToRupees(reserved), free: paiseToRupees(free),
  };
  if (BigInt(required) * BigInt(10_000 + bufferBps) > BigInt(free) * 10_000n)
    return c.fail('INSUFFICIENT_MARGIN', `required margin ${values.required} plus a ${values.buffer} buffer exceeds the free margin ${values.free} (available ${values.available}, reserved by pending orders ${values.reservedByPending})`, values, values.free);
  return c.pass({ values, limit: values.free });
};
