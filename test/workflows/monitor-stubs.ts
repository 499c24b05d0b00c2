import type { Client } from '@temporalio/client';
import { createMonitorActivities } from '../../src/activities/monitor-activities';
import type { MonitorPolicy } from '../../src/domain/position-monitor';
import type { OrderRequest } from '../../src/domain/order-types';
import { FakeBroker, groupStubActivities, type FakeOrder } from './group-stubs';
import { limitBuy } from './order-stubs';

/** The monitor's world: an entry that fills when told, a strategy book, the LTP, and a fake broker for OCO legs and exits. */
export class MonitorWorld {
  readonly broker = new FakeBroker();
  /** The entry as the orders table shows it; `OPEN` until a test fills it. */
  entry = { status: 'OPEN', filledQuantity: 0 };
  /** The strategy's book before the OCO legs and exits (the entry's fill, less what was closed by hand). */
  bookBase = 0;
  ltpPaise: number | null = 10_000;
  /** Every broker call in order: `place <role> <side> <qty>`, `cancel <role>`. */
  readonly log: string[] = [];
  priceReads = 0;

  fillEntry(quantity: number): void {
    this.entry = { status: 'FILLED', filledQuantity: quantity };
    this.bookBase = quantity;
  }

  /** The strategy's signed position: the entry's fill plus every order at the fake broker (all the strategy's). */
  book(): number {
    return this.broker.orders.reduce((n, o) => n + (o.request.side === 'BUY' ? o.filled : -o.filled), this.bookBase);
  }

  exits(): FakeOrder[] {
    return this.broker.orders.filter((o) => /-exit-\d+$/.test(o.request.clientOrderId));
  }
}

/** Order, group and monitor activities over one MonitorWorld; cancelOrderGroup talks to the test server through `client`. */
export function monitorStubActivities(world: MonitorWorld, client: Client) {
  const g = groupStubActivities(world.broker);
  const roleOf = (o: FakeOrder) => o.request.clientOrderId.replace(/^.*-(target|stop|exit-\d+)$/, '$1');
  const monitor = createMonitorActivities({
    orders: { getOrder: async () => ({ ...world.entry }) as never },
    positions: { getPosition: async () => ({ quantity: world.book() }) as never },
    client,
  });
  return {
    ...g.activities,
    ...monitor,
    async getLastPrice() { world.priceReads++; return world.ltpPaise; },
    async submitOrderToBroker(args: Parameters<typeof g.activities.submitOrderToBroker>[0]) {
      const before = world.broker.orders.length;
      const r = await g.activities.submitOrderToBroker(args);
      const o = world.broker.orders[world.broker.orders.length - 1];
      if (world.broker.orders.length > before) world.log.push(`place ${roleOf(o)} ${o.request.side} ${o.request.quantity}`);
      return r;
    },
    async cancelBrokerOrder(args: Parameters<typeof g.activities.cancelBrokerOrder>[0]) {
      const o = world.broker.orders.find((x) => x.brokerOrderId === args.brokerOrderId);
      if (o) world.log.push(`cancel ${roleOf(o)}`);
      return g.activities.cancelBrokerOrder(args);
    },
  };
}

/** A BUY of 90 with take profit 120.00 and stop loss 90.00 (entry LIMIT 100.00). */
export function protectedEntry(clientOrderId: string, over: Partial<OrderRequest> = {}): OrderRequest {
  return limitBuy({ clientOrderId, takeProfitPaise: 12_000, stopLossPaise: 9_000, ...over });
}

export function policy(over: Partial<MonitorPolicy> = {}): MonitorPolicy {
  return { mode: 'watch', pricePollMs: 60_000, entryPollMinMs: 1_000, entryPollMaxMs: 60_000, timeoutMs: null, squareOffAt: null, maxExitAttempts: 3, ...over };
}
