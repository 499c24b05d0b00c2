import { KiteApiError, inputError, orderError } from './errors';
import { isSessionOpen, kiteTimestamp } from './ist-time';
import { marginImpact } from './margins';
import { paiseToRupees } from './money';
import {
  isTerminal,
  isWorking,
  newGuid,
  nextOrderId,
  type OrderRecord,
  type OrderState,
  type OrderType,
  type Validity,
} from './order-book';
import type { OrderLifecycle } from './order-lifecycle';
import {
  checkProduct,
  checkQuantity,
  checkTag,
  checkTriggerAgainstLtp,
  checkVariety,
  modifyOrderSchema,
  normalizePricing,
  parseKiteInput,
  placeOrderSchema,
  type ModifyOrderInput,
  type PricingFields,
} from './order-validation';
import { touchPaise } from './quotes';
import { marketView, type PaperState } from './state';

export const MAX_MODIFICATIONS = 25;
export const MAX_AUTOSLICES = 10;
const MARKET_CLOSED = 'Markets are closed right now. Use GTT for placing long standing orders instead.';

export function orderNotFound(): KiteApiError {
  return new KiteApiError('GeneralException', "Couldn't find that `order_id`.", 404);
}

const isStop = (s: OrderState): boolean => s.orderType === 'SL' || s.orderType === 'SL-M';

/** The user side of the broker: place / modify / cancel with Kite's validation and RMS checks. */
export class OrderDesk {
  constructor(
    private readonly state: PaperState,
    private readonly lifecycle: OrderLifecycle,
  ) {}

  get(orderId: string): OrderRecord {
    const rec = this.state.book.get(orderId);
    if (!rec) throw orderNotFound();
    return rec;
  }

  place(variety: string, body: unknown): OrderRecord {
    const now = this.state.settings.now();
    const { state, sessionOpen } = this.validatePlacement(variety, body, now);
    const rec: OrderRecord = { state, history: [], trades: [], requests: { place: 1, modify: 0, cancel: 0 } };
    this.state.book.add(rec);
    this.state.stats.ordersPlaced += 1;
    this.lifecycle.record(rec, 'PUT ORDER REQ RECEIVED');
    this.lifecycle.record(rec, 'VALIDATION PENDING');
    const shortfall = this.marginShortfall(rec.state);
    if (shortfall) {
      this.lifecycle.reject(rec, shortfall);
    } else if (!sessionOpen) {
      this.lifecycle.record(rec, 'AMO REQ RECEIVED');
    } else {
      this.lifecycle.goLive(rec);
    }
    return rec;
  }

  /** Kite's input validation (400 InputException); returns the new order's initial state. */
  private validatePlacement(variety: string, body: unknown, now: Date): { state: OrderState; sessionOpen: boolean } {
    checkVariety(variety);
    const input = parseKiteInput(placeOrderSchema, body);
    const instrument = this.state.registry.find(input.exchange, input.tradingsymbol);
    if (!instrument) throw inputError('The instrument you are placing an order for has either expired or does not exist.');
    if (!instrument.tradable) throw inputError('Orders cannot be placed on an index.');
    checkTag(input.tag);
    checkProduct(instrument, input.product);
    checkQuantity(instrument, input.quantity);
    const pricing = normalizePricing(instrument, {
      orderType: input.order_type, side: input.transaction_type, validity: input.validity, price: input.price,
      triggerPrice: input.trigger_price, marketProtection: input.market_protection, validityTtl: input.validity_ttl,
    });
    const sessionOpen = isSessionOpen(this.state.config.session, now);
    if (!sessionOpen && variety !== 'amo') throw inputError(MARKET_CLOSED);
    if (input.order_type === 'SL' || input.order_type === 'SL-M') {
      checkTriggerAgainstLtp(input.transaction_type, pricing.triggerPaise, this.state.prices.lastPaise(instrument));
    }
    const disclosed = input.disclosed_quantity ?? 0;
    if (disclosed < 0 || disclosed > input.quantity) throw inputError('Invalid `disclosed_quantity`.');
    const state: OrderState = {
      orderId: nextOrderId(now), exchangeOrderId: null, variety, status: 'PUT ORDER REQ RECEIVED', statusMessage: null,
      orderTimestamp: kiteTimestamp(now), exchangeTimestamp: null, exchangeUpdateTimestamp: null, modified: false,
      instrument, transactionType: input.transaction_type, orderType: input.order_type, product: input.product,
      validity: input.validity, validityTtl: pricing.validityTtl, quantity: input.quantity, disclosedQuantity: disclosed,
      pricePaise: pricing.pricePaise, triggerPaise: pricing.triggerPaise, marketProtection: pricing.marketProtection,
      filledQuantity: 0, fillValuePaise: 0, cancelledQuantity: 0, tag: input.tag ?? null, guid: newGuid(),
      placedAtMs: now.getTime(), placedBy: this.state.settings.userId,
    };
    return { state, sessionOpen };
  }

