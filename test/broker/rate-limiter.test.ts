import { RateLimitDeadlineError, SlidingWindowRateLimiter } from '../../src/broker/rate-limiter';

/** Largest number of calls that fall inside any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u - t < windowMs).length));
}

describe('the broker rate limiter', () => {
  it('when a burst arrives, then no window ever holds more than its limit, every call runs, and they run in arrival order', async () => {
    const limiter = new SlidingWindowRateLimiter([{ limit: 3, windowMs: 100 }, { limit: 5, windowMs: 400 }]);
    const ran: { i: number; at: number }[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => limiter.schedule(async () => { ran.push({ i, at: Date.now() }); })));
    expect(ran.map((r) => r.i)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // The calls record Date.now() a moment after the limiter decided: allow that 1 ms of clock granularity.
    expect(busiestWindow(ran.map((r) => r.at), 99)).toBeLessThanOrEqual(3);
    expect(busiestWindow(ran.map((r) => r.at), 399)).toBeLessThanOrEqual(5);
  });

  it('when a call\'s turn would come after its deadline, then it is rejected without being made and the queue moves on', async () => {
    const limiter = new SlidingWindowRateLimiter([{ limit: 1, windowMs: 300 }]);
    const made: string[] = [];
    const first = limiter.schedule(async () => { made.push('first'); });
    const late = limiter.schedule(async () => { made.push('late'); }, Date.now() + 50);
    const patient = limiter.schedule(async () => { made.push('patient'); });
    await first;
    await expect(late).rejects.toBeInstanceOf(RateLimitDeadlineError);
    await patient;
    expect(made).toEqual(['first', 'patient']);
  });

  it('when the broker call fails, then the caller gets that error and the slot stays used for a window after the answer', async () => {
    const limiter = new SlidingWindowRateLimiter([{ limit: 1, windowMs: 200 }]);
    let failedAt = 0;
    await expect(limiter.schedule(async () => { failedAt = Date.now(); throw new Error('HTTP 503'); })).rejects.toThrow('HTTP 503');
    const ranAt = await limiter.schedule(async () => Date.now());
    expect(ranAt - failedAt).toBeGreaterThanOrEqual(199); // 1 ms of clock granularity
  });

  it('when a call is slow to answer, then the next waits a whole window after that answer (the broker may have received it late)', async () => {
    const limiter = new SlidingWindowRateLimiter([{ limit: 1, windowMs: 100 }]);
    let answeredAt = 0;
    const slow = limiter.schedule(async () => { await new Promise((r) => setTimeout(r, 150)); answeredAt = Date.now(); });
    const ranAt = await limiter.schedule(async () => Date.now());
    await slow;
    expect(ranAt - answeredAt).toBeGreaterThanOrEqual(99);
  });
});
