import { Context } from '@temporalio/activity';
import { admitOrderWith, type OrderActivities } from '../../src/activities/create-activities';
import type { AuditEvent, OrderState } from '../../src/domain/order-state';
import type { BrokerOrderSnapshot, Fill } from '../../src/domain/order-types';
import { STUB_INSTRUMENT } from './order-stubs';

/**
 * A fake broker that outlives workers: each worker gets its own activities, all of them talking to this one order
 * book, the way two worker processes share one real broker. It answers like Kite where a retry could show it: a
 * modify or cancel of an order that is no longer working is refused ({ok:false}), not silently applied.
 */
export class FakeBroker {
  ltpPaise: number;
  readonly placed: { brokerOrderId: string; tag: string }[] = [];
  /** Every modify request the broker received, applied or refused. */
  readonly modifyRequests: { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: string }[] = [];
  cancelRequests = 0;
  order: BrokerOrderSnapshot | null = null;
  /** Called on every order read with the read's number (1-based): a place to script fills. */
  onFetch: (n: number, broker: FakeBroker) => void = () => undefined;
  private fetches = 0;
  private tradeSeq = 0;

  constructor(ltpPaise: number) {
    this.ltpPaise = ltpPaise;
  }

  place(tag: string, quantity: number, pricePaise: number | null, orderType: string): string {
    const brokerOrderId = `FB-${this.placed.length + 1}`;
    this.placed.push({ brokerOrderId, tag });
    this.order = {
      brokerOrderId, status: 'OPEN', statusMessage: null, quantity, filledQuantity: 0, pendingQuantity: quantity, cancelledQuantity: 0,
      averagePricePaise: 0, pricePaise, triggerPricePaise: null, orderType, trades: [],
    };
    return brokerOrderId;
  }

  fill(quantity: number, pricePaise: number): void {
    const o = this.mustHave();
    const trade: Fill = { tradeId: `FT-${++this.tradeSeq}`, quantity, pricePaise, executedAt: '2026-11-24T04:00:01.000Z' };
    const trades = [...o.trades, trade];
    const filled = o.filledQuantity + quantity;
    const averagePricePaise = Math.round(trades.reduce((s, t) => s + t.quantity * t.pricePaise, 0) / filled);
    this.order = { ...o, trades, filledQuantity: filled, pendingQuantity: o.quantity - filled, averagePricePaise, status: filled === o.quantity ? 'COMPLETE' : o.status };
  }

  modify(changes: FakeBroker['modifyRequests'][number]): { ok: boolean; message: string } {
    this.modifyRequests.push({ ...changes });
    const o = this.mustHave();
    if (o.status !== 'OPEN') return { ok: false, message: `OrderException: Order cannot be modified as it is already ${o.status.toLowerCase()}.` };
    this.order = { ...o, pricePaise: changes.pricePaise ?? o.pricePaise, orderType: changes.orderType ?? o.orderType };
    // A MARKET order takes the rest at the touch at once.
    if (changes.orderType === 'MARKET') this.fill(o.pendingQuantity, this.ltpPaise);
    return { ok: true, message: 'accepted' };
  }

  cancel(): { ok: boolean; message: string } {
    this.cancelRequests++;
    const o = this.mustHave();
    if (o.status !== 'OPEN') return { ok: false, message: `OrderException: Order cannot be cancelled as it is already ${o.status.toLowerCase()}.` };
    this.order = { ...o, status: 'CANCELLED', cancelledQuantity: o.pendingQuantity, pendingQuantity: 0 };
    return { ok: true, message: 'accepted' };
  }

  read(): BrokerOrderSnapshot {
    this.onFetch(++this.fetches, this);
    return { ...this.mustHave() };
  }

  private mustHave(): BrokerOrderSnapshot {
    if (!this.order) throw new Error('no order at the fake broker');
    return this.order;
  }
}

/** Where a held broker call stops: before the request leaves the worker, or after the broker has applied it. */
export type HoldPoint = 'before-broker' | 'after-broker';
export interface Hold {
  activity: 'modifyBrokerOrder' | 'cancelBrokerOrder';
  /** Which call of that activity on this worker (1-based) is held. */
  call: number;
  at: HoldPoint;
}

/** What the store received, shared by all workers (the database outlives them too). */
export interface SavedProgress {
  state: OrderState;
  events: AuditEvent[];
}

/**
 * Activities of one worker over the shared fake broker and store. The held call never answers: it waits until the
 * worker is shut down under it (its cancellation), as a call in flight in a dying worker process would.
 */
export function workerActivities(broker: FakeBroker, saves: SavedProgress[], hold?: Hold) {
  let reachedHold!: () => void;
  const held = new Promise<void>((resolve) => { reachedHold = resolve; });
  const calls = { modifyBrokerOrder: 0, cancelBrokerOrder: 0 };
  const dieHere = async (): Promise<never> => {
    reachedHold();
    await Context.current().cancelled; // rejects when the worker shuts down
    throw new Error('unreachable: the worker shut down under the held call');
  };
  const maybeHold = async (activity: Hold['activity'], at: HoldPoint) => {
    if (hold && hold.activity === activity && hold.at === at && calls[activity] === hold.call) await dieHere();
  };
  const activities: OrderActivities = {
    admitOrder: (args) => admitOrderWith(activities.lookupInstrument, activities.assessOrderRisk)(args),
    async lookupInstrument() { return STUB_INSTRUMENT; },
    async assessOrderRisk(args) { return { ...args.basic, flags: [], configVersion: 'stub' }; },
    async assessModificationRisk(args) { return { ...args.basic, flags: [], configVersion: 'stub' }; },
    async getLastPrice() { return broker.ltpPaise; },
    async submitOrderToBroker(args) {
      const found = broker.placed.find((p) => p.tag === args.tag);
      if (found) return { brokerOrderId: found.brokerOrderId, recovered: true };
      return { brokerOrderId: broker.place(args.tag, args.request.quantity, args.request.pricePaise ?? null, args.request.orderType), recovered: false };
    },
    async findBrokerOrderByTag(args) {
      const found = broker.placed.find((p) => p.tag === args.tag);
      return found ? { brokerOrderId: found.brokerOrderId, status: broker.read().status } : null;
    },
    async fetchBrokerOrder() { return broker.read(); },
    async modifyBrokerOrder(args) {
      calls.modifyBrokerOrder++;
      await maybeHold('modifyBrokerOrder', 'before-broker');
      const answer = broker.modify(args.changes);
      await maybeHold('modifyBrokerOrder', 'after-broker');
      return answer;
    },
    async cancelBrokerOrder() {
      calls.cancelBrokerOrder++;
      await maybeHold('cancelBrokerOrder', 'before-broker');
      const answer = broker.cancel();
      await maybeHold('cancelBrokerOrder', 'after-broker');
      return answer;
    },
    async saveOrderProgress(args) { saves.push({ state: args.state, events: args.events }); },
  };
  return { activities, held };
}

/**
 * The audit as the database would hold it: saves are upserts keyed by sequence and the last save of a sequence wins
 * (a worker that died mid-task may have saved what its successor then saves again, as the committed run has it).
 */
export function storedEvents(saves: SavedProgress[]): AuditEvent[] {
  const bySequence = new Map<number, AuditEvent>();
  for (const e of saves.flatMap((s) => s.events)) bySequence.set(e.sequence, e);
  return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
}
