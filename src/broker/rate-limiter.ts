export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** The call was not made: its turn would have come after its deadline. Safe to retry (nothing reached the broker). */
export class RateLimitDeadlineError extends Error {
  /** Read by neverSent(): a placement refused here may be sent again at once. */
  readonly notSent = true;
  constructor(waitedMs: number) {
    super(`broker rate limit: no slot within the caller's deadline (waited ${waitedMs} ms); the request was not sent`);
    this.name = 'RateLimitDeadlineError';
  }
}

/** A call waiting for its turn. */
export interface Waiter {
  fn: () => Promise<unknown>;
  deadlineMs: number;
  enqueuedAt: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Queues calls so that no sliding window ever holds more than its limit (Kite: 10 order requests per second and
 * 400 per minute per account). Calls start in arrival order. A call whose turn would come after its deadline is
 * rejected without being made: an activity must never fire a broker request after it has given up on it.
 *
 * A call holds its place in a window from the moment it is sent until `windowMs` after its answer (or failure). The
 * broker counts arrivals, and an arrival lies between the send and the answer, so however the network or a starved
 * process delays or bunches requests, no window of the broker's can see more than the limit.
 */
export interface Slot { answeredAt: number | null }

export class SlidingWindowRateLimiter implements OrderRateLimiter {
  private readonly slots: Slot[] = [];
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly maxWindow: number;
  waitedMs: number[] = [];

  constructor(private readonly windows: RateWindow[], private readonly now: () => number = Date.now) {
    this.maxWindow = Math.max(...windows.map((w) => w.windowMs));
  }

  schedule<T>(fn: () => Promise<T>, deadlineMs = Number.POSITIVE_INFINITY): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, deadlineMs, enqueuedAt: this.now(), resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /** Requests queued and not yet sent. */
  get pending(): number {
    return this.queue.length;
  }

  private pump(): void {
    if (this.timer) return;
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const now = this.now();
      if (now > head.deadlineMs) {
        this.queue.shift();
        head.reject(new RateLimitDeadlineError(now - head.enqueuedAt));
        continue;
      }
      const wait = this.waitFor(now);
      if (wait === Number.POSITIVE_INFINITY) return; // a call in flight holds the slot: its answer pumps again
      if (wait > 0) {
        this.timer = setTimeout(() => { this.timer = null; this.pump(); }, wait);
        return;
      }
      this.queue.shift();
      const slot: Slot = { answeredAt: null };
      this.slots.push(slot);
      this.waitedMs.push(now - head.enqueuedAt);
      if (this.waitedMs.length > 10_000) this.waitedMs.splice(0, this.waitedMs.length - 10_000);
      head.fn().then((v) => { this.answered(slot); head.resolve(v); }, (e) => { this.answered(slot); head.reject(e); });
    }
  }

  /** The call's window now runs from its answer; a queue waiting on it may move sooner than its timer said. */
  private answered(slot: Slot): void {
    slot.answeredAt = this.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pump();
  }

  /** Milliseconds until every window has room for one more request (infinite while a call in flight decides it). */
  private waitFor(now: number): number {
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const at = this.slots[i].answeredAt;
      if (at !== null && now - at >= this.maxWindow) this.slots.splice(i, 1);
    }
    return slotWaitMs(this.slots, this.windows, now);
  }
}

/**
 * Milliseconds from `now` until every window has room for one more request, given the requests sent so far: each
 * holds its place until `windowMs` after its answer, and one still unanswered (`answeredAt` null) holds it until it is
 * answered (infinite when such a request is what stands in the way).
 */
export function slotWaitMs(slots: readonly Slot[], windows: readonly RateWindow[], now: number): number {
  let wait = 0;
  for (const w of windows) {
    const expiries = slots
      .map((s) => (s.answeredAt === null ? Number.POSITIVE_INFINITY : s.answeredAt + w.windowMs))
      .filter((e) => e > now)
      .sort((a, b) => a - b);
    if (expiries.length >= w.limit) wait = Math.max(wait, expiries[expiries.length - w.limit] - now);
  }
  return wait;
}

/** A slot of a shared ledger taken (send now, then report the answer), or how long until one may be. */
export type SlotOffer = { slotId: string } | { waitMs: number };

/** What the broker gateway queues its order requests with: in one process, or shared by every process (Postgres). */
export interface OrderRateLimiter {
  schedule<T>(fn: () => Promise<T>, deadlineMs?: number): Promise<T>;
  /** Requests queued here and not yet sent. */
  readonly pending: number;
}
