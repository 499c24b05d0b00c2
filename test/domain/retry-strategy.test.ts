import { classifyTransient, DEFAULT_RETRY, retryDelayMs, strategyFor, type RetryStrategy } from '../../src/domain/retry-strategy';

const s = (over: Partial<RetryStrategy>): RetryStrategy => ({ strategy: 'exponential', attempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000, multiplier: 2, ...over });

describe('retry delays per strategy', () => {
  it.each([
    { strategy: 'exponential' as const, delays: [1000, 2000, 4000, 8000, null] },
    { strategy: 'linear' as const, delays: [1000, 2000, 3000, 4000, null] },
    { strategy: 'fixed' as const, delays: [1000, 1000, 1000, 1000, null] },
    { strategy: 'immediate' as const, delays: [0, 0, 0, 0, null] },
  ])('when $strategy retries 5 attempts, then the waits after attempts 1..5 are $delays', ({ strategy, delays }) => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(s({ strategy }), a))).toEqual(delays);
  });

  it('when the delay would pass the maximum, then it is capped; one attempt means no retry', () => {
    expect(retryDelayMs(s({ multiplier: 3, maxDelayMs: 5000 }), 3)).toBe(5000); // 9000 capped
    expect(retryDelayMs(s({ strategy: 'linear', maxDelayMs: 2500 }), 4)).toBe(2500);
    expect(retryDelayMs(s({ attempts: 1 }), 1)).toBeNull();
  });
});

describe('transient error classes', () => {
  it.each([
    { errorType: 'NetworkException', message: 'Too many requests', expected: 'rateLimit' },
    { errorType: 'GeneralException', message: 'Internal server error', expected: 'server' },
    { errorType: 'DataException', message: 'Unexpected response', expected: 'server' },
    { errorType: 'NetworkException', message: 'Service unavailable', expected: 'network' },
    { errorType: 'NetworkException', message: 'Gateway timed out', expected: 'network' },
    { errorType: null, message: 'Activity task timed out', expected: 'timeout' },
  ])('when an activity fails with $errorType "$message", then it is a $expected failure', ({ errorType, message, expected }) => {
    expect(classifyTransient(errorType, message)).toBe(expected);
  });

  it('when a class has its own strategy, then it wins over the operation\'s; other classes keep the operation\'s', () => {
    const rateLimit = { strategy: 'fixed' as const, attempts: 10, baseDelayMs: 1000, maxDelayMs: 1000, multiplier: 1 };
    expect(strategyFor(DEFAULT_RETRY, { rateLimit }, 'place', 'NetworkException', 'Too many requests')).toBe(rateLimit);
    expect(strategyFor(DEFAULT_RETRY, { rateLimit }, 'place', 'GeneralException', 'boom')).toBe(DEFAULT_RETRY.place);
    expect(strategyFor(DEFAULT_RETRY, undefined, 'cancel', 'NetworkException', 'Too many requests')).toBe(DEFAULT_RETRY.cancel);
  });
});
