/** Today's activity (IST trading day): order count, turnover and the net loss. */
import { paiseToRupees } from '../money';
import { checkOf, NOT_CONFIGURED, REDUCE_ONLY, type RiskRule } from './risk-helpers';

export const dailyOrderCount: RiskRule = (ctx, d) => {
  const c = checkOf('daily_order_count', 'daily_limits');
  const max = ctx.limits.daily.maxOrders;
  if (max === null) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  const values = { ordersToday: ctx.account.day.orderCount, afterOrder: ctx.account.day.orderCount + 1 };
  if (values.afterOrder > max) return c.fail('DAILY_ORDER_LIMIT', `this would be order ${values.afterOrder} today; the maximum is ${max}`, values, max);
  return c.pass({ values, limit: max });
};

export const dailyTurnover: RiskRule = (ctx, d) => {
  const c = checkOf('daily_turnover', 'daily_limits');
  const max = ctx.limits.daily.maxTurnoverPaise;
  if (max === null) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  const after = ctx.account.day.turnoverPaise + d.orderValuePaise;
  const values = { turnoverToday: paiseToRupees(ctx.account.day.turnoverPaise), orderValue: paiseToRupees(d.orderValuePaise), afterOrder: paiseToRupees(after) };
  if (after > max)
    return c.fail('DAILY_TURNOVER_LIMIT', `turnover would reach ${values.afterOrder} today; the maximum is ${paiseToRupees(max)}`, values, paiseToRupees(max));
  return c.pass({ values, limit: paiseToRupees(max) });
};

/**
 * Stops new risk once today's net loss (realized + unrealized - charges) reaches maxLossPaise. Unlike the other
 * limits, reaching the limit exactly is already a breach (loss >= max): the limit is the loss at which trading stops.
 * Reduce-only orders still pass so positions can be closed.
 */
export const dailyLossLimit: RiskRule = (ctx, d) => {
  const c = checkOf('daily_loss_limit', 'daily_limits');
  const maxLoss = ctx.limits.daily.maxLossPaise;
  if (maxLoss === null) return c.skip(NOT_CONFIGURED);
  const { grossPnlPaise, chargesPaise } = ctx.account.day;
  const net = grossPnlPaise - chargesPaise;
  const limit = paiseToRupees(maxLoss);
  const values = { grossPnl: paiseToRupees(grossPnlPaise), charges: paiseToRupees(chargesPaise), netPnl: paiseToRupees(net), limit };
  if (-net < maxLoss) return c.pass({ values, limit });
  const breach = `today's net P&L ${values.netPnl} has reached the daily loss limit ${limit}`;
  if (d.reduceOnly) return c.pass({ message: `${breach}; reduce-only orders still pass`, values, limit });
  return c.fail('DAILY_LOSS_LIMIT', `${breach}; only reduce-only orders are accepted`, values, limit);
};
