import type { RequestHandler } from 'express';
import { retryLater } from '../services/app-errors';
import { principalOf } from './auth';

export interface KeyLimits {
  /** Requests per second each API key may send on average (a token bucket refilled at this rate). */
  ratePerSecond: number;
  /** How many requests a key may send at once above its rate (the bucket's size). */
  burst: number;
  /** Requests of one key being answered at the same time. */
  maxConcurrent: number;
  now?: () => number;
}

/**
 * Per-key rate and concurrency limits, after authentication: one key (a runaway strategy) cannot take the API from
 * the others. Past either limit the request is refused at once with 429 and Retry-After, and nothing was done.
 */
export function keyLimits(limits: KeyLimits): RequestHandler {
  const now = limits.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number; inFlight: number }>();
  return (_req, res, next) => {
    // Routers mounted on overlapping paths run this once each: a request counts once.
    if (res.locals.keyLimited) return next();
    res.locals.keyLimited = true;
    const key = principalOf(res).id;
    const t = now();
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { tokens: limits.burst, at: t, inFlight: 0 }));
    b.tokens = Math.min(limits.burst, b.tokens + ((t - b.at) / 1000) * limits.ratePerSecond);
    b.at = t;
    if (b.inFlight >= limits.maxConcurrent) {
      return next(retryLater(429, 'CONCURRENCY_LIMITED', `this API key has ${b.inFlight} requests being answered (the limit is ${limits.maxConcurrent}); nothing was done, send it again when one has answered`, 1));
    }
    if (b.tokens < 1) {
      const waitS = Math.max(1, Math.ceil((1 - b.tokens) / limits.ratePerSecond));
      return next(retryLater(429, 'RATE_LIMITED', `this API key sends more than ${limits.ratePerSecond} requests per second (burst ${limits.burst}); nothing was done, send it again in ${waitS} s`, waitS));
    }
    b.tokens -= 1;
    b.inFlight += 1;
    const bucket = b;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      bucket.inFlight -= 1;
    };
    res.on('finish', release);
    res.on('close', release);
    next();
  };
}
