import { retryLater } from './app-errors';

export interface AdmissionLimits {
  /** New orders being admitted at once (API received, no answer yet); one more is refused with 429 at once. */
  maxInFlight: number;
  /** How long a POST waits for its order's admission before it answers 503 (the order may still be admitted). */
  deadlineMs: number;
}

export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = { maxInFlight: 64, deadlineMs: 10_000 };

/**
 * Overload is answered, not queued: past `maxInFlight` orders waiting for admission the next one is refused at once
 * (429 OVERLOADED with Retry-After) instead of joining a backlog where every order gets older, and an admission that
 * misses its deadline answers 503 ADMISSION_TIMEOUT. Both are safe to repeat: a re-sent POST with the same
 * clientOrderId finds the order it started, if it started one.
 */
export class AdmissionControl {
  private inFlight = 0;

  constructor(private readonly limits: AdmissionLimits = DEFAULT_ADMISSION_LIMITS) {}

  /** Orders waiting for admission now (a gauge for operators and tests). */
  get waiting(): number {
    return this.inFlight;
  }

  /** Runs one admission within the limits; `admit` gets the deadline (epoch ms) to pass on to its calls. */
  async run<T>(admit: (deadlineMs: number) => Promise<T>, isDeadlineError: (err: unknown) => boolean): Promise<T> {
    if (this.inFlight >= this.limits.maxInFlight) {
      throw retryLater(429, 'OVERLOADED', `${this.inFlight} orders are being admitted right now (the limit is ${this.limits.maxInFlight}); nothing was started, send it again shortly`, 1);
    }
    this.inFlight++;
    try {
      return await admit(Date.now() + this.limits.deadlineMs);
    } catch (err) {
      if (!isDeadlineError(err)) throw err;
      throw retryLater(503, 'ADMISSION_TIMEOUT', `the order was not admitted within ${this.limits.deadlineMs} ms; it may still be: send the same request again (same clientOrderId) to learn its outcome`, 1);
    } finally {
      this.inFlight--;
    }
  }
}
