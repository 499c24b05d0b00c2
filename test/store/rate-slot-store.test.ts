import { RateLimitDeadlineError } from '../../src/broker/rate-limiter';
import { SharedRateLimiter } from '../../src/broker/shared-rate-limiter';
import type { Db } from '../../src/store/prisma';
import { RateSlotStore } from '../../src/store/rate-slot-store';
import { useTestPrisma } from '../support/prisma';

let prisma: Db;
let slots: RateSlotStore;
let n = 0;

useTestPrisma((p) => { prisma = p; slots = new RateSlotStore(p); });

/** Largest number of calls that fall inside any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u - t < windowMs).length));
}

const account = () => `acct-${++n}`;

describe('the broker rate limit shared through Postgres', () => {
  it('when two processes send a burst for one account, then together they never exceed a window\'s limit and every call runs', async () => {
    const acct = account();
    const windows = [{ limit: 3, windowMs: 300 }];
    // Two limiters on one ledger: what two worker processes of the account have.
    const a = new SharedRateLimiter(slots, { account: acct, windows, leaseMs: 10_000, pollMs: 5 });
    const b = new SharedRateLimiter(new RateSlotStore(prisma), { account: acct, windows, leaseMs: 10_000, pollMs: 5 });
    const sentAt: number[] = [];
    const call = async () => { sentAt.push(Date.now()); };
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).schedule(call)));
    expect(sentAt).toHaveLength(12);
    expect(busiestWindow(sentAt, 299)).toBeLessThanOrEqual(3); // 1 ms of clock granularity
  });

  it('when another account sends, then it has its own limit', async () => {
    const windows = [{ limit: 1, windowMs: 60_000 }];
    expect(await slots.take(account(), windows, 10_000)).toHaveProperty('slotId');
    expect(await slots.take(account(), windows, 10_000)).toHaveProperty('slotId');
  });

  it('when a request was sent and never answered (its process died), then its slot is held until the lease ends, and a window after', async () => {
    const acct = account();
    const windows = [{ limit: 1, windowMs: 200 }];
    const taken = await slots.take(acct, windows, 400);
    expect(taken).toHaveProperty('slotId');
    // Unanswered and inside its lease: how long is unknown (infinite) until it answers or the lease ends.
    expect(await slots.take(acct, windows, 400)).toEqual({ waitMs: Number.POSITIVE_INFINITY });
    await new Promise((r) => setTimeout(r, 450));
    const offer = await slots.take(acct, windows, 400);
    expect(offer).toHaveProperty('waitMs');
    expect((offer as { waitMs: number }).waitMs).toBeGreaterThan(0);
    expect((offer as { waitMs: number }).waitMs).toBeLessThanOrEqual(200);
    await new Promise((r) => setTimeout(r, 250));
    expect(await slots.take(acct, windows, 400)).toHaveProperty('slotId');
  });

  it('when a call\'s known wait passes its deadline, then it is refused at once without being sent', async () => {
    const acct = account();
    const limiter = new SharedRateLimiter(slots, { account: acct, windows: [{ limit: 1, windowMs: 5_000 }], leaseMs: 10_000 });
    await limiter.schedule(async () => undefined);
    const sent: string[] = [];
    const t0 = Date.now();
    await expect(limiter.schedule(async () => { sent.push('late'); }, Date.now() + 1_000)).rejects.toBeInstanceOf(RateLimitDeadlineError);
    expect(Date.now() - t0).toBeLessThan(1_000); // refused early, not at the deadline
    expect(sent).toEqual([]);
  });

  it('when the ledger cannot be asked (the database is down), then the call fails without being sent and the next is served', async () => {
    const down = { take: async () => { throw new Error('connection refused'); }, answered: async () => undefined };
    const limiter = new SharedRateLimiter(down, { account: account(), windows: [{ limit: 10, windowMs: 1000 }], leaseMs: 10_000 });
    const sent: string[] = [];
    await expect(limiter.schedule(async () => { sent.push('x'); })).rejects.toThrow('connection refused');
    await expect(limiter.schedule(async () => { sent.push('y'); })).rejects.toThrow('connection refused');
    expect(sent).toEqual([]);
  });

  it('when old requests are outside every window and lease, then their rows are deleted as new slots are taken', async () => {
    const acct = account();
    const windows = [{ limit: 100, windowMs: 50 }];
    for (let i = 0; i < 3; i++) await slots.answered(((await slots.take(acct, windows, 50)) as { slotId: string }).slotId);
    await new Promise((r) => setTimeout(r, 150));
    await slots.take(acct, windows, 50);
    const rows = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM broker_rate_slots WHERE account = ${acct}`;
    expect(rows[0].n).toBe(1);
  });
});