  /**
   * Kite's `autoslice=true`: an order above the freeze quantity becomes up to 10 child orders of at most the
   * freeze quantity each. Returns the children (one order when no slicing is needed).
   */
  placeAutosliced(variety: string, body: Record<string, unknown>): OrderRecord[] {
    const input = parseKiteInput(placeOrderSchema, body);
    const instrument = this.state.registry.find(input.exchange, input.tradingsymbol);
    const freeze = instrument?.freezeQuantity ?? 0;
    if (!instrument || freeze <= 0 || input.quantity <= freeze) return [this.place(variety, body)];
    if (input.quantity % instrument.lot_size !== 0) checkQuantity(instrument, input.quantity);
    const slices = Math.ceil(input.quantity / freeze);
    if (slices > MAX_AUTOSLICES) throw inputError(`Autoslice allows at most ${MAX_AUTOSLICES} slices.`);
    return Array.from({ length: slices }, (_, i) =>
      this.place(variety, { ...body, quantity: String(Math.min(freeze, input.quantity - i * freeze)) }),
    );
  }

  /** RMS: the order must fit in the available margin if it filled completely. */
  private marginShortfall(s: OrderState): string | null {
    const market = marketView(this.state);
    const last = this.state.prices.lastPaise(s.instrument);
    const estimate = s.pricePaise || s.triggerPaise || touchPaise(s.instrument, last, s.transactionType);
    const { requiredPaise, availablePaise } = marginImpact(
      this.state.portfolio.list(),
      { instrument: s.instrument, product: s.product, side: s.transactionType, quantity: s.quantity, pricePaise: estimate },
      this.state.settings.startingCashPaise,
      market,
      this.state.settings.marginRates,
    );
    if (requiredPaise <= 0 || availablePaise - requiredPaise >= 0) return null;
    return `Insufficient funds. Required margin is ${paiseToRupees(requiredPaise).toFixed(2)} but available margin is ${paiseToRupees(availablePaise).toFixed(2)}.`;
  }

  modify(orderId: string, body: unknown): OrderRecord {
    const rec = this.get(orderId);
    const s = rec.state;
    rec.requests.modify += 1;
    if (!isWorking(s.status)) throw orderError(`Order cannot be modified as it is ${describeFinal(s)}.`);
    if (rec.requests.modify > MAX_MODIFICATIONS) throw orderError('Maximum allowed order modifications exceeded.');
    const input = parseKiteInput(modifyOrderSchema, body);
    const quantity = input.quantity ?? s.quantity;
    checkQuantity(s.instrument, quantity);
    if (quantity <= s.filledQuantity) {
      throw orderError(`Quantity cannot be modified below the filled quantity (${s.filledQuantity}).`);
    }
    const orderType = input.order_type ?? s.orderType;
    const validity = input.validity ?? s.validity;
    const pricing = normalizePricing(s.instrument, mergedPricing(s, input, orderType, validity));
    const wasTriggered = isStop(s) && s.status === 'OPEN';
    const stopPending = (orderType === 'SL' || orderType === 'SL-M') && !wasTriggered;
    if (stopPending && s.status !== 'AMO REQ RECEIVED') {
      checkTriggerAgainstLtp(s.transactionType, pricing.triggerPaise, this.state.prices.lastPaise(s.instrument));
    }
    this.lifecycle.listener.stopped(rec);
    this.lifecycle.record(rec, 'MODIFY VALIDATION PENDING');
    this.lifecycle.record(rec, 'MODIFY PENDING');
    Object.assign(s, {
      quantity, orderType, validity, pricePaise: pricing.pricePaise, triggerPaise: pricing.triggerPaise,
      marketProtection: pricing.marketProtection, validityTtl: pricing.validityTtl,
      disclosedQuantity: input.disclosed_quantity ?? Math.min(s.disclosedQuantity, quantity),
    });
    this.lifecycle.modified(rec, wasTriggered);
    return rec;
  }

  cancel(orderId: string): OrderRecord {
    const rec = this.get(orderId);
    rec.requests.cancel += 1;
    if (!isWorking(rec.state.status)) throw orderError(`Order cannot be cancelled as it is ${describeFinal(rec.state)}.`);
    this.lifecycle.cancel(rec, null, true);
    return rec;
  }
}

/** Fields a modification leaves out keep their current values. */
function mergedPricing(s: OrderState, input: ModifyOrderInput, orderType: OrderType, validity: Validity): PricingFields {
  return {
    orderType, side: s.transactionType, validity,
    price: input.price ?? (s.pricePaise ? s.pricePaise / 100 : undefined),
    triggerPrice: input.trigger_price ?? (s.triggerPaise ? s.triggerPaise / 100 : undefined),
    marketProtection: input.market_protection ?? (s.marketProtection || undefined),
    validityTtl: input.validity_ttl ?? s.validityTtl ?? undefined,
  };
}

function describeFinal(s: OrderState): string {
  if (!isTerminal(s.status)) return 'being processed. Try later';
  return s.status === 'COMPLETE' ? 'already completed' : `already ${s.status.toLowerCase()}`;
}
