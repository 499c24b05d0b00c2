import type { BrokerMetrics } from '../metrics/oms-metrics';
import { RateLimitDeadlineError, type OrderRateLimiter, type RateWindow, type SlotOffer, type Waiter } from './rate-limiter';

/** Where the slots live (Postgres: RateSlotStore). */
export interface SlotSource {
  take(account: string, windows: readonly RateWindow[], leaseMs: number): Promise<SlotOffer>;
  answered(slotId: string): Promise<void>;
}

export interface SharedRateLimiterOptions {
  account: string;
  windows: RateWindow[];
  /** A request never reported answered counts as answered this long after it was sent (its process died). */
  leaseMs: number;
  /** How often the head of the queue asks again while a request in flight (here or elsewhere) decides its turn. */
  pollMs?: number;
  now?: () => number;
  /** The queue's depth and each request's wait for its slot (GET /metrics). */
  metrics?: Pick<BrokerMetrics, 'waited' | 'queueDepth'>;
}

/**
 * Kite's per-account order limits, kept by every OMS process together (workers and API alike): each request takes a
 * slot from the account's shared ledger before it is sent. In one process calls queue in arrival order and only the
 * head asks the ledger. A call whose turn would come after its deadline is refused at once, without being sent (an
 * activity must never fire a broker request after it gave up on it); so is one the ledger cannot be asked for (the
 * database is down): nothing reached the broker, the caller may retry.
 */
export class SharedRateLimiter implements OrderRateLimiter {
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private readonly now: () => number;

  constructor(private readonly slots: SlotSource, private readonly opts: SharedRateLimiterOptions) {
    this.now = opts.now ?? Date.now;
  }

  get pending(): number {
    return this.queue.length;
  }

  schedule<T>(fn: () => Promise<T>, deadlineMs = Number.POSITIVE_INFINITY): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, deadlineMs, enqueuedAt: this.now(), resolve: resolve as (v: unknown) => void, reject });
      this.opts.metrics?.queueDepth(this.queue.length);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) await this.serveHead(this.queue[0]);
    } finally {
      this.pumping = false;
    }
  }

  /** Sends the head of the queue, refuses it, or waits until it may ask again. */
  private async serveHead(head: Waiter): Promise<void> {
    const refuse = (err: unknown) => { this.queue.shift(); this.opts.metrics?.queueDepth(this.queue.length); head.reject(err); };
    if (this.now() > head.deadlineMs) return refuse(new RateLimitDeadlineError(this.now() - head.enqueuedAt));
    let offer: SlotOffer;
    try {
      offer = await this.slots.take(this.opts.account, this.opts.windows, this.opts.leaseMs);
    } catch (err) {
      return refuse(err);
    }
    if ('slotId' in offer) {
      this.queue.shift();
      this.opts.metrics?.queueDepth(this.queue.length);
      this.opts.metrics?.waited((this.now() - head.enqueuedAt) / 1000);
      const done = () => this.slots.answered(offer.slotId).catch(() => undefined); // else the lease frees it
      head.fn().then((v) => { void done(); head.resolve(v); }, (e) => { void done(); head.reject(e); });
      return;
    }
    // A known wait past the deadline: refused now, not at the deadline.
    if (Number.isFinite(offer.waitMs) && this.now() + offer.waitMs > head.deadlineMs) return refuse(new RateLimitDeadlineError(this.now() - head.enqueuedAt));
    const pollMs = this.opts.pollMs ?? 25;
    await new Promise((r) => setTimeout(r, Math.min(offer.waitMs, Number.isFinite(offer.waitMs) ? 1000 : pollMs, Math.max(0, head.deadlineMs - this.now()) + 1)));
  }
}
