export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** The call was not made: its turn would have come after its deadline. Safe to retry (nothing reached the broker). */
export class RateLimitDeadlineError extends Error {
  constructor(waitedMs: number) {
    super(`broker rate limit: no slot within the caller's deadline (waited ${waitedMs} ms); the request was not sent`);
    this.name = 'RateLimitDeadlineError';
  }
}

interface Waiter {
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
 */
export class SlidingWindowRateLimiter {
  private readonly sent: number[] = [];
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
      if (wait > 0) {
        this.timer = setTimeout(() => { this.timer = null; this.pump(); }, wait);
        return;
      }
      this.queue.shift();
      this.sent.push(now);
      this.waitedMs.push(now - head.enqueuedAt);
      if (this.waitedMs.length > 10_000) this.waitedMs.splice(0, this.waitedMs.length - 10_000);
      head.fn().then(head.resolve, head.reject);
    }
  }

  /** Milliseconds until every window has room for one more request. */
  private waitFor(now: number): number {
    while (this.sent.length && now - this.sent[0] >= this.maxWindow) this.sent.shift();
    let wait = 0;
    for (const w of this.windows) {
      const inWindow = this.sent.filter((t) => now - t < w.windowMs);
      if (inWindow.length >= w.limit) wait = Math.max(wait, inWindow[inWindow.length - w.limit] + w.windowMs - now);
    }
    return wait;
  }
}
