import { validateModification } from '../../src/domain/order-modification';
import type { OrderState } from '../../src/domain/order-state';
import { initialOrderState } from '../../src/domain/order-state';
import type { OrderRequest } from '../../src/domain/order-types';
import { BANKNIFTY_CE, BANKNIFTY_FUT, limitBuy } from './fixtures';

type Changes = Parameters<typeof validateModification>[1];

/** A working order: 90 lots-of-30 BUY LIMIT at 100.00 with 30 already filled. */
function working(request: Partial<OrderRequest> = {}, over: Partial<OrderState> = {}): OrderState {
  const r = limitBuy(request);
  return {
    ...initialOrderState({ orderId: 'ord-1', tag: 'omstag', payloadHash: 'h', request: r, at: '2026-11-24T04:00:00.000Z' }),
    status: 'PARTIALLY_FILLED', instrument: BANKNIFTY_CE, brokerOrderId: 'B-1', filledQuantity: 30,
    ...over,
  };
}

describe('validateModification: rejected modifies', () => {
  it.each<{ title: string; state: OrderState; changes: Changes; code: string; field: string }>([
    { title: 'nothing is asked to change', state: working(), changes: {}, code: 'NOTHING_TO_CHANGE', field: 'body' },
    { title: 'a trigger price is sent for a LIMIT order', state: working(), changes: { triggerPricePaise: 9_500 }, code: 'FIELD_NOT_FOR_ORDER_TYPE', field: 'triggerPrice' },
    { title: 'a price is sent for a MARKET order', state: working({ orderType: 'MARKET', pricePaise: undefined }), changes: { pricePaise: 10_000 }, code: 'FIELD_NOT_FOR_ORDER_TYPE', field: 'price' },
    { title: 'a price is sent with a change to MARKET', state: working(), changes: { orderType: 'MARKET', pricePaise: 10_000 }, code: 'FIELD_NOT_FOR_ORDER_TYPE', field: 'price' },
    { title: 'the new quantity is zero', state: working(), changes: { quantity: 0 }, code: 'QUANTITY_NOT_POSITIVE', field: 'quantity' },
    { title: 'the new quantity is negative', state: working(), changes: { quantity: -30 }, code: 'QUANTITY_NOT_POSITIVE', field: 'quantity' },
    { title: 'the new quantity is fractional', state: working(), changes: { quantity: 60.5 }, code: 'QUANTITY_NOT_POSITIVE', field: 'quantity' },
    { title: 'the new quantity is 45 with lot 30', state: working(), changes: { quantity: 45 }, code: 'QUANTITY_NOT_LOT_MULTIPLE', field: 'quantity' },
    { title: 'the new quantity equals what already filled', state: working(), changes: { quantity: 30 }, code: 'QUANTITY_NOT_ABOVE_FILLED', field: 'quantity' },
    { title: 'the new quantity is below what already filled', state: working({}, { filledQuantity: 60 }), changes: { quantity: 30 }, code: 'QUANTITY_NOT_ABOVE_FILLED', field: 'quantity' },
    { title: 'the new price is zero', state: working(), changes: { pricePaise: 0 }, code: 'PRICE_NOT_POSITIVE', field: 'price' },
    { title: 'the new price is off the 0.05 tick', state: working(), changes: { pricePaise: 10_002 }, code: 'PRICE_NOT_ON_TICK', field: 'price' },
    { title: 'the new trigger is off the 0.05 tick', state: working({ orderType: 'SL', triggerPricePaise: 9_995 }), changes: { triggerPricePaise: 9_991 }, code: 'PRICE_NOT_ON_TICK', field: 'triggerPrice' },
    { title: 'a MARKET order becomes LIMIT without a price', state: working({ orderType: 'MARKET', pricePaise: undefined }), changes: { orderType: 'LIMIT' }, code: 'PRICE_REQUIRED', field: 'price' },
    { title: 'a LIMIT order becomes SL without a trigger', state: working(), changes: { orderType: 'SL' }, code: 'TRIGGER_PRICE_REQUIRED', field: 'triggerPrice' },
    { title: 'a LIMIT order on a future becomes SL-M without a trigger', state: working({}, { instrument: BANKNIFTY_FUT }), changes: { orderType: 'SL-M' }, code: 'TRIGGER_PRICE_REQUIRED', field: 'triggerPrice' },
    { title: 'a LIMIT order on an option becomes SL-M (blocked for options)', state: working(), changes: { orderType: 'SL-M', triggerPricePaise: 9_000 }, code: 'SLM_NOT_ALLOWED_FOR_OPTIONS', field: 'orderType' },
    { title: 'an SL buy trigger is raised above its limit', state: working({ orderType: 'SL', triggerPricePaise: 9_995 }), changes: { triggerPricePaise: 10_005 }, code: 'SL_PRICE_BELOW_TRIGGER', field: 'price' },
    { title: 'a LIMIT buy becomes SL with a trigger above its limit', state: working(), changes: { orderType: 'SL', triggerPricePaise: 10_050 }, code: 'SL_PRICE_BELOW_TRIGGER', field: 'price' },
    { title: 'an SL sell limit is raised above its trigger', state: working({ side: 'SELL', orderType: 'SL', pricePaise: 9_995, triggerPricePaise: 10_000 }), changes: { pricePaise: 10_005 }, code: 'SL_PRICE_ABOVE_TRIGGER', field: 'price' },
  ])('when $title, then the modify is refused with $code', ({ state, changes, code, field }) => {
    expect(validateModification(state, changes)).toMatchObject({ code, field, message: expect.any(String) });
  });
});

