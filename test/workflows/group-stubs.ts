import { admitOrderWith, type OrderActivities } from '../../src/activities/create-activities';
import type { GroupActivities } from '../../src/activities/group-activities';
import type { OrderGroupState } from '../../src/domain/order-group-state';
import type { GroupRequest } from '../../src/domain/order-group-legs';
import type { BrokerOrderSnapshot, Fill, OrderRequest } from '../../src/domain/order-types';
import { STUB_INSTRUMENT } from './order-stubs';

/** One order at the fake broker, with every quantity it was ever given. */
export interface FakeOrder {
  brokerOrderId: string;
  tag: string;
  /** entry, target, stop, flatten-N: read from the leg's client order id. */
  role: string;
  request: OrderRequest;
  status: 'OPEN' | 'TRIGGER PENDING' | 'COMPLETE' | 'CANCELLED';
  quantity: number;
  filled: number;
  trades: Fill[];
  quantityHistory: number[];
  cancelRequests: number;
}

/**
 * A broker that holds several orders, for group workflow tests. `script` runs before every order read (the legs poll),
 * so a test can say "once both exits rest, fill the target"; `beforeCancel` runs before a cancel is applied (fill the
 * leg there and the cancel arrives too late, as at a real exchange). MARKET orders fill completely when placed.
 */
export class FakeBroker {
  readonly orders: FakeOrder[] = [];
  private trades = 0;
  script: (b: FakeBroker) => void = () => undefined;
  beforeCancel: (o: FakeOrder, b: FakeBroker) => void = () => undefined;

  role(role: string): FakeOrder | undefined {
    return this.orders.find((o) => o.role === role);
  }

  resting(role: string): FakeOrder | undefined {
    const o = this.role(role);
    return o && (o.status === 'OPEN' || o.status === 'TRIGGER PENDING') ? o : undefined;
  }

  fill(o: FakeOrder, quantity: number, pricePaise = o.request.pricePaise ?? 10_000): void {
    if (o.status === 'COMPLETE' || o.status === 'CANCELLED') throw new Error(`fake broker: ${o.role} is ${o.status}`);
    const q = Math.min(quantity, o.quantity - o.filled);
    o.trades.push({ tradeId: `T${++this.trades}`, quantity: q, pricePaise, executedAt: new Date(Date.UTC(2026, 10, 24, 5, 0, this.trades)).toISOString() });
    o.filled += q;
    o.status = o.filled === o.quantity ? 'COMPLETE' : 'OPEN';
  }

  /** The position the group's orders leave, in the direction of `side` (the position's side), starting from `start`. */
  net(side: 'BUY' | 'SELL', start = 0): number {
    return this.orders.reduce((n, o) => n + (o.request.side === side ? o.filled : -o.filled), start);
  }

  snapshot(o: FakeOrder): BrokerOrderSnapshot {
    const done = o.status === 'COMPLETE' || o.status === 'CANCELLED';
    const value = o.trades.reduce((v, t) => v + t.quantity * t.pricePaise, 0);
    return {
      brokerOrderId: o.brokerOrderId, status: o.status, statusMessage: null, quantity: o.quantity, filledQuantity: o.filled,
      pendingQuantity: done ? 0 : o.quantity - o.filled, cancelledQuantity: o.status === 'CANCELLED' ? o.quantity - o.filled : 0,
      averagePricePaise: o.filled ? Math.round(value / o.filled) : 0, pricePaise: o.request.pricePaise ?? null, triggerPricePaise: o.request.triggerPricePaise ?? null,
      orderType: o.request.orderType, trades: [...o.trades],
    };
  }
}

