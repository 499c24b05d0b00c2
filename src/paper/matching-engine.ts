import { inputError, orderError } from './errors';
import type { PaperInstrument } from './instruments';
import { isSessionOpen } from './ist-time';
import { isOnTick } from './money';
import { pendingQuantity, type KiteTrade, type OrderRecord, type OrderState } from './order-book';
import type { OrderLifecycle, WorkingOrderListener } from './order-lifecycle';
import { touchPaise } from './quotes';
import type { PaperState } from './state';

/** How a running execution prices its slices. */
type Pricing = 'market' | 'marketable-limit' | 'at-limit';

interface Execution {
  timer: NodeJS.Timeout;
  pricing: Pricing;
  slicesLeft: number;
}

const HOUSEKEEPING_MS = 1000;
const marketLike = (s: OrderState): boolean => s.orderType === 'MARKET' || s.orderType === 'SL-M';

/** Price at which a stop order's trigger is hit. */
function triggerHit(s: OrderState, lastPaise: number): boolean {
  return s.transactionType === 'BUY' ? lastPaise >= s.triggerPaise : lastPaise <= s.triggerPaise;
}

/**
 * Auto mode: MARKET fills at the touch (+/- slippage) after `fillDelayMs` in `partialSlices` slices; a LIMIT
 * that is marketable on arrival fills at the touch capped by its limit, otherwise it rests and fills at its
 * limit once the last price trades through it; stop orders trigger when the last price crosses the trigger.
 * Manual mode: nothing happens on its own; the control API fills, rejects and cancels.
 */
export class MatchingEngine implements WorkingOrderListener {
  private readonly executions = new Map<string, Execution>();
  private ticker: NodeJS.Timeout | null = null;
  private housekeeping: NodeJS.Timeout | null = null;

  /**
   * `peers`: the engines of every account trading the same market (this one included). The first one registered
   * advances the shared prices on its `tickIntervalMs`; every price move, ticked or set, reaches every peer's book.
   */
  constructor(
    private readonly state: PaperState,
    private readonly lifecycle: OrderLifecycle,
    private readonly peers: Set<MatchingEngine> = new Set(),
  ) {
    lifecycle.listener = this;
    peers.add(this);
  }

  private get drivesMarket(): boolean {
    return this.peers.values().next().value === this;
  }

  private get auto(): boolean {
    return this.state.config.matching.mode === 'auto';
  }

  start(): void {
    this.stopTimers();
    const every = this.state.config.matching.tickIntervalMs;
    if (every > 0 && this.drivesMarket) this.ticker = setInterval(() => this.onTick(), every).unref();
    this.housekeeping = setInterval(() => this.onHousekeeping(), HOUSEKEEPING_MS).unref();
    if (this.auto) for (const rec of this.state.book.working()) this.working(rec);
  }

  stop(): void {
    this.stopTimers();
    for (const e of this.executions.values()) clearTimeout(e.timer);
    this.executions.clear();
  }

  private stopTimers(): void {
    if (this.ticker) clearInterval(this.ticker);
    if (this.housekeeping) clearInterval(this.housekeeping);
    this.ticker = null;
    this.housekeeping = null;
  }

  working(rec: OrderRecord): void {
    if (!this.auto || this.executions.has(rec.state.orderId)) return;
    const s = rec.state;
    const last = this.state.prices.lastPaise(s.instrument);
    if (s.status === 'TRIGGER PENDING') {
      if (triggerHit(s, last)) this.lifecycle.trigger(rec);
      return;
    }
    if (s.status !== 'OPEN') return;
    if (marketLike(s)) return this.execute(rec, 'market');
    const touch = touchPaise(s.instrument, last, s.transactionType);
    const marketable = s.transactionType === 'BUY' ? touch <= s.pricePaise : touch >= s.pricePaise;
    if (marketable) return this.execute(rec, 'marketable-limit');
    if (s.validity === 'IOC') this.lifecycle.cancel(rec, 'IOC order could not be filled and was cancelled.', false);
  }

  stopped(rec: OrderRecord): void {
    const e = this.executions.get(rec.state.orderId);
    if (e) clearTimeout(e.timer);
    this.executions.delete(rec.state.orderId);
  }

  /** The last price of `instrument` changed: trigger stops, fill resting limits that traded through. */
  priceChanged(instrument: PaperInstrument): void {
    if (!this.auto) return;
    const last = this.state.prices.lastPaise(instrument);
    for (const rec of this.state.book.working()) {
      const s = rec.state;
      if (s.instrument !== instrument || this.executions.has(s.orderId)) continue;
      if (s.status === 'TRIGGER PENDING' && triggerHit(s, last)) {
        this.lifecycle.trigger(rec);
      } else if (s.status === 'OPEN' && !marketLike(s)) {
        const crossed = s.transactionType === 'BUY' ? last <= s.pricePaise : last >= s.pricePaise;
        if (crossed) this.execute(rec, 'at-limit');
      }
    }
  }

