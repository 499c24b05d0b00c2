import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { createKillSwitchActivities, type KillSwitchActivityDeps } from '../../src/activities/kill-switch-activities';
import { PlaceOrderBody } from '../../src/api/order-schemas';
import { EMPTY_BOOK } from '../../src/domain/positions';
import type { OrderRequest } from '../../src/domain/order-types';
import { ACCOUNT_BOOK, type StoredPosition } from '../../src/store/position-store';

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
    cancelOpenOrders: async () => ({ asked: 0, results: [] }),
    positions: { listPositions: async () => books },
    placeOrder: async (request) => {
      if (placed.some((p) => p.clientOrderId === request.clientOrderId)) throw new Error(`client order id ${request.clientOrderId} already used`);
      placed.push(request);
      return { order: { orderId: `order-${request.clientOrderId}`, status: 'RECEIVED' } };
    },
    client: {} as Client, taskQueue: 'tq', alert: () => undefined,
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
