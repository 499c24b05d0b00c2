import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { createKillSwitchActivities, type KillSwitchActivityDeps } from '../../src/activities/kill-switch-activities';
import { PlaceOrderBody } from '../../src/api/order-schemas';
import { EMPTY_BOOK } from '../../src/domain/positions';
import type { OrderRequest } from '../../src/domain/order-types';
import type { LiveOrder } from '../../src/services/order-cancellation';
import { accountBook, type StoredPosition } from '../../src/store/position-store';
import type { SweepResult } from '../../src/workflows/kill-switch-messages';
const ACCOUNT_BOOK = accountBook('default');

/** Flattening's order placement with its collaborators faked: which orders it asks for, and under which ids. */
const LONG_STRATEGY = 'banknifty-weekly-short-strangle-hedged-v2'; // 41 characters, well within the API's 64

const book = (strategyId: string, tradingsymbol: string, quantity: number, product = 'NRML'): StoredPosition => ({
  strategyId, tradingsymbol, exchange: 'NFO', product, updatedAt: new Date(0), book: { ...EMPTY_BOOK, quantity, openValuePaise: BigInt(Math.abs(quantity)) * 100_00n },
});

async function flatten(books: StoredPosition[], engagementId = '0f1e2d3c-aaaa-bbbb-cccc-000000000001') {
  const placed: OrderRequest[] = [];
  const acts = createKillSwitchActivities({
    killSwitches: { get: jest.fn(), engage: jest.fn(), release: jest.fn(), recordEvent: async () => undefined },
    riskConfig: { current: () => ({ config: { killSwitch: { flattenPositions: true } } }) } as unknown as KillSwitchActivityDeps['riskConfig'],
    accountNetPnl: async () => '0.00',
    cancelOpenOrders: async () => ({ asked: 0, results: [], kept: [] }),
    positions: { listPositions: async () => books },
    placeOrder: async (request) => {
      if (placed.some((p) => p.clientOrderId === request.clientOrderId)) throw new Error(`client order id ${request.clientOrderId} already used`);
      placed.push(request);
      return { order: { orderId: `order-${request.clientOrderId}`, status: 'RECEIVED' } };
    },
    client: {} as Client, taskQueue: 'tq', alerts: { raise: async () => undefined },
  });
  const result: Awaited<ReturnType<typeof acts.flattenPositionsForKillSwitch>> = await new MockActivityEnvironment().run(acts.flattenPositionsForKillSwitch, { account: 'default', engagementId });
  return { placed, result };
}

