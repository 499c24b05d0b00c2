import type { EventsConfig, Subscription } from '../../src/config/events-config';
import { alertEvent, type AlertKind, type AlertSeverity, type OutboxEvent } from '../../src/domain/strategy-events';
import type { OutgoingRequest } from '../../src/services/event-delivery';
import { EventDispatcher, type EventDispatcherDeps } from '../../src/services/event-dispatcher';
import { EventStore, type EventFilter, type StoredEvent } from '../../src/store/event-store';
import type { Db } from '../../src/store/prisma';
import { pollUntil } from '../support/poll';
import { useTestPrisma } from '../support/prisma';

type DispatcherStore = EventDispatcherDeps['store'];
interface Cursor { lastSeq: bigint; owner: string | null; until: number; attempts: number; lastError: string | null }

/** The outbox and the delivery cursors in memory, with the lease rules of EventStore. */
class FakeStore implements DispatcherStore {
  readonly events: StoredEvent[] = [];
  readonly cursors = new Map<string, Cursor>();
  /** Lease attempts refused because another owner held the lease. */
  refusedLeases = 0;

  add(...events: OutboxEvent[]): void {
    for (const e of events) this.events.push({ ...e, seq: BigInt(this.events.length + 1) });
  }

  async lastSeq(): Promise<bigint> {
    return BigInt(this.events.length);
  }

  async readAfter(after: bigint, f: EventFilter, limit: number): Promise<StoredEvent[]> {
    return this.events
      .filter((e) => e.seq > after && (!f.strategyIds || (e.strategyId !== null && f.strategyIds.includes(e.strategyId))) && (!f.types || f.types.includes(e.type)))
      .slice(0, limit);
  }

  async leaseDelivery(subscription: string, owner: string, leaseMs: number, startAfter: bigint): Promise<{ lastSeq: bigint; attempts: number } | null> {
    const c = this.cursors.get(subscription);
    if (!c) {
      this.cursors.set(subscription, { lastSeq: startAfter, owner, until: Date.now() + leaseMs, attempts: 0, lastError: null });
      return { lastSeq: startAfter, attempts: 0 };
    }
    if (c.owner !== null && c.owner !== owner && c.until > Date.now()) {
      this.refusedLeases += 1;
      return null;
    }
    Object.assign(c, { owner, until: Date.now() + leaseMs });
    return { lastSeq: c.lastSeq, attempts: c.attempts };
  }

  async advanceDelivery(subscription: string, owner: string, seq: bigint): Promise<boolean> {
    const c = this.cursors.get(subscription);
    if (!c || c.owner !== owner || c.lastSeq >= seq) return false;
    Object.assign(c, { lastSeq: seq, attempts: 0, lastError: null });
    return true;
  }

  async recordDeliveryFailure(subscription: string, owner: string, error: string): Promise<void> {
    const c = this.cursors.get(subscription);
    if (c && c.owner === owner) Object.assign(c, { attempts: c.attempts + 1, lastError: error });
  }

  async releaseDelivery(subscription: string, owner: string): Promise<void> {
    const c = this.cursors.get(subscription);
    if (c && c.owner === owner) Object.assign(c, { owner: null, until: 0 });
  }
}

/** A tail the test rings by hand (the real one rings on NOTIFY and on its safety timer). */
class ManualTail {
  private readonly wakes = new Set<() => void>();
  subscribe(wake: () => void): () => void {
    this.wakes.add(wake);
    return () => this.wakes.delete(wake);
  }
  ring(): void {
    for (const w of this.wakes) w();
  }
}

interface Attempt { id: string; at: number; accepted: boolean }

