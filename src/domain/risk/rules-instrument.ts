/** Facts about the contract itself: right exchange, tradable, not expired, within the freeze quantity. */
import { istClock } from './ist-clock';
import { checkOf, NO_INSTRUMENT, type RiskRule } from './risk-helpers';

export const segment: RiskRule = (ctx) => {
  const c = checkOf('segment', 'instrument');
  const i = ctx.instrument;
  if (!i) return c.skip(NO_INSTRUMENT);
  const values = { orderExchange: ctx.order.exchange, instrumentExchange: i.exchange, segment: i.segment };
  if (i.exchange !== ctx.order.exchange)
    return c.fail('EXCHANGE_MISMATCH', `${i.tradingsymbol} trades on ${i.exchange}, not ${ctx.order.exchange}`, values, i.exchange);
  // Index rows in the instrument master are reference prices, not contracts.
  if (i.segment === 'INDICES') return c.fail('INSTRUMENT_NOT_TRADABLE', `${i.tradingsymbol} is an index (segment INDICES) and cannot be traded`, values);
  return c.pass({ values });
};

/** Trading on the expiry day itself is allowed; the day after is not. Dates are IST calendar dates. */
export const expiry: RiskRule = (ctx) => {
  const c = checkOf('expiry', 'instrument');
  const i = ctx.instrument;
  if (!i) return c.skip(NO_INSTRUMENT);
  if (i.expiry === null) return c.pass({ message: 'the contract has no expiry' });
  const today = istClock(ctx.nowMs).date;
  const values = { expiry: i.expiry, today };
  // ISO dates order correctly as strings.
  if (i.expiry < today) return c.fail('CONTRACT_EXPIRED', `${i.tradingsymbol} expired on ${i.expiry} (today is ${today} IST)`, values, i.expiry);
  return c.pass({ values });
};

/** Kite's autoslice cap: an order may be split into at most this many slices. */
export const MAX_SLICES = 10;

/** Above the exchange freeze quantity an order is rejected unless it asks to be split into slices (at most 10). */
export const freezeQuantity: RiskRule = (ctx) => {
  const c = checkOf('freeze_quantity', 'instrument');
  const i = ctx.instrument;
  if (!i) return c.skip(NO_INSTRUMENT);
  const freezes = ctx.limits.instrument.freezeQuantities;
  const name = i.name;
  if (name === undefined || !Object.hasOwn(freezes, name)) return c.skip(`no freeze quantity configured for ${name ?? i.tradingsymbol}`);
  const freeze = freezes[name];
  const { quantity } = ctx.order;
  const values = { quantity, freezeQuantity: freeze };
  if (quantity <= freeze) return c.pass({ values, limit: freeze });
  const slices = Math.ceil(quantity / freeze);
  if (ctx.order.split === true && slices > MAX_SLICES)
    return c.fail('SPLIT_LIMIT', `quantity ${quantity} needs ${slices} slices of the freeze quantity ${freeze} of ${name}; Kite allows at most ${MAX_SLICES}`, { ...values, slices }, freeze * MAX_SLICES);
  if (ctx.order.split === true)
    return c.pass({ message: `quantity ${quantity} exceeds the freeze quantity ${freeze} of ${name}; the order will be split`, values: { ...values, splitRequired: true }, limit: freeze });
  return c.fail('FREEZE_QTY', `quantity ${quantity} exceeds the freeze quantity ${freeze} of ${name}; ask for a split order`, values, freeze);
};
