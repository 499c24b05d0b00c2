import { randomUUID } from 'node:crypto';
import type { PaperInstrument } from './instruments';
import { istSecondsOfDay, istYymmdd } from './ist-time';
import { paiseToRupees } from './money';

export type OrderStatus =
  | 'PUT ORDER REQ RECEIVED'
  | 'VALIDATION PENDING'
  | 'OPEN PENDING'
  | 'OPEN'
  | 'TRIGGER PENDING'
  | 'AMO REQ RECEIVED'
  | 'MODIFY VALIDATION PENDING'
  | 'MODIFY PENDING'
  | 'MODIFIED'
  | 'CANCEL PENDING'
  | 'COMPLETE'
  | 'CANCELLED'
  | 'REJECTED';

export type OrderType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
export type Validity = 'DAY' | 'IOC' | 'TTL';
export type Side = 'BUY' | 'SELL';

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['COMPLETE', 'CANCELLED', 'REJECTED']);
const WORKING: ReadonlySet<OrderStatus> = new Set(['OPEN', 'TRIGGER PENDING', 'AMO REQ RECEIVED']);

export const isTerminal = (s: OrderStatus): boolean => TERMINAL.has(s);
export const isWorking = (s: OrderStatus): boolean => WORKING.has(s);

/** Internal order state: quantities are units, money is paise. */
export interface OrderState {
  orderId: string;
  exchangeOrderId: string | null;
  variety: string;
  status: OrderStatus;
  statusMessage: string | null;
  orderTimestamp: string;
  exchangeTimestamp: string | null;
  exchangeUpdateTimestamp: string | null;
  modified: boolean;
  instrument: PaperInstrument;
  transactionType: Side;
  orderType: OrderType;
  product: string;
  validity: Validity;
  validityTtl: number | null;
  quantity: number;
  disclosedQuantity: number;
  pricePaise: number;
  triggerPaise: number;
  marketProtection: number;
  filledQuantity: number;
  fillValuePaise: number;
  cancelledQuantity: number;
  tag: string | null;
  guid: string;
  placedAtMs: number;
  /** The account's user_id (absent in books saved before several accounts: the primary's). */
  placedBy?: string;
}

export interface KiteTrade {
  trade_id: string;
  order_id: string;
  exchange_order_id: string | null;
  tradingsymbol: string;
  exchange: string;
  instrument_token: number;
  product: string;
  average_price: number;
  quantity: number;
  fill_timestamp: string;
  order_timestamp: string;
  exchange_timestamp: string;
  transaction_type: Side;
}

export interface OrderRecord {
  state: OrderState;
  /** Kite-shaped snapshots, one per status change; the last one is the current state. */
  history: Record<string, unknown>[];
  trades: KiteTrade[];
  requests: { place: number; modify: number; cancel: number };
}

export function pendingQuantity(s: OrderState): number {
  return isTerminal(s.status) ? 0 : s.quantity - s.filledQuantity;
}

export function averagePricePaise(s: OrderState): number {
  return s.filledQuantity > 0 ? Math.round(s.fillValuePaise / s.filledQuantity) : 0;
}

/** Kite's order object (GET /orders, order history entries, postback body base). */
export function toKiteOrder(s: OrderState): Record<string, unknown> {
  return {
    placed_by: s.placedBy ?? PAPER_USER_ID,
    order_id: s.orderId,
    exchange_order_id: s.exchangeOrderId,
    parent_order_id: null,
    status: s.status,
    status_message: s.statusMessage,
    status_message_raw: s.statusMessage,
    order_timestamp: s.orderTimestamp,
    exchange_update_timestamp: s.exchangeUpdateTimestamp,
    exchange_timestamp: s.exchangeTimestamp,
    variety: s.variety,
    modified: s.modified,
    exchange: s.instrument.exchange,
    tradingsymbol: s.instrument.tradingsymbol,
    instrument_token: s.instrument.instrument_token,
    order_type: s.orderType,
    transaction_type: s.transactionType,
    validity: s.validity,
    validity_ttl: s.validityTtl ?? 0,
    product: s.product,
    quantity: s.quantity,
    disclosed_quantity: s.disclosedQuantity,
    price: paiseToRupees(s.pricePaise),
    trigger_price: paiseToRupees(s.triggerPaise),
    average_price: paiseToRupees(averagePricePaise(s)),
    filled_quantity: s.filledQuantity,
    pending_quantity: pendingQuantity(s),
    cancelled_quantity: s.cancelledQuantity,
    market_protection: s.marketProtection,
    meta: {},
    tag: s.tag,
    ...(s.tag ? { tags: [s.tag] } : {}),
    guid: s.guid,
  };
}

export const PAPER_USER_ID = 'PAPER1';

// Process-wide sequences with a wall-clock base: ids stay unique across reset() and across brokers in one
// process, and a restarted standalone broker does not reuse the ids of an earlier run the same day.
const wallBase = istSecondsOfDay(new Date());
let orderSeq = wallBase * 1000;
let tradeSeq = wallBase * 100;
let exchangeSeq = wallBase * 1000;

/** Kite-like 15-digit order id: YYMMDD (IST) + 9 digits. */
export function nextOrderId(now: Date): string {
  orderSeq += 1;
  return `${istYymmdd(now)}${String(orderSeq % 1e9).padStart(9, '0')}`;
}

/** The id sequences, saved with the book so a restarted broker never hands out an id it already used. */
export function sequences(): { order: number; trade: number; exchange: number } {
  return { order: orderSeq, trade: tradeSeq, exchange: exchangeSeq };
}

/** Continues after saved sequences (never goes back: this process may have used higher ones already). */
export function restoreSequences(saved: { order: number; trade: number; exchange: number }): void {
  orderSeq = Math.max(orderSeq, saved.order);
  tradeSeq = Math.max(tradeSeq, saved.trade);
  exchangeSeq = Math.max(exchangeSeq, saved.exchange);
}

export function nextTradeId(): string {
  tradeSeq += 1;
  return String(10_000_000 + tradeSeq);
}

export function nextExchangeOrderId(): string {
  exchangeSeq += 1;
  return `1100000${String(exchangeSeq % 1e9).padStart(9, '0')}`;
}

export const newGuid = (): string => randomUUID().replace(/-/g, '').slice(0, 20);

/** In-memory order book for one trading day. */
export class OrderBook {
  private readonly orders = new Map<string, OrderRecord>();

  add(record: OrderRecord): void {
    this.orders.set(record.state.orderId, record);
  }

  get(orderId: string): OrderRecord | undefined {
    return this.orders.get(orderId);
  }

  all(): OrderRecord[] {
    return [...this.orders.values()];
  }

  working(): OrderRecord[] {
    return this.all().filter((r) => isWorking(r.state.status));
  }

  trades(): KiteTrade[] {
    return this.all()
      .flatMap((r) => r.trades)
      .sort((a, b) => Number(a.trade_id) - Number(b.trade_id));
  }

  clear(): void {
    this.orders.clear();
  }
}
