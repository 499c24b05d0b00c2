import { randomUUID } from 'node:crypto';
import type { EventsConfig, Subscription } from '../config/events-config';
import type { EventStore } from '../store/event-store';
import { requestFor, send, wants, type OutgoingRequest } from './event-delivery';
import { messageOf } from './event-stream';

export interface EventDispatcherDeps {
  store: Pick<EventStore, 'leaseDelivery' | 'readAfter' | 'advanceDelivery' | 'recordDeliveryFailure' | 'releaseDelivery' | 'lastSeq'>;
  tail: { subscribe(wake: () => void): () => void };
  config: EventsConfig;
  log: (line: string) => void;
  /** The HTTP call (tests may watch it); resolves on 2xx. */
  send?: (req: OutgoingRequest, timeoutMs: number) => Promise<void>;
  /** How long a process holds a subscription before another may take it over (renewed while it works). */
  leaseMs?: number;
}

/**
 * Delivers the outbox to the strategy webhooks and alert channels of config/events.json: at least once, in order,
 * one event at a time per subscription, retried with doubling backoff until the receiver answers 2xx. Every process
 * runs one; a lease in Postgres lets one of them deliver each subscription, and the cursor there survives restarts
 * (an event accepted just before a crash may be sent again: receivers de-duplicate by `X-OMS-Event-Id`).
 */
export class EventDispatcher {
  private readonly owner = `dispatcher-${randomUUID()}`;
  private readonly loops: Promise<void>[] = [];
  private readonly waiters = new Set<{ wakeable: boolean; done: () => void }>();
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: EventDispatcherDeps) {}

  start(): void {
    if (this.deps.config.subscriptions.length === 0) return;
    this.unsubscribe = this.deps.tail.subscribe(() => this.wakeAll());
    for (const sub of this.deps.config.subscriptions) this.loops.push(this.run(sub));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wakeAll();
    await Promise.all(this.loops);
    await Promise.all(this.deps.config.subscriptions.map((s) => this.deps.store.releaseDelivery(s.name, this.owner).catch(() => undefined)));
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) if (w.wakeable || this.stopped) w.done();
  }

  /** Sleeps up to `ms`, or until an event commits (or the dispatcher stops) when `wakeable`. */
  private pause(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        wakeable,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, ms);
      this.waiters.add(waiter);
    });
  }

  private async run(sub: Subscription): Promise<void> {
    const leaseMs = this.deps.leaseMs ?? 30_000;
    const { delivery } = this.deps.config;
    let startAfter: bigint | null = null;
    while (!this.stopped) {
      try {
        startAfter ??= await this.deps.store.lastSeq();
        const lease = await this.deps.store.leaseDelivery(sub.name, this.owner, leaseMs, startAfter);
        if (!lease) {
          await this.pause(leaseMs / 2, false);
          continue;
        }
        const events = await this.deps.store.readAfter(lease.lastSeq, { strategyIds: sub.strategyIds, types: sub.types }, 50);
        if (events.length === 0) {
          await this.pause(leaseMs / 3, true);
          continue;
        }
        const failedAt = await this.deliver(sub, events.map(messageOf), delivery.timeoutMs, leaseMs);
        if (failedAt !== null) {
          const backoff = Math.min(delivery.retryInitialMs * 2 ** Math.min(lease.attempts, 20), delivery.retryMaxMs);
          await this.pause(backoff, false);
        }
      } catch (err) {
        this.deps.log(`events: ${sub.name}: ${(err as Error).message}; trying again in 1 s`);
        await this.pause(1_000, false);
      }
    }
  }

  /** Sends in order until one fails; answers the failed event's id, or null when all were accepted. */
  private async deliver(sub: Subscription, messages: ReturnType<typeof messageOf>[], timeoutMs: number, leaseMs: number): Promise<string | null> {
    const sendOne = this.deps.send ?? send;
    let leasedAt = Date.now();
    for (const m of messages) {
      if (this.stopped) return null;
      // Never send on a lease another process may have taken: renewed well before it can lapse (a slow receiver).
      if (Date.now() - leasedAt > leaseMs / 3) {
        if (!(await this.deps.store.leaseDelivery(sub.name, this.owner, leaseMs, BigInt(m.id) - 1n))) return null;
        leasedAt = Date.now();
      }
      if (wants(sub, m)) {
        try {
          await sendOne(requestFor(sub, m, Date.now()), timeoutMs);
        } catch (err) {
          const why = (err as Error).message;
          await this.deps.store.recordDeliveryFailure(sub.name, this.owner, `event ${m.id}: ${why}`);
          this.deps.log(`events: ${sub.name}: event ${m.id} not delivered (${why}); it is sent again after a backoff, later events wait for it`);
          return m.id;
        }
      }
      // Lost the lease meanwhile: the new holder goes on from the stored cursor.
      if (!(await this.deps.store.advanceDelivery(sub.name, this.owner, BigInt(m.id)))) return null;
    }
    return null;
  }
}