/** Order and group activities over a FakeBroker; records which orders went through the risk gate and every group save. */
export function groupStubActivities(broker: FakeBroker) {
  const riskChecked: string[] = [];
  const groupSaves: OrderGroupState[] = [];
  const byId = (id: string) => {
    const o = broker.orders.find((x) => x.brokerOrderId === id);
    if (!o) throw new Error(`fake broker: no order ${id}`);
    return o;
  };
  const activities: OrderActivities & GroupActivities = {
    admitOrder: (args) => admitOrderWith(activities.lookupInstrument, activities.assessOrderRisk)(args),
    async lookupInstrument() { return STUB_INSTRUMENT; },
    async assessOrderRisk(args) {
      riskChecked.push(args.state.request.clientOrderId);
      return { ...args.basic, flags: [], configVersion: 'stub' };
    },
    async getLastPrice() { return null; },
    async assessModificationRisk(args) { return { ...args.basic, flags: [], configVersion: 'stub' }; },
    async submitOrderToBroker(args) {
      const known = broker.orders.find((o) => o.tag === args.tag);
      if (known) return { brokerOrderId: known.brokerOrderId, recovered: true };
      const r = args.request;
      const o: FakeOrder = {
        brokerOrderId: `B-${broker.orders.length + 1}`, tag: args.tag, role: r.clientOrderId.replace(/^.*?-(entry|target|stop|flatten-\d+)$/, '$1'), request: r,
        status: r.orderType === 'SL' || r.orderType === 'SL-M' ? 'TRIGGER PENDING' : 'OPEN', quantity: r.quantity, filled: 0, trades: [],
        quantityHistory: [r.quantity], cancelRequests: 0,
      };
      broker.orders.push(o);
      if (r.orderType === 'MARKET') broker.fill(o, r.quantity, 10_000);
      return { brokerOrderId: o.brokerOrderId, recovered: false };
    },
    async findBrokerOrderByTag(args) {
      const o = broker.orders.find((x) => x.tag === args.tag);
      return o ? { brokerOrderId: o.brokerOrderId, status: o.status } : null;
    },
    async fetchBrokerOrder(args) {
      broker.script(broker);
      return broker.snapshot(byId(args.brokerOrderId));
    },
    async modifyBrokerOrder(args) {
      const o = byId(args.brokerOrderId);
      const q = args.changes.quantity;
      if (o.status === 'COMPLETE' || o.status === 'CANCELLED') return { ok: false, message: `Order is ${o.status}, it cannot be modified.` };
      if (q !== undefined && q <= o.filled) return { ok: false, message: `Quantity cannot be modified below the filled quantity (${o.filled}).` };
      if (q !== undefined) { o.quantity = q; o.quantityHistory.push(q); }
      return { ok: true, message: 'accepted' };
    },
    async cancelBrokerOrder(args) {
      const o = byId(args.brokerOrderId);
      o.cancelRequests += 1;
      broker.beforeCancel(o, broker);
      if (o.status === 'COMPLETE' || o.status === 'CANCELLED') return { ok: false, message: `Order is ${o.status}, it cannot be cancelled.` };
      o.status = 'CANCELLED';
      return { ok: true, message: 'accepted' };
    },
    async saveOrderProgress() { /* the legs' rows are not under test here */ },
    async saveOrderGroup(args) { groupSaves.push(args.state); },
  };
  return { activities, riskChecked, groupSaves };
}

/** A long position of 90 on the stub instrument, closed by a target at 120 and an SL stop at 90 (limit 89.50). */
export function ocoRequest(clientOrderId: string, over: Partial<GroupRequest> = {}): GroupRequest {
  return {
    kind: 'oco', clientOrderId, strategyId: 'strat-1', tradingsymbol: STUB_INSTRUMENT.tradingsymbol, exchange: 'NFO', product: 'NRML', variety: 'regular',
    side: 'BUY', quantity: 90, exits: { targetPricePaise: 12_000, stopTriggerPaise: 9_000, stopPricePaise: 8_950 }, ...over,
  };
}

/** A bracket buying 90 at a LIMIT of 100, target 120, stop triggered at 90 (an SL, its limit the default band). */
export function bracketRequest(clientOrderId: string, over: Partial<GroupRequest> = {}): GroupRequest {
  return {
    kind: 'bracket', clientOrderId, strategyId: 'strat-1', tradingsymbol: STUB_INSTRUMENT.tradingsymbol, exchange: 'NFO', product: 'NRML', variety: 'regular',
    side: 'BUY', quantity: 90, entry: { orderType: 'LIMIT', pricePaise: 10_000 }, exits: { targetPricePaise: 12_000, stopTriggerPaise: 9_000 }, ...over,
  };
}
