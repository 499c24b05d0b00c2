/** Order parameters the exchange or Kite would reject: validity combinations, product per segment, disclosed quantity. */
import type { RiskContext } from './risk-types';
import { checkOf, formatBps, formatRatio, isDerivativeExchange, NO_INSTRUMENT, type RiskRule } from './risk-helpers';

const STOP_ORDER_TYPES = ['SL', 'SL-M'];

/** The first validity rule the order breaks, as [code, message], or null. */
function validityViolation(ctx: RiskContext): [string, string] | null {
  const { order, limits } = ctx;
  const minutes = order.validityTtlMinutes;
  const max = limits.parameters.maxTtlMinutes;
  if (minutes !== undefined && order.validity !== 'TTL')
    return ['TTL_MINUTES_WITHOUT_TTL', `validityTtlMinutes ${minutes} is given but the validity is ${order.validity}, not TTL`];
  if (order.validity === 'TTL') {
    if (minutes === undefined || !Number.isInteger(minutes) || minutes < 1 || minutes > max)
      return ['TTL_OUT_OF_RANGE', `TTL of ${minutes ?? 'no'} minutes is outside 1..${max} whole minutes`];
    if (order.orderType !== 'LIMIT') return ['TTL_ONLY_FOR_LIMIT', `TTL validity is only for LIMIT orders, not ${order.orderType}`];
  }
  if (order.validity === 'IOC' && order.variety === 'amo') return ['IOC_NOT_FOR_AMO', 'IOC validity is not allowed for after-market orders'];
  if (order.validity === 'IOC' && STOP_ORDER_TYPES.includes(order.orderType))
    return ['IOC_NOT_FOR_STOP_ORDERS', `IOC validity is not allowed for ${order.orderType} orders`];
  return null;
}

export const validityRules: RiskRule = (ctx) => {
  const c = checkOf('validity_rules', 'parameters');
  const { order } = ctx;
  const values = { validity: order.validity, validityTtlMinutes: order.validityTtlMinutes, orderType: order.orderType, variety: order.variety };
  const violation = validityViolation(ctx);
  if (!violation) return c.pass({ values });
  const [code, message] = violation;
  return c.fail(code, message, values, code === 'TTL_OUT_OF_RANGE' ? { minMinutes: 1, maxMinutes: ctx.limits.parameters.maxTtlMinutes } : undefined);
};

const DERIVATIVE_PRODUCTS = ['NRML', 'MIS'];

/** Derivatives settle daily: CNC (delivery) exists only for cash equity. */
export const productRules: RiskRule = (ctx) => {
  const c = checkOf('product_rules', 'parameters');
  const { exchange, product } = ctx.order;
  const values = { exchange, product };
  if (isDerivativeExchange(exchange) && !DERIVATIVE_PRODUCTS.includes(product))
    return c.fail('PRODUCT_NOT_ALLOWED', `product ${product} is not allowed on ${exchange}; derivatives accept ${DERIVATIVE_PRODUCTS.join(' or ')}`, values, DERIVATIVE_PRODUCTS);
  return c.pass({ values });
};

/** The exchange demands a minimum disclosed share of the order and, for derivatives, whole lots. */
export const disclosedQuantityBounds: RiskRule = (ctx) => {
  const c = checkOf('disclosed_quantity_bounds', 'parameters');
  const { quantity, disclosedQuantity, exchange } = ctx.order;
  if (!disclosedQuantity) return c.skip('no disclosed quantity given');
  const minBps = ctx.limits.parameters.minDisclosedBps;
  const share = formatRatio(disclosedQuantity, quantity);
  const values = { disclosedQuantity, quantity, disclosedShare: share };
  if (BigInt(disclosedQuantity) * 10_000n < BigInt(minBps) * BigInt(quantity))
    return c.fail('DISCLOSED_QUANTITY_TOO_SMALL', `disclosed quantity ${disclosedQuantity} is ${share} of ${quantity}; the minimum is ${formatBps(minBps)}`, values, formatBps(minBps));
  if (!isDerivativeExchange(exchange)) return c.pass({ values });
  if (!ctx.instrument) return c.pass({ message: `lot multiple not checked: ${NO_INSTRUMENT}`, values });
  const { lotSize } = ctx.instrument;
  if (disclosedQuantity % lotSize !== 0)
    return c.fail('DISCLOSED_QUANTITY_NOT_LOT_MULTIPLE', `disclosed quantity ${disclosedQuantity} is not a multiple of the lot size ${lotSize}`, { ...values, lotSize }, lotSize);
  return c.pass({ values: { ...values, lotSize } });
};