/** A receiver in memory: refuses the ids in `failures` that many times, records every attempt and its concurrency. */
function fakeReceiver(failures: Record<string, number> = {}, delayMs = 2) {
  const attempts: Attempt[] = [];
  const left = { ...failures };
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (req: OutgoingRequest): Promise<void> => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, delayMs));
    inFlight -= 1;
    const id = req.headers['x-oms-event-id'];
    const fail = (left[id] ?? 0) > 0;
    if (fail) left[id] -= 1;
    attempts.push({ id, at: Date.now(), accepted: !fail });
    if (fail) throw new Error('the receiver answered HTTP 500');
  };
  return { send, attempts, accepted: () => attempts.filter((a) => a.accepted).map((a) => a.id), maxInFlight: () => maxInFlight };
}

const hook: Subscription = {
  name: 'webhook:s1-hook', kind: 'webhook', format: 'generic', url: 'http://receiver.invalid/hook', secret: 'whsec', strategyIds: ['s1'],
  types: ['ORDER_STATUS', 'ORDER_FILL', 'POSITION', 'INTERVENTION'], minSeverity: 'info',
};
const config = (subscriptions: Subscription[], retryInitialMs = 20, retryMaxMs = 80): EventsConfig => ({ subscriptions, delivery: { timeoutMs: 1_000, retryInitialMs, retryMaxMs } });

let n = 0;
const statusEvent = (strategyId = 's1'): OutboxEvent => {
  n += 1;
  return { key: `order:o-${n}:1`, type: 'ORDER_STATUS', strategyId, account: 'ZX1234', orderId: `o-${n}`, payload: { status: 'PENDING', previousStatus: 'RECEIVED' }, occurredAt: '2026-11-24T04:00:00.000Z' };
};
const alert = (kind: AlertKind, severity: AlertSeverity): OutboxEvent => {
  n += 1;
  return alertEvent({ kind, severity, message: `${kind} ${n}`, account: 'ZX1234', occurrence: `occ-${n}`, at: '2026-11-24T04:00:00.000Z' });
};

const dispatchers: EventDispatcher[] = [];
function startDispatcher(deps: Omit<EventDispatcherDeps, 'log'>): { dispatcher: EventDispatcher; logs: string[] } {
  const logs: string[] = [];
  const dispatcher = new EventDispatcher({ ...deps, log: (l) => logs.push(l) });
  dispatchers.push(dispatcher);
  dispatcher.start();
  return { dispatcher, logs };
}
afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
});

const until = <T>(read: () => T, wanted: (v: T) => boolean, what: string) => pollUntil(async () => read(), wanted, { intervalMs: 10, attempts: 1_000, what });

