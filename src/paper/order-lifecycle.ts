import { kiteTimestamp } from './ist-time';
import { paiseToRupees } from './money';
import {
  isWorking,
  nextExchangeOrderId,
  nextTradeId,
  pendingQuantity,
  toKiteOrder,
  type KiteTrade,
  type OrderRecord,
  type OrderStatus,
} from './order-book';
import type { PostbackDispatcher, PostbackStatus } from './postbacks';
import type { OrderUpdateStream } from './order-update-stream';
import type { PaperState } from './state';

/** Lets the matching engine follow orders without the lifecycle knowing about timers. */
export interface WorkingOrderListener {
  /** The order is (again) working at the exchange with possibly new terms. */
  working(record: OrderRecord): void;
  /** The order stopped working (terminal) or its terms are about to change. */
  stopped(record: OrderRecord): void;
}

/**
 * Status transitions of one order: every change is recorded in the order's history and, where Kite would,
 * posted back. Callers validate; this class only applies.
 */
export class OrderLifecycle {
  listener: WorkingOrderListener = { working: () => undefined, stopped: () => undefined };

  constructor(
    private readonly state: PaperState,
    private readonly postbacks: PostbackDispatcher,
    private readonly stream?: Pick<OrderUpdateStream, 'broadcast'>,
  ) {}

  private get now(): Date {
    return this.state.settings.now();
  }

  /** Sets the status and appends a history snapshot. */
  record(rec: OrderRecord, status: OrderStatus, message: string | null = rec.state.statusMessage): void {
    rec.state.status = status;
    rec.state.statusMessage = message;
    if (rec.state.exchangeOrderId) rec.state.exchangeUpdateTimestamp = kiteTimestamp(this.now);
    rec.history.push(toKiteOrder(rec.state));
    this.state.changed(); // every status change, fill, modify and cancel passes here
  }

  /** Tells the app about the change as Kite does: a postback, and an order update on its WebSocket. */
  post(rec: OrderRecord, status: PostbackStatus): void {
    const order = toKiteOrder(rec.state);
    this.postbacks.enqueue(order, status);
    this.stream?.broadcast(order, status);
  }

  /** OPEN PENDING -> OPEN / TRIGGER PENDING: the order reaches the exchange. */
  goLive(rec: OrderRecord, triggered = false): void {
    const ts = kiteTimestamp(this.now);
    this.record(rec, 'OPEN PENDING');
    rec.state.exchangeOrderId ??= nextExchangeOrderId();
    rec.state.exchangeTimestamp ??= ts;
    rec.state.exchangeUpdateTimestamp = ts;
    const stop = rec.state.orderType === 'SL' || rec.state.orderType === 'SL-M';
    this.record(rec, stop && !triggered ? 'TRIGGER PENDING' : 'OPEN');
    this.listener.working(rec);
  }

  /** A stop-loss trigger was hit: TRIGGER PENDING -> OPEN. */
  trigger(rec: OrderRecord): void {
    if (rec.state.status !== 'TRIGGER PENDING') return;
    this.record(rec, 'OPEN');
    this.post(rec, 'UPDATE');
    this.listener.working(rec);
  }

  /** Executes `quantity` at `pricePaise`: a trade, the position, then OPEN (partial) or COMPLETE. */
  fill(rec: OrderRecord, quantity: number, pricePaise: number): KiteTrade {
    const s = rec.state;
    const at = this.now;
    s.filledQuantity += quantity;
    s.fillValuePaise += quantity * pricePaise;
    const trade: KiteTrade = {
      trade_id: nextTradeId(),
      order_id: s.orderId,
      exchange_order_id: s.exchangeOrderId,
      tradingsymbol: s.instrument.tradingsymbol,
      exchange: s.instrument.exchange,
      instrument_token: s.instrument.instrument_token,
      product: s.product,
      average_price: paiseToRupees(pricePaise),
      quantity,
      fill_timestamp: kiteTimestamp(at),
      order_timestamp: s.orderTimestamp,
      exchange_timestamp: kiteTimestamp(at),
      transaction_type: s.transactionType,
    };
    rec.trades.push(trade);
    this.state.portfolio.applyTrade(s.instrument, s.product, s.transactionType, quantity, pricePaise);
    this.state.prices.recordTrade(s.instrument, quantity, at);
    if (s.filledQuantity >= s.quantity) {
      this.record(rec, 'COMPLETE');
      this.listener.stopped(rec);
      this.post(rec, 'COMPLETE');
    } else {
      this.record(rec, 'OPEN');
      this.post(rec, 'UPDATE');
    }
    return trade;
  }

  /** Cancels the unfilled rest. `userRequested` adds Kite's CANCEL PENDING step. */
  cancel(rec: OrderRecord, message: string | null, userRequested: boolean): void {
    this.listener.stopped(rec);
    if (userRequested) this.record(rec, 'CANCEL PENDING');
    rec.state.cancelledQuantity = pendingQuantity(rec.state);
    this.record(rec, 'CANCELLED', message);
    this.post(rec, 'CANCELLED');
  }

  reject(rec: OrderRecord, message: string): void {
    this.listener.stopped(rec);
    this.record(rec, 'REJECTED', message);
    this.post(rec, 'REJECTED');
  }

  /** Records an accepted modification and puts the order back to work. */
  modified(rec: OrderRecord, wasTriggered: boolean): void {
    rec.state.modified = true;
    this.record(rec, 'MODIFIED');
    const stop = rec.state.orderType === 'SL' || rec.state.orderType === 'SL-M';
    const amo = rec.history.some((h) => h.status === 'AMO REQ RECEIVED') && !rec.state.exchangeOrderId;
    this.record(rec, amo ? 'AMO REQ RECEIVED' : stop && !wasTriggered ? 'TRIGGER PENDING' : 'OPEN');
    this.post(rec, 'UPDATE');
    if (isWorking(rec.state.status) && !amo) this.listener.working(rec);
  }
}
