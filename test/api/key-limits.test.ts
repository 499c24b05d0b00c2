import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { keyLimits } from '../../src/api/key-limits';
import { AppError } from '../../src/services/app-errors';

/** A response as the middleware sees it: the principal in locals, and finish/close events. */
function response(key: string): Response & EventEmitter {
  const res = new EventEmitter() as Response & EventEmitter;
  (res as unknown as { locals: Record<string, unknown> }).locals = { principal: { id: key, role: 'strategy', strategies: 'all' } };
  return res;
}

function pass(mw: ReturnType<typeof keyLimits>, res: Response): AppError | null {
  let outcome: AppError | null | undefined;
  mw({} as Request, res, ((err?: unknown) => { outcome = (err as AppError) ?? null; }) as NextFunction);
  return outcome ?? null;
}

describe('per-key rate and concurrency limits', () => {
  it('when a key sends more than its burst at once, then the rest get 429 RATE_LIMITED with a Retry-After, and another key is not affected', () => {
    let now = 0;
    const mw = keyLimits({ ratePerSecond: 2, burst: 3, maxConcurrent: 100, now: () => now });
    const outcomes = Array.from({ length: 5 }, () => pass(mw, response('a')));
    expect(outcomes.map((o) => o?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(outcomes[3]).toMatchObject({ status: 429, retryAfterSeconds: 1 });
    expect(pass(mw, response('b'))).toBeNull();
    now = 1000; // two more tokens a second later
    expect([pass(mw, response('a')), pass(mw, response('a')), pass(mw, response('a'))].map((o) => o?.code ?? 'ok')).toEqual(['ok', 'ok', 'RATE_LIMITED']);
  });

  it('when a key has its maximum of requests being answered, then one more is 429 CONCURRENCY_LIMITED until one answers', () => {
    const mw = keyLimits({ ratePerSecond: 1000, burst: 1000, maxConcurrent: 2, now: () => 0 });
    const first = response('a');
    expect(pass(mw, first)).toBeNull();
    expect(pass(mw, response('a'))).toBeNull();
    expect(pass(mw, response('a'))).toMatchObject({ code: 'CONCURRENCY_LIMITED', status: 429 });
    first.emit('finish');
    first.emit('close'); // both fire for one answer: it is released once
    expect(pass(mw, response('a'))).toBeNull();
    expect(pass(mw, response('a'))).toMatchObject({ code: 'CONCURRENCY_LIMITED' });
  });

  it('when routers on overlapping paths run the limit twice for one request, then it counts once', () => {
    const mw = keyLimits({ ratePerSecond: 1, burst: 1, maxConcurrent: 10, now: () => 0 });
    const res = response('a');
    expect(pass(mw, res)).toBeNull();
    expect(pass(mw, res)).toBeNull();
    expect(pass(mw, response('a'))).toMatchObject({ code: 'RATE_LIMITED' });
  });
});
