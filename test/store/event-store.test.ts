import type { OutboxEvent, StrategyEventType } from '../../src/domain/strategy-events';
import { appendEvents, EventStore } from '../../src/store/event-store';
import type { Db } from '../../src/store/prisma';
import { useTestPrisma } from '../support/prisma';

let prisma: Db;
let store: EventStore;
useTestPrisma((p) => { prisma = p; store = new EventStore(p); }, 24);

const event = (key: string, overrides: Partial<OutboxEvent> = {}): OutboxEvent => ({
  key, type: 'ORDER_STATUS', strategyId: 's1', account: 'ZX1234', orderId: `order-${key}`,
  payload: { status: 'PENDING', previousStatus: 'RECEIVED', averagePrice: '100.0500' }, occurredAt: '2026-11-24T04:00:00.000Z', ...overrides,
});
const keysOf = (events: { key: string }[]) => events.map((e) => e.key);

describe('EventStore (real Postgres)', () => {
  it('when an event is appended, then it is read back as written with a seq cursor', async () => {
    const from = await store.lastSeq();
    await store.append([event('rt-1', { payload: { nested: { price: '1.05' }, list: [1, 2] } })]);
    const [e] = await store.readAfter(from, {}, 10);
    expect(e).toEqual({ ...event('rt-1', { payload: { nested: { price: '1.05' }, list: [1, 2] } }), seq: from + 1n });
    expect(await store.lastSeq()).toBe(e.seq);
  });

  it('when the same keys are appended again (a replayed save), then nothing is added and the first version stays', async () => {
    const from = await store.lastSeq();
    await store.append([event('idem-1'), event('idem-2')]);
    await store.append([event('idem-2', { payload: { status: 'CHANGED' } }), event('idem-1'), event('idem-3')]);
    await prisma.$transaction((tx) => appendEvents(tx, [event('idem-3'), event('idem-1')]));
    const read = await store.readAfter(from, {}, 100);
    expect(keysOf(read)).toEqual(['idem-1', 'idem-2', 'idem-3']);
    expect(read[1].payload).toMatchObject({ status: 'PENDING' });
  });

  it('when events are appended inside a transaction that rolls back, then none of them is visible', async () => {
    const from = await store.lastSeq();
    await expect(prisma.$transaction(async (tx) => {
      await appendEvents(tx, [event('rollback-1')]);
      throw new Error('the state write failed');
    })).rejects.toThrow('the state write failed');
    expect(keysOf(await store.readAfter(from, {}, 100))).not.toContain('rollback-1');
  });

  describe('readAfter filters', () => {
    let from: bigint;
    beforeAll(async () => {
      from = await store.lastSeq();
      await store.append([
        event('f-1', { strategyId: 's1', type: 'ORDER_STATUS' }),
        event('f-2', { strategyId: 's2', type: 'ORDER_FILL' }),
        event('f-3', { strategyId: null, type: 'ALERT', orderId: null }),
        event('f-4', { strategyId: 's1', type: 'POSITION' }),
        event('f-5', { strategyId: 's3', type: 'ORDER_STATUS' }),
        event('f-6', { strategyId: 's2', type: 'INTERVENTION' }),
      ]);
    });

    it.each<{ title: string; filter: { strategyIds?: string[]; types?: StrategyEventType[] }; keys: string[] }>([
      { title: 'no filter (an operator)', filter: {}, keys: ['f-1', 'f-2', 'f-3', 'f-4', 'f-5', 'f-6'] },
      { title: 'one strategy', filter: { strategyIds: ['s1'] }, keys: ['f-1', 'f-4'] },
      { title: 'two strategies (alerts, which have none, are never among them)', filter: { strategyIds: ['s1', 's2'] }, keys: ['f-1', 'f-2', 'f-4', 'f-6'] },
      { title: 'types', filter: { types: ['ORDER_STATUS', 'ALERT'] }, keys: ['f-1', 'f-3', 'f-5'] },
      { title: 'strategies and types', filter: { strategyIds: ['s2'], types: ['INTERVENTION'] }, keys: ['f-6'] },
      { title: 'a strategy without events', filter: { strategyIds: ['nobody'] }, keys: [] },
    ])('when reading with $title, then exactly those events come, oldest first', async ({ filter, keys }) => {
      const read = await store.readAfter(from, filter, 100);
      expect(keysOf(read)).toEqual(keys);
      expect(read.every((e, i) => i === 0 || e.seq > read[i - 1].seq)).toBe(true);
    });

    it('when reading with a limit and the last seq as the next cursor, then pages join up without a gap or an overlap', async () => {
      const pages: string[][] = [];
      let cursor = from;
      for (let i = 0; i < 10; i++) {
        const page = await store.readAfter(cursor, {}, 4);
        if (page.length === 0) break;
        pages.push(keysOf(page));
        cursor = page[page.length - 1].seq;
      }
      expect(pages).toEqual([['f-1', 'f-2', 'f-3', 'f-4'], ['f-5', 'f-6']]);
    });
  });

  it('when 20 transactions append concurrently while a reader follows with a cursor, then the reader sees every committed event exactly once', async () => {
    const writers = 20;
    const perWriter = 3;
    const start = await store.lastSeq();
    const seen: string[] = [];
    let writing = true;
    // The reader reads as a stream client does: from its cursor, as fast as it can, while the writers commit.
    const reader = (async () => {
      let cursor = start;
      for (;;) {
        const done = !writing; // read once more after the last commit
        const page = await store.readAfter(cursor, {}, 7);
        for (const e of page) seen.push(e.key);
        if (page.length) cursor = page[page.length - 1].seq;
        else if (done) return;
      }
    })();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all(Array.from({ length: writers }, (_, w) => prisma.$transaction(async (tx) => {
      // The state write of a save (rows locked, work done) before the events: commits land in a random order.
      await tx.$executeRaw`SELECT pg_sleep(${Math.random() * 0.03})`;
      await sleep(Math.random() * 20);
      await appendEvents(tx, Array.from({ length: perWriter }, (__, i) => event(`conc-${w}-${i}`)));
      await sleep(Math.random() * 20); // commit comes later still: the lock is held until then
    }, { maxWait: 30_000, timeout: 30_000 })));
    writing = false;
    await reader;

    const expected = Array.from({ length: writers }, (_, w) => Array.from({ length: perWriter }, (__, i) => `conc-${w}-${i}`)).flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...expected].sort());
    // What the reader saw is the table's seq order, and each transaction's events are contiguous in it.
    expect(seen).toEqual(keysOf(await store.readAfter(start, {}, 1_000)));
    for (let w = 0; w < writers; w++) {
      const at = seen.indexOf(`conc-${w}-0`);
      expect(seen.slice(at, at + perWriter)).toEqual([`conc-${w}-0`, `conc-${w}-1`, `conc-${w}-2`]);
    }
  });
});
