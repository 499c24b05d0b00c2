import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { admitOrderWith, type OrderActivities } from '../../src/activities/create-activities';
import type { BrokerOrderSnapshot, OrderRequest } from '../../src/domain/order-types';
import type { HoldPoint, SavedProgress } from './crash-broker';
import { STUB_INSTRUMENT } from './order-stubs';

/** A synchronous refusal of a placement, as Kite answers it: an error type and a message. */
export interface Refusal { errorType: string; message: string }

/** One order the broker accepted: one per tag, filled in full at 100.00 when it is first read. */
export interface AcceptedOrder { brokerOrderId: string; tag: string; orderId: string; quantity: number; orderType: string }

/** A place request as it reached the broker's order book (after any lookup by tag). */
export interface PlaceRequest { tag: string; orderId: string; quantity: number; orderType: string; lookFirst: boolean; outcome: 'refused' | 'accepted' | 'recovered' }

/**
 * A fake broker keyed by tag that outlives workers, the way two worker processes share one real broker. `refuse` is
 * asked about every placement that would create an order (the n-th, 1-based); a refused one leaves nothing behind.
 */
export class TagBroker {
  readonly accepted: AcceptedOrder[] = [];
  readonly requests: PlaceRequest[] = [];
  private placements = 0;
  private readonly tickets = new Set<string>();

  constructor(private readonly refuse: (n: number, request: OrderRequest) => Refusal | null = () => null) {}

  /** Like the real activity: with lookFirst, an order already holding the tag is answered instead of a second one. */
  place(args: { orderId: string; tag: string; request: OrderRequest; lookFirst?: boolean }): { brokerOrderId: string; recovered: boolean } {
    const base = { tag: args.tag, orderId: args.orderId, quantity: args.request.quantity, orderType: args.request.orderType, lookFirst: args.lookFirst === true };
    const found = args.lookFirst ? this.findByTag(args.tag) : null;
    if (found) {
      this.requests.push({ ...base, outcome: 'recovered' });
      return { brokerOrderId: found.brokerOrderId, recovered: true };
    }
    const refusal = this.refuse(++this.placements, args.request);
    if (refusal) {
      this.requests.push({ ...base, outcome: 'refused' });
      throw ApplicationFailure.create({ type: 'BROKER_REJECTED', nonRetryable: true, message: refusal.message, details: [refusal.errorType] });
    }
    this.requests.push({ ...base, outcome: 'accepted' });
    const order = { brokerOrderId: `TB-${this.accepted.length + 1}`, tag: args.tag, orderId: args.orderId, quantity: args.request.quantity, orderType: args.request.orderType };
    this.accepted.push(order);
    return { brokerOrderId: order.brokerOrderId, recovered: false };
  }

  /** The real activity's send ticket (Postgres there): true for the first placement under a tag, false after. */
  takeTicket(tag: string): boolean {
    if (this.tickets.has(tag)) return false;
    this.tickets.add(tag);
    return true;
  }

  findByTag(tag: string): AcceptedOrder | null {
    const mine = this.accepted.filter((o) => o.tag === tag);
    if (mine.length > 1) throw new Error(`broker holds ${mine.length} orders tagged ${tag}`); // as KiteGateway.findOrderByTag
    return mine[0] ?? null;
  }

  read(brokerOrderId: string): BrokerOrderSnapshot {
    const o = this.accepted.find((a) => a.brokerOrderId === brokerOrderId);
    if (!o) throw new Error(`no order ${brokerOrderId} at the fake broker`);
    return {
      brokerOrderId, status: 'COMPLETE', statusMessage: null, quantity: o.quantity, filledQuantity: o.quantity, pendingQuantity: 0, cancelledQuantity: 0,
      averagePricePaise: 10_000, pricePaise: null, triggerPricePaise: null, orderType: o.orderType,
      trades: [{ tradeId: `T-${brokerOrderId}`, quantity: o.quantity, pricePaise: 10_000, executedAt: '2026-11-24T05:00:01.000Z' }],
    };
  }
}

/** The first placement on this worker matching `match` stops at `at` and never answers. */
export interface PlaceHold {
  match: (args: { orderId: string; tag: string; request: OrderRequest }) => boolean;
  at: HoldPoint;
}

/**
 * Activities of one worker over the shared broker and store. The held placement waits until the worker is shut
 * down under it (its cancellation), as a call in flight in a dying worker process would. `freezeLimit`: the
 * freeze quantity the risk gate reports for the order.
 */
export function tagBrokerActivities(broker: TagBroker, saves: SavedProgress[], opts: { hold?: PlaceHold; freezeLimit?: number } = {}) {
  let reachedHold!: () => void;
  const held = new Promise<void>((resolve) => { reachedHold = resolve; });
  let holdUsed = false;
  const maybeHold = async (args: Parameters<PlaceHold['match']>[0], at: HoldPoint) => {
    const hold = opts.hold;
    if (!hold || holdUsed || hold.at !== at || !hold.match(args)) return;
    holdUsed = true;
    reachedHold();
    await Context.current().cancelled; // rejects when the worker shuts down
    throw new Error('unreachable: the worker shut down under the held placement');
  };
  const activities: OrderActivities = {
    admitOrder: (args) => admitOrderWith(activities.lookupInstrument, activities.assessOrderRisk)(args),
    async lookupInstrument() { return STUB_INSTRUMENT; },
    async assessOrderRisk(args) {
      const checks = opts.freezeLimit === undefined ? args.basic.checks : [...args.basic.checks, { check: 'freeze_quantity', passed: true, limit: opts.freezeLimit }];
      return { ...args.basic, checks, flags: [], configVersion: 'stub' };
    },
    async assessModificationRisk(args) { return { ...args.basic, flags: [], configVersion: 'stub' }; },
    async getLastPrice() { return 10_000; },
    async submitOrderToBroker(args) {
      // As the real activity: the ticket is taken before anything is sent; a run that finds it taken looks first.
      const lookFirst = args.lookFirst === true || !broker.takeTicket(args.tag);
      await maybeHold(args, 'before-broker');
      const answer = broker.place({ ...args, lookFirst });
      await maybeHold(args, 'after-broker');
      return answer;
    },
    async findBrokerOrderByTag(args) {
      const found = broker.findByTag(args.tag);
      return found ? { brokerOrderId: found.brokerOrderId, status: broker.read(found.brokerOrderId).status } : null;
    },
    async fetchBrokerOrder(args) { return broker.read(args.brokerOrderId); },
    async modifyBrokerOrder() { return { ok: false, message: 'not expected in these tests' }; },
    async cancelBrokerOrder() { return { ok: false, message: 'not expected in these tests' }; },
    async saveOrderProgress(args) { saves.push({ state: args.state, events: args.events }); },
  };
  return { activities, held };
}