  private execute(rec: OrderRecord, pricing: Pricing): void {
    const { fillDelayMs, partialSlices } = this.state.config.matching;
    const timer = setTimeout(() => this.runSlice(rec), fillDelayMs).unref();
    this.executions.set(rec.state.orderId, { timer, pricing, slicesLeft: partialSlices });
  }

  private runSlice(rec: OrderRecord): void {
    const e = this.executions.get(rec.state.orderId);
    if (!e || rec.state.status !== 'OPEN') return void this.executions.delete(rec.state.orderId);
    const s = rec.state;
    const lot = s.instrument.lot_size;
    const lotsLeft = pendingQuantity(s) / lot;
    const lots = Math.ceil(lotsLeft / Math.max(1, e.slicesLeft));
    e.slicesLeft -= 1;
    const more = lots < lotsLeft;
    if (more) e.timer = setTimeout(() => this.runSlice(rec), this.state.config.matching.sliceIntervalMs).unref();
    else this.executions.delete(s.orderId);
    this.lifecycle.fill(rec, lots * lot, this.slicePrice(s, e.pricing));
  }

  private slicePrice(s: OrderState, pricing: Pricing): number {
    if (pricing === 'at-limit') return s.pricePaise;
    const tick = s.instrument.tickPaise;
    const slip = this.state.config.matching.slippageTicks * tick;
    const touch = touchPaise(s.instrument, this.state.prices.lastPaise(s.instrument), s.transactionType);
    const price = s.transactionType === 'BUY' ? touch + slip : Math.max(tick, touch - slip);
    if (pricing === 'market') return price;
    return s.transactionType === 'BUY' ? Math.min(price, s.pricePaise) : Math.max(price, s.pricePaise);
  }

  private onTick(): void {
    this.state.prices.advance();
    for (const engine of this.peers) engine.pricesMoved();
  }

  private pricesMoved(): void {
    const moved = new Set(this.state.book.working().map((r) => r.state.instrument));
    for (const instrument of moved) this.priceChanged(instrument);
  }

  /** TTL expiry and AMO release at session open (both read the injected clock). */
  private onHousekeeping(): void {
    const now = this.state.settings.now();
    const open = isSessionOpen(this.state.config.session, now);
    for (const rec of this.state.book.working()) {
      const s = rec.state;
      if (s.validity === 'TTL' && s.validityTtl && now.getTime() - s.placedAtMs >= s.validityTtl * 60_000) {
        this.lifecycle.cancel(rec, 'Order cancelled as its TTL validity expired.', false);
      } else if (s.status === 'AMO REQ RECEIVED' && open) {
        this.lifecycle.goLive(rec);
      }
    }
  }

  /** Control API: fill now (default: everything pending at the limit, or at the touch for market orders). */
  fillNow(rec: OrderRecord, quantity?: number, pricePaise?: number): KiteTrade {
    const s = rec.state;
    if (s.status !== 'OPEN' && s.status !== 'TRIGGER PENDING') throw orderError(`Order is ${s.status}, it cannot be filled.`);
    const qty = quantity ?? pendingQuantity(s);
    if (!Number.isInteger(qty) || qty <= 0 || qty > pendingQuantity(s) || qty % s.instrument.lot_size !== 0) {
      throw inputError(`Fill quantity must be a positive multiple of ${s.instrument.lot_size} up to ${pendingQuantity(s)}.`);
    }
    if (pricePaise !== undefined && (pricePaise <= 0 || !isOnTick(pricePaise, s.instrument.tickPaise))) {
      throw inputError('Fill price must be positive and on the tick.');
    }
    if (s.status === 'TRIGGER PENDING') this.lifecycle.trigger(rec);
    if (s.status !== 'OPEN') throw orderError(`Order is ${s.status}, it cannot be filled.`);
    const price = pricePaise ?? (marketLike(s) ? this.slicePrice(s, 'market') : s.pricePaise);
    return this.lifecycle.fill(rec, qty, price);
  }

  /** Control API: set the last price (of the shared market); auto matching of every account reacts at once. */
  setPrice(instrument: PaperInstrument, pricePaise: number): void {
    this.state.prices.set(instrument, pricePaise);
    for (const engine of this.peers) engine.priceChanged(instrument);
  }
}
