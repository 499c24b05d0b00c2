/**
 * How the workflow retries a broker call that failed transiently (NetworkException, 5xx, 429, a timeout). Business
 * rejections (Input/Order/Margin exceptions) are never retried; an expired session pauses the order instead.
 */
export const RETRY_STRATEGIES = ['exponential', 'linear', 'fixed', 'immediate'] as const;
export const BROKER_OPERATIONS = ['place', 'modify', 'cancel', 'history'] as const;
export type BrokerOperation = (typeof BROKER_OPERATIONS)[number];

export interface RetryStrategy {
  strategy: (typeof RETRY_STRATEGIES)[number];
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Growth per attempt for `exponential`. */
  multiplier: number;
}

export type RetryConfig = Record<BrokerOperation, RetryStrategy>;

/**
 * Classes of transient failure, for strategies per error class that override the operation's: `rateLimit` (429 "Too
 * many requests"), `server` (5xx answers: GeneralException, DataException), `network` (NetworkException: timeouts,
 * connection errors, 502/503/504), `timeout` (the activity itself ran out of time).
 */
export const TRANSIENT_CLASSES = ['rateLimit', 'server', 'network', 'timeout'] as const;
export type TransientClass = (typeof TRANSIENT_CLASSES)[number];
export type RetryByErrorClass = Partial<Record<TransientClass, RetryStrategy>>;

/** The class of a transient failure from the Kite error_type the activity reported and its message. */
export function classifyTransient(errorType: string | null, message: string): TransientClass {
  if (/too many requests|\b429\b/i.test(message)) return 'rateLimit';
  if (errorType === 'GeneralException' || errorType === 'DataException' || /\b50[0-9]\b/.test(message) && errorType !== 'NetworkException') return 'server';
  if (errorType === null || /timed? ?out/i.test(message) && errorType !== 'NetworkException') return 'timeout';
  return 'network';
}

/** The strategy for one failure: its error class's, when configured, else the operation's. */
export function strategyFor(config: RetryConfig, byClass: RetryByErrorClass | undefined, operation: BrokerOperation, errorType: string | null, message: string): RetryStrategy {
  return byClass?.[classifyTransient(errorType, message)] ?? config[operation];
}

export const DEFAULT_RETRY: RetryConfig = {
  place: { strategy: 'exponential', attempts: 5, baseDelayMs: 2000, maxDelayMs: 20_000, multiplier: 2 },
  modify: { strategy: 'exponential', attempts: 5, baseDelayMs: 1000, maxDelayMs: 15_000, multiplier: 2 },
  cancel: { strategy: 'exponential', attempts: 8, baseDelayMs: 1000, maxDelayMs: 15_000, multiplier: 2 },
  history: { strategy: 'linear', attempts: 4, baseDelayMs: 1000, maxDelayMs: 10_000, multiplier: 1 },
};

/** The wait before the next attempt after `failedAttempt` (1-based) failed, or null when the attempts are spent. */
export function retryDelayMs(s: RetryStrategy, failedAttempt: number): number | null {
  if (failedAttempt >= s.attempts) return null;
  switch (s.strategy) {
    case 'immediate': return 0;
    case 'fixed': return Math.min(s.baseDelayMs, s.maxDelayMs);
    case 'linear': return Math.min(s.baseDelayMs * failedAttempt, s.maxDelayMs);
    case 'exponential': return Math.min(Math.round(s.baseDelayMs * s.multiplier ** (failedAttempt - 1)), s.maxDelayMs);
  }
}