describe('flattening positions for the kill switch', () => {
  it('when a long strategy id holds options of one underlying and expiry, then each book gets its own client order id and every position is closed', async () => {
    const { placed, result } = await flatten([
      book(LONG_STRATEGY, 'BANKNIFTY27FEB52000CE', 30), book(LONG_STRATEGY, 'BANKNIFTY27FEB52000PE', -30),
      book(LONG_STRATEGY, 'BANKNIFTY27FEB52000PE', 15, 'MIS'), book(ACCOUNT_BOOK, 'BANKNIFTY27FEB52000CE', 30),
    ]);
    expect(result.results.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    expect(placed.map((p) => [p.tradingsymbol, p.product, p.side, p.quantity, p.orderType])).toEqual([
      ['BANKNIFTY27FEB52000CE', 'NRML', 'SELL', 30, 'MARKET'],
      ['BANKNIFTY27FEB52000PE', 'NRML', 'BUY', 30, 'MARKET'],
      ['BANKNIFTY27FEB52000PE', 'MIS', 'SELL', 15, 'MARKET'],
    ]);
  });

  it('when a symbol has a character order ids do not allow (M&M), then the flatten order id is still one the API accepts and addresses', async () => {
    const { placed } = await flatten([book('s1', 'M&M27FEB3000CE', 700), book(LONG_STRATEGY, 'M&M27FEB3000PE', -700)]);
    for (const p of placed) {
      expect(PlaceOrderBody.shape.clientOrderId.safeParse(p.clientOrderId).success).toBe(true);
      expect(p.clientOrderId.startsWith('ks-0f1e2d3c-')).toBe(true);
    }
  });

  it('when the activity is retried for the same engagement, then it asks for the same client order ids (placing nothing twice)', async () => {
    const books = [book(LONG_STRATEGY, 'BANKNIFTY27FEB52000CE', 30), book('s1', 'NIFTY27FEB25000PE', -75)];
    const first = await flatten(books);
    const retry = await flatten(books);
    const other = await flatten(books, '99999999-aaaa-bbbb-cccc-000000000002');
    expect(retry.placed.map((p) => p.clientOrderId)).toEqual(first.placed.map((p) => p.clientOrderId));
    expect(other.placed.map((p) => p.clientOrderId).some((id) => first.placed.some((p) => p.clientOrderId === id))).toBe(false);
  });
});

describe('the kill switch sweep keeping protective exits', () => {
  const SYM = 'BANKNIFTY27FEB52000CE';
  const live = (id: string, o: Partial<LiveOrder>): LiveOrder => ({
    id, clientOrderId: id, strategyId: 's1', tradingsymbol: SYM, exchange: 'NFO', product: 'NRML', side: 'BUY', quantity: 30, filledQuantity: 0,
    status: 'OPEN', brokerOrderId: `b-${id}`, parentId: null, legRole: null, ...o,
  });
  const rows = [
    live('order-entry', {}),
    live('order-oco-target', { side: 'SELL', parentId: 'group-oco', legRole: 'target' }),
    live('order-oco-stop', { side: 'SELL', parentId: 'group-oco', legRole: 'stop' }),
  ];

  async function sweep(flattenPositions: boolean) {
    const events: { type: string; payload: unknown }[] = [];
    const acts = createKillSwitchActivities({
      killSwitches: { get: jest.fn(), engage: jest.fn(), release: jest.fn(), recordEvent: async (e) => { events.push(e as { type: string; payload: unknown }); } },
      riskConfig: { current: () => ({ config: { killSwitch: { flattenPositions } } }) } as unknown as KillSwitchActivityDeps['riskConfig'],
      accountNetPnl: async () => '0.00',
      // The real sweep's contract: ask `decide` about the live orders, cancel what it does not keep.
      cancelOpenOrders: async (_filter, _reason, options) => {
        const decisions = await options!.decide!(rows);
        const kept = decisions.filter((x) => x.action === 'keep').map((x) => ({ orderId: x.orderId, reason: x.reason, message: x.message }));
        const results = decisions.filter((x) => x.action === 'cancel').map((x) => ({ orderId: x.orderId, outcome: 'cancelled', haltReason: x.reason }));
        return { asked: results.length, results, kept } as unknown as SweepResult;
      },
      positions: { listPositions: async () => [book('s1', SYM, 30), book(ACCOUNT_BOOK, SYM, 30)] },
      placeOrder: async () => { throw new Error('not in this test'); },
      client: {} as Client, taskQueue: 'tq', alerts: { raise: async () => undefined },
    });
    const result: SweepResult = await new MockActivityEnvironment().run(acts.cancelOrdersForKillSwitch, { account: 'default', engagementId: 'e1' });
    return { result, event: events.find((e) => e.type === 'ORDERS_CANCELLED')?.payload as { results: unknown[]; kept: unknown[] } };
  }

  it('when an OCO protects the strategy\'s long, then its legs are kept and recorded as kept with why, and the resting entry is cancelled', async () => {
    const { result, event } = await sweep(false);
    expect(result.kept.map((k) => k.orderId)).toEqual(['order-oco-target', 'order-oco-stop']);
    expect(event.kept).toEqual([
      expect.objectContaining({ orderId: 'order-oco-target', reason: 'GROUP_EXIT', message: expect.stringContaining('long 30') }),
      expect.objectContaining({ orderId: 'order-oco-stop', reason: 'GROUP_EXIT' }),
    ]);
    expect(event.results).toEqual([expect.objectContaining({ orderId: 'order-entry', outcome: 'cancelled', haltReason: 'NOT_PROTECTIVE' })]);
  });

  it('when the halt flattens positions, then nothing is kept: the flatten order is the protection', async () => {
    const { result } = await sweep(true);
    expect(result.kept).toEqual([]);
    expect(result.results.map((x) => [x.orderId, x.haltReason])).toEqual([['order-entry', 'NOT_PROTECTIVE'], ['order-oco-target', 'FLATTENING'], ['order-oco-stop', 'FLATTENING']]);
  });
});