describe('EventDispatcher (in-memory store)', () => {
  it('when a subscription is new, then it starts at the tail: events already in the outbox are not sent', async () => {
    const store = new FakeStore();
    store.add(statusEvent(), statusEvent());
    const tail = new ManualTail();
    const rx = fakeReceiver();
    startDispatcher({ store, tail, config: config([hook]), send: rx.send });
    await until(() => store.cursors.get(hook.name), (c) => c !== undefined, 'the subscription never got a cursor');
    store.add(statusEvent());
    tail.ring();
    await until(() => rx.accepted(), (a) => a.length === 1, 'the new event was never delivered');
    expect(rx.accepted()).toEqual(['3']);
  });

  it('when events commit, then they are delivered in seq order, one at a time, only the subscribed strategy\'s, and the cursor follows', async () => {
    const store = new FakeStore();
    store.cursors.set(hook.name, { lastSeq: 0n, owner: null, until: 0, attempts: 0, lastError: null });
    const tail = new ManualTail();
    const rx = fakeReceiver({}, 5);
    startDispatcher({ store, tail, config: config([hook]), send: rx.send });
    for (let i = 0; i < 12; i++) store.add(statusEvent(i % 4 === 3 ? 's2' : 's1'));
    tail.ring();
    const s1Ids = store.events.filter((e) => e.strategyId === 's1').map((e) => e.seq.toString());
    await until(() => rx.accepted(), (a) => a.length === s1Ids.length, 'not every event was delivered');
    expect(rx.accepted()).toEqual(s1Ids);
    expect(rx.maxInFlight()).toBe(1);
    await until(() => store.cursors.get(hook.name)!.lastSeq, (s) => s === BigInt(s1Ids[s1Ids.length - 1]), 'the cursor never reached the last delivered event');
  });

  it('when the receiver fails, then later events wait, the failing one is retried with doubling backoff, and after success each is delivered exactly once', async () => {
    const store = new FakeStore();
    store.cursors.set(hook.name, { lastSeq: 0n, owner: null, until: 0, attempts: 0, lastError: null });
    const tail = new ManualTail();
    const rx = fakeReceiver({ 2: 3 });
    const { logs } = startDispatcher({ store, tail, config: config([hook], 40, 1_000), send: rx.send });
    store.add(statusEvent(), statusEvent(), statusEvent(), statusEvent());
    tail.ring();
    await until(() => rx.accepted(), (a) => a.length === 4, 'not every event was delivered after the receiver recovered');

    // Event 2 failed three times; 3 and 4 were never tried before 2 was accepted.
    expect(rx.attempts.map((a) => `${a.id}${a.accepted ? '' : '!'}`)).toEqual(['1', '2!', '2!', '2!', '2', '3', '4']);
    expect(rx.accepted()).toEqual(['1', '2', '3', '4']);
    // The waits before the retries double from retryInitialMs: 40, 80, 160 ms at least (timers never fire early by more than a tick).
    const tries = rx.attempts.filter((a) => a.id === '2').map((a) => a.at);
    const gaps = tries.slice(1).map((t, i) => t - tries[i]);
    [40, 80, 160].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 5));
    expect(logs.filter((l) => l.includes('event 2 not delivered'))).toHaveLength(3);
    await until(() => store.cursors.get(hook.name)!, (c) => c.lastSeq === 4n, 'the cursor never reached 4');
    expect(store.cursors.get(hook.name)).toMatchObject({ attempts: 0, lastError: null });
  });

  it('when a delivery fails, then the failure and its reason are stored on the cursor until it succeeds', async () => {
    const store = new FakeStore();
    store.cursors.set(hook.name, { lastSeq: 0n, owner: null, until: 0, attempts: 0, lastError: null });
    const tail = new ManualTail();
    const rx = fakeReceiver({ 1: 1_000 });
    startDispatcher({ store, tail, config: config([hook], 10, 20), send: rx.send });
    store.add(statusEvent());
    tail.ring();
    const c = await until(() => store.cursors.get(hook.name)!, (x) => x.attempts >= 2, 'failures were not recorded');
    expect(c.lastSeq).toBe(0n);
    expect(c.lastError).toBe('event 1: the receiver answered HTTP 500');
  });

  it('when an alert channel does not want some alerts (kinds, minSeverity), then they are skipped and the cursor moves past them', async () => {
    const channel: Subscription = { name: 'alert:tg', kind: 'alert', format: 'telegram', chatId: 1, url: 'http://receiver.invalid/bot/sendMessage', secret: null, types: ['ALERT'], kinds: ['KILL_SWITCH_ENGAGED', 'TOKEN_EXPIRED'], minSeverity: 'warning' };
    const store = new FakeStore();
    store.cursors.set(channel.name, { lastSeq: 0n, owner: null, until: 0, attempts: 0, lastError: null });
    const tail = new ManualTail();
    const rx = fakeReceiver();
    startDispatcher({ store, tail, config: config([channel]), send: rx.send });
    store.add(
      alert('MANUAL_REVIEW', 'critical'), // kind not listed
      alert('KILL_SWITCH_ENGAGED', 'critical'),
      statusEvent(), // not an alert: not even read for this channel
      alert('KILL_SWITCH_RELEASED', 'info'), // kind not listed
      alert('TOKEN_EXPIRED', 'info'), // below minSeverity
      alert('TOKEN_EXPIRED', 'warning'),
      alert('RECONCILIATION_FINDING', 'warning'), // kind not listed
    );
    tail.ring();
    await until(() => store.cursors.get(channel.name)!.lastSeq, (s) => s === 7n, 'the cursor never moved past the skipped alerts');
    expect(rx.accepted()).toEqual(['2', '6']);
    expect(rx.attempts).toHaveLength(2);
  });

  it('when another process takes the lease over, then this dispatcher stops delivering and leaves the cursor to the new owner', async () => {
    const store = new FakeStore();
    store.cursors.set(hook.name, { lastSeq: 0n, owner: null, until: 0, attempts: 0, lastError: null });
    const tail = new ManualTail();
    let stolen = false;
    const rx = fakeReceiver();
    const send = async (req: OutgoingRequest) => {
      await rx.send(req);
      if (!stolen) {
        // While the first event is on the wire, the lease passes to another process.
        stolen = true;
        Object.assign(store.cursors.get(hook.name)!, { owner: 'other-process', until: Date.now() + 60_000 });
      }
    };
    startDispatcher({ store, tail, config: config([hook]), send, leaseMs: 200 });
    store.add(statusEvent(), statusEvent(), statusEvent());
    tail.ring();
    await until(() => store.refusedLeases, (r) => r >= 2, 'the dispatcher never tried to lease again');
    expect(rx.attempts.map((a) => a.id)).toEqual(['1']);
    expect(store.cursors.get(hook.name)).toMatchObject({ owner: 'other-process', lastSeq: 0n });
  });

  it('when the dispatcher stops, then it releases its leases so another process takes over at once', async () => {
    const store = new FakeStore();
    const tail = new ManualTail();
    const { dispatcher } = startDispatcher({ store, tail, config: config([hook]), send: fakeReceiver().send });
    await until(() => store.cursors.get(hook.name), (c) => c?.owner != null, 'the dispatcher never leased its subscription');
    await dispatcher.stop();
    expect(store.cursors.get(hook.name)!.owner).toBeNull();
  });
});

