import { paiseToRupees } from './money';
import { opposite, type ExitRole, type GroupKind } from './order-group';
import type { Exchange, OrderRequest, Product, Side, Variety } from './order-types';
import { STOP_PROTECTION_BAND_BPS, stopLimitPaise } from './stop-limit';

/** A group as a strategy asked for it (prices in paise). Plain JSON: it travels through histories. */
export interface GroupRequest {
  kind: GroupKind;
  clientOrderId: string;
  strategyId: string;
  tradingsymbol: string;
  exchange: Exchange;
  product: Product;
  variety: Variety;
  /** OCO: the position the exits close (BUY = long). Bracket: the entry's side. */
  side: Side;
  /** OCO: the position's size. Bracket: the entry's quantity. */
  quantity: number;
  /** Bracket only: how the entry is placed. */
  entry?: { orderType: 'LIMIT' | 'MARKET'; pricePaise?: number };
  exits: ExitTerms;
  metadata?: Record<string, unknown>;
}

export interface ExitTerms {
  targetPricePaise: number;
  stopTriggerPaise: number;
  /** The stop's SL limit; without one it is the trigger less (a long's) or plus (a short's) the 5% protection band. */
  stopPricePaise?: number;
}

/** Leg roles and their order ids: derived from the group's client order id, so a retried start finds the same legs. */
export const groupIdFor = (clientOrderId: string) => `group-${clientOrderId}`;
export const legClientIdFor = (groupClientId: string, role: string) => `${groupClientId}-${role}`;
export const legOrderIdFor = (groupClientId: string, role: string) => `order-${legClientIdFor(groupClientId, role)}`;
export const flattenRole = (attempt: number) => `flatten-${attempt}`;

function legRequest(g: GroupRequest, role: string, o: Pick<OrderRequest, 'side' | 'quantity' | 'orderType' | 'pricePaise' | 'triggerPricePaise'>): OrderRequest {
  return {
    clientOrderId: legClientIdFor(g.clientOrderId, role), strategyId: g.strategyId, tradingsymbol: g.tradingsymbol, exchange: g.exchange,
    product: g.product, variety: g.variety, validity: 'DAY', ...o,
    metadata: { ...g.metadata, group: groupIdFor(g.clientOrderId), legRole: role },
  };
}

/** A bracket's entry order. */
export function entryRequest(g: GroupRequest): OrderRequest {
  const e = g.entry ?? { orderType: 'MARKET' as const };
  return strip(legRequest(g, 'entry', { side: g.side, quantity: g.quantity, orderType: e.orderType, pricePaise: e.pricePaise }));
}

/** The stop's limit price: the one asked for, else the trigger moved the protection band in the exit's direction. */
export const stopPriceOf = (g: Pick<GroupRequest, 'side' | 'exits'>): number =>
  g.exits.stopPricePaise ?? stopLimitPaise(g.side, g.exits.stopTriggerPaise, STOP_PROTECTION_BAND_BPS);

/**
 * An exit leg closing `quantity` of the position: the target is a LIMIT, the stop always an SL (never SL-M, which the
 * exchange blocks for options).
 */
export function exitRequest(g: GroupRequest, role: ExitRole, quantity: number): OrderRequest {
  const side = opposite(g.side);
  const x = g.exits;
  if (role === 'target') return strip(legRequest(g, role, { side, quantity, orderType: 'LIMIT', pricePaise: x.targetPricePaise }));
  return strip(legRequest(g, role, { side, quantity, orderType: 'SL', pricePaise: stopPriceOf(g), triggerPricePaise: x.stopTriggerPaise }));
}

/** A reduce-only MARKET order squaring `quantity`: on the position's side for an excess, the exits' side for a residual. */
export function flattenRequest(g: GroupRequest, attempt: number, side: Side, quantity: number): OrderRequest {
  return strip(legRequest(g, flattenRole(attempt), { side, quantity, orderType: 'MARKET' }));
}

/** Drops undefined members, so the request hashes and travels the same way every time. */
function strip(r: OrderRequest): OrderRequest {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as OrderRequest;
}

export interface InvalidGroup { field: string; message: string }

/**
 * The group's prices must make sense for its position: a long closes with a target above the stop (and an SL sell's
 * limit at or below its trigger), a short the other way round; a LIMIT entry needs a price, a MARKET entry none.
 */
export function validateGroupTerms(g: GroupRequest): InvalidGroup | null {
  const x = g.exits;
  const long = g.side === 'BUY';
  if (long ? x.targetPricePaise <= x.stopTriggerPaise : x.targetPricePaise >= x.stopTriggerPaise) {
    return { field: 'exits.targetPrice', message: `a ${long ? 'long' : 'short'} position needs the target ${long ? 'above' : 'below'} the stop trigger (target ${paiseToRupees(x.targetPricePaise)}, stop trigger ${paiseToRupees(x.stopTriggerPaise)})` };
  }
  if (x.stopPricePaise !== undefined && (long ? x.stopPricePaise > x.stopTriggerPaise : x.stopPricePaise < x.stopTriggerPaise)) {
    return { field: 'exits.stopPrice', message: `the stop ${long ? 'sells' : 'buys'}: its limit price must be at or ${long ? 'below' : 'above'} its trigger` };
  }
  if (g.kind === 'oco' && g.entry) return { field: 'entry', message: 'an OCO closes an existing position: it takes no entry' };
  if (g.kind === 'bracket') {
    const e = g.entry;
    if (!e) return { field: 'entry', message: 'a bracket needs an entry' };
    if (e.orderType === 'LIMIT' && e.pricePaise === undefined) return { field: 'entry.price', message: 'a LIMIT entry needs a price' };
    if (e.orderType === 'MARKET' && e.pricePaise !== undefined) return { field: 'entry.price', message: 'a MARKET entry takes no price' };
    if (e.pricePaise !== undefined && (long ? e.pricePaise <= x.stopTriggerPaise || e.pricePaise >= x.targetPricePaise : e.pricePaise >= x.stopTriggerPaise || e.pricePaise <= x.targetPricePaise)) {
      return { field: 'entry.price', message: 'the entry price must lie between the stop trigger and the target' };
    }
  }
  return null;
}