describe('validateModification: accepted modifies', () => {
  it.each<{ title: string; state: OrderState; changes: Changes }>([
    { title: 'the quantity rises to the next lot above the filled quantity', state: working(), changes: { quantity: 60 } },
    { title: 'the quantity rises to many lots', state: working(), changes: { quantity: 1_800 } },
    { title: 'the price moves one tick', state: working(), changes: { pricePaise: 10_005 } },
    { title: 'a LIMIT order becomes MARKET (its price is dropped)', state: working(), changes: { orderType: 'MARKET' } },
    { title: 'a LIMIT buy becomes SL with the trigger at its limit', state: working(), changes: { orderType: 'SL', triggerPricePaise: 10_000 } },
    { title: 'a LIMIT order on a future becomes SL-M with a trigger', state: working({}, { instrument: BANKNIFTY_FUT }), changes: { orderType: 'SL-M', triggerPricePaise: 10_000 } },
    { title: 'an SL buy trigger is raised to exactly its limit', state: working({ orderType: 'SL', triggerPricePaise: 9_995 }), changes: { triggerPricePaise: 10_000 } },
    { title: 'an SL sell limit is raised to exactly its trigger', state: working({ side: 'SELL', orderType: 'SL', pricePaise: 9_995, triggerPricePaise: 10_000 }), changes: { pricePaise: 10_000 } },
    { title: 'nothing has filled yet and the quantity drops to one lot', state: working({}, { filledQuantity: 0, status: 'OPEN' }), changes: { quantity: 30 } },
    { title: 'the instrument is unknown so lot and tick cannot be judged', state: working({}, { instrument: null, filledQuantity: 0 }), changes: { quantity: 45, pricePaise: 10_002 } },
  ])('when $title, then the modify may go to the broker', ({ state, changes }) => {
    expect(validateModification(state, changes)).toBeNull();
  });

  it('when a modify is checked, then it is judged against the current working terms, not the original request', () => {
    // The broker already confirmed an earlier modify to SL with trigger 99.95; the request still says LIMIT.
    const state = working({}, { orderType: 'SL', triggerPricePaise: 9_995 });
    expect(validateModification(state, { triggerPricePaise: 10_050 })?.code).toBe('SL_PRICE_BELOW_TRIGGER');
  });
});
