import { toPaise } from './money';
import type { OrderState } from './order-state';
import type { OrderRequest, OrderType } from './order-types';
import { paiseToRupees } from './money';
import { isOptionContract, SLM_NOT_ALLOWED_FOR_OPTIONS, slmForOptionsMessage } from './order-validation';

export interface InvalidChange { code: string; message: string; field: string }

/** New terms in the HTTP API's units too: `price` / `triggerPrice` as rupees ("98.05"), beside the paise fields. */
export interface ChangeTerms { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: string; price?: string; triggerPrice?: string }

/**
 * The terms with rupees turned into paise, so an operator sends the same shape from the Temporal CLI as from HTTP
 * (`{"price": "98.05"}`); a price given both ways, or not a price to the paisa, is refused.
 */
export function inPaise<T extends ChangeTerms>(t: T): { changes: Omit<T, 'price' | 'triggerPrice'> } | { invalid: InvalidChange } {
  const { price, triggerPrice, ...rest } = t;
  const out: ChangeTerms = { ...rest };
  for (const [field, rupees, paiseField] of [['price', price, 'pricePaise'], ['triggerPrice', triggerPrice, 'triggerPricePaise']] as const) {
    if (rupees === undefined) continue;
    if (rest[paiseField] !== undefined) return { invalid: { code: 'PRICE_GIVEN_TWICE', field, message: `give ${field} (rupees) or ${paiseField}, not both` } };
    const paise = typeof rupees === 'string' || typeof rupees === 'number' ? toPaise(rupees) : null;
    if (paise === null || paise <= 0) return { invalid: { code: 'PRICE_NOT_VALID', field, message: `${field} must be a positive amount in rupees with at most 2 decimals, e.g. "98.05"` } };
    out[paiseField] = paise;
  }
  return { changes: out as Omit<T, 'price' | 'triggerPrice'> };
}

/** Checks a modify request against the order as it stands now; null when it may go to the broker. */
export function validateModification(state: OrderState, changes: { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: string }): InvalidChange | null {
  const { instrument } = state;
  if (changes.quantity === undefined && changes.pricePaise === undefined && changes.triggerPricePaise === undefined && changes.orderType === undefined)
    return { code: 'NOTHING_TO_CHANGE', field: 'body', message: 'a modify needs at least one of quantity, price, triggerPrice, orderType' };
  if (changes.quantity !== undefined) {
    if (!Number.isInteger(changes.quantity) || changes.quantity <= 0) return { code: 'QUANTITY_NOT_POSITIVE', field: 'quantity', message: 'quantity must be a positive whole number' };
    if (instrument && changes.quantity % instrument.lotSize !== 0) return { code: 'QUANTITY_NOT_LOT_MULTIPLE', field: 'quantity', message: `quantity ${changes.quantity} is not a multiple of the lot size ${instrument.lotSize}` };
    if (changes.quantity <= state.filledQuantity) return { code: 'QUANTITY_NOT_ABOVE_FILLED', field: 'quantity', message: `quantity ${changes.quantity} must exceed the ${state.filledQuantity} already filled` };
  }
  const orderType = changes.orderType ?? state.orderType;
  // A field the order type does not use would be sent to the broker and refused there (or silently ignored).
  if (changes.triggerPricePaise !== undefined && orderType !== 'SL' && orderType !== 'SL-M')
    return { code: 'FIELD_NOT_FOR_ORDER_TYPE', field: 'triggerPrice', message: `a ${orderType} order has no trigger price; send orderType SL or SL-M with it to make it a stop order` };
  if (changes.pricePaise !== undefined && orderType !== 'LIMIT' && orderType !== 'SL')
    return { code: 'FIELD_NOT_FOR_ORDER_TYPE', field: 'price', message: `a ${orderType} order has no limit price; send orderType LIMIT or SL with it` };
  if (changes.orderType === 'SL-M' && instrument && isOptionContract(instrument))
    return { code: SLM_NOT_ALLOWED_FOR_OPTIONS, field: 'orderType', message: slmForOptionsMessage(state.request.tradingsymbol) };
  const price = changes.pricePaise ?? (changes.orderType && !['LIMIT', 'SL'].includes(changes.orderType) ? undefined : state.pricePaise ?? undefined);
  const trigger = changes.triggerPricePaise ?? (changes.orderType && !['SL', 'SL-M'].includes(changes.orderType) ? undefined : state.triggerPricePaise ?? undefined);
  if ((orderType === 'LIMIT' || orderType === 'SL') && price === undefined) return { code: 'PRICE_REQUIRED', field: 'price', message: `${orderType} orders need a price` };
  if ((orderType === 'SL' || orderType === 'SL-M') && trigger === undefined) return { code: 'TRIGGER_PRICE_REQUIRED', field: 'triggerPrice', message: `${orderType} orders need a trigger price` };
  for (const [field, v] of [['price', changes.pricePaise], ['triggerPrice', changes.triggerPricePaise]] as const) {
    if (v === undefined) continue;
    if (v <= 0) return { code: 'PRICE_NOT_POSITIVE', field, message: `${field} must be greater than zero` };
    if (instrument && v % instrument.tickSizePaise !== 0) return { code: 'PRICE_NOT_ON_TICK', field, message: `${field} ${paiseToRupees(v)} is not a multiple of the tick size ${paiseToRupees(instrument.tickSizePaise)}` };
  }
  if (orderType === 'SL' && price !== undefined && trigger !== undefined) {
    if (state.request.side === 'BUY' && price < trigger) return { code: 'SL_PRICE_BELOW_TRIGGER', field: 'price', message: 'an SL buy needs price >= trigger price' };
    if (state.request.side === 'SELL' && price > trigger) return { code: 'SL_PRICE_ABOVE_TRIGGER', field: 'price', message: 'an SL sell needs price <= trigger price' };
  }
  return null;
}

/** The order as it would stand after `changes`: what the risk gate re-checks before a modify goes to the broker. */
export function modifiedRequest(state: OrderState, changes: { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: OrderType }): OrderRequest {
  const orderType = changes.orderType ?? state.orderType;
  const keepsPrice = orderType === 'LIMIT' || orderType === 'SL';
  const keepsTrigger = orderType === 'SL' || orderType === 'SL-M';
  const pricePaise = keepsPrice ? changes.pricePaise ?? state.pricePaise ?? undefined : undefined;
  const triggerPricePaise = keepsTrigger ? changes.triggerPricePaise ?? state.triggerPricePaise ?? undefined : undefined;
  return { ...state.request, quantity: changes.quantity ?? state.quantity, orderType, pricePaise, triggerPricePaise };
}