describe('EventDispatcher on the real EventStore (Postgres)', () => {
  let db: Db;
  useTestPrisma((p) => { db = p; }, 6);

  it('when two processes run dispatchers for the same subscription and the holder stops midway, then each event is delivered once overall, in order', async () => {
    const store = new EventStore(db);
    const tail = new ManualTail();
    const rx = fakeReceiver({}, 1);
    const first = startDispatcher({ store, tail, config: config([hook]), send: rx.send, leaseMs: 300 }).dispatcher;
    await pollUntil(() => store.listDeliveries(), (d) => d.length === 1 && d[0].leaseOwner !== null, { intervalMs: 20, what: 'the first dispatcher never leased the subscription' });
    const firstOwner = (await store.listDeliveries())[0].leaseOwner;
    startDispatcher({ store, tail, config: config([hook]), send: rx.send, leaseMs: 300 });

    const appendBatches = async (count: number) => {
      for (let batch = 0; batch < count; batch++) {
        await store.append([statusEvent(), statusEvent(), statusEvent('s2'), statusEvent()]);
        tail.ring();
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const s1Events = async () => (await store.readAfter(0n, { strategyIds: ['s1'] }, 1_000)).map((e) => e.seq.toString());

    await appendBatches(3);
    await until(() => rx.accepted().length, (c) => c === 9, 'the first half was not delivered');
    // The holder shuts down (a deploy): the other process takes the subscription over from the stored cursor.
    await first.stop();
    await appendBatches(3);
    const expected = await s1Events();
    expect(expected).toHaveLength(18);
    await until(() => rx.accepted().length, (c) => c >= expected.length, 'the second half was not delivered after the takeover');
    // Both keep running a while longer in a real process: nothing may arrive a second time.
    await new Promise((r) => setTimeout(r, 700));
    expect(rx.accepted()).toEqual(expected);
    expect(rx.maxInFlight()).toBe(1);
    const [cursor] = await store.listDeliveries();
    expect(cursor).toMatchObject({ subscription: hook.name, lastSeq: BigInt(expected[expected.length - 1]), attempts: 0 });
    expect(cursor.leaseOwner).not.toBe(firstOwner);
  });
});
