import { TEST_KEYS } from '../support/access-config';
import { latestExpirySymbols, quietMarketAt } from '../support/paper-instruments';
import { eventually, startStack, type Stack } from './stack';

/** OCO pairs and brackets on the real stack: API -> group workflow -> leg order workflows -> paper broker (manual fills). */
let stack: Stack;
let symbol: string;

const uid = (p: string) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const group = (id: string) => stack.api('GET', `/api/v1/groups/${id}`).then((r) => r.body.group);
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const leg = (g: { legs: { role: string; orderId: string; brokerOrderId: string | null }[] }, role: string) => g.legs.find((l) => l.role === role);
const fill = (brokerOrderId: string, quantity: number, price?: number) => stack.control('POST', `/control/orders/${brokerOrderId}/fill`, { quantity, ...(price ? { price } : {}) });
const brokerOrder = async (brokerOrderId: string) => (await stack.control('GET', '/control/orders')).orders.find((o: { order_id: string }) => o.order_id === brokerOrderId);

/** The paper account's net position in the symbol, read through the Kite API the OMS itself uses. */
async function netPosition(): Promise<number> {
  const res = await fetch(`${stack.sys.paperBrokerUrl}/portfolio/positions`, { headers: { authorization: 'token paper_key:paper_token', 'x-kite-version': '3' } });
  const body = await res.json() as { data: { net: { tradingsymbol: string; quantity: number }[] } };
  return body.data.net.find((p) => p.tradingsymbol === symbol)?.quantity ?? 0;
}

/** Waits until the group shows the leg at the broker; returns its broker order id. */
async function legAtBroker(groupId: string, role: string): Promise<string> {
  const g = await eventually(() => group(groupId), (x) => !!leg(x, role)?.brokerOrderId, 30_000);
  const l = leg(g, role);
  if (!l?.brokerOrderId) throw new Error(`${role} never reached the broker: ${JSON.stringify(g.legs)}`);
  return l.brokerOrderId;
}

beforeAll(async () => {
  stack = await startStack();
  [symbol] = await latestExpirySymbols(stack.control, '52000CE');
  await quietMarketAt(stack.control, symbol, 100, { mode: 'manual' });
}, 120_000);
afterAll(async () => { await stack?.close(); });

const exits = { targetPrice: '120.00', stopTriggerPrice: '90.00', stopPrice: '89.50' };

it('when both OCO legs are forced to fill before the OMS can cancel either, then the excess is flattened, the broker position ends flat and the episode is recorded', async () => {
  const before = await netPosition();
  // The position the OCO protects: a long of 30 bought through the OMS.
  const entry = await stack.api('POST', '/api/v1/orders', { clientOrderId: uid('oco-pos'), strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '100.00' });
  expect(entry.status).toBe(202);
  const open = await eventually(() => order(entry.body.order.orderId), (o) => !!o.brokerOrderId);
  await fill(open.brokerOrderId, 30, 100);
  expect((await eventually(() => order(open.orderId), (o) => o.status === 'FILLED')).status).toBe('FILLED');

  const placed = await stack.api('POST', '/api/v1/groups', { type: 'oco', clientOrderId: uid('oco'), strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', position: { side: 'BUY', quantity: 30 }, exits });
  expect(placed.status).toBe(202);
  const groupId = placed.body.group.groupId;
  const [target, stop] = [await legAtBroker(groupId, 'target'), await legAtBroker(groupId, 'stop')];
  // Both at once at the exchange: the target trades at 120 and the stop triggers and trades at 89.50.
  await Promise.all([fill(target, 30, 120), fill(stop, 30, 89.5)]);

  const flatten = await legAtBroker(groupId, 'flatten-1');
  expect(await brokerOrder(flatten)).toMatchObject({ transaction_type: 'BUY', order_type: 'MARKET', quantity: 30 });
  await fill(flatten, 30);
  const done = await eventually(() => group(groupId), (g) => g.status !== 'ACTIVE', 30_000);

  expect(done).toMatchObject({ status: 'COMPLETED', position: { base: 30, exitsFilled: 60, flattenNet: 30, open: 0 } });
  expect(await netPosition()).toBe(before + 30 - 30 - 30 + 30); // bought 30, both exits sold 30, the flatten bought 30 back: flat again
  expect(done.legs.map((l: { role: string; status: string; filledQuantity: number }) => [l.role, l.status, l.filledQuantity])).toEqual([['target', 'FILLED', 30], ['stop', 'FILLED', 30], ['flatten-1', 'FILLED', 30]]);
  const [row] = await stack.sql<{ status: string; open_quantity: number; episodes: { type: string; detail: Record<string, unknown> }[] }>('select status, open_quantity, episodes from order_groups where id = $1', [groupId]);
  expect(row).toMatchObject({ status: 'COMPLETED', open_quantity: 0 });
  expect(row.episodes.filter((e) => e.type === 'EXCESS_DETECTED').map((e) => e.detail)).toEqual([{ quantity: 30, exitsFilled: 60, position: 30 }]);
  expect(row.episodes.filter((e) => e.type === 'FLATTEN_PLACED').map((e) => e.detail)).toEqual([expect.objectContaining({ side: 'BUY', quantity: 30, reason: 'excess' })]);
  const legs = await stack.sql<{ id: string; leg_role: string }>('select id, leg_role from orders where parent_id = $1 order by leg_role', [groupId]);
  expect(legs.map((l) => l.leg_role)).toEqual(['flatten-1', 'stop', 'target']);
}, 120_000);

it('when a bracket entry fills in three slices of 30, then the exit orders at the broker are 30, 60 and 90 (the stop an SL, never SL-M), and the target filling cancels the stop', async () => {
  const before = await netPosition();
  const placed = await stack.api('POST', '/api/v1/groups', {
    type: 'bracket', clientOrderId: uid('brk'), strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO',
    entry: { side: 'BUY', quantity: 90, orderType: 'LIMIT', price: '100.00' }, exits: { targetPrice: '120.00', stopTriggerPrice: '90.00' },
  });
  expect(placed.status).toBe(202);
  const groupId = placed.body.group.groupId;
  const entry = await legAtBroker(groupId, 'entry');
  const sizes: { target: number; stop: number }[] = [];
  for (const filled of [30, 60, 90]) {
    await fill(entry, 30, 100);
    const [target, stop] = [await legAtBroker(groupId, 'target'), await legAtBroker(groupId, 'stop')];
    const seen = await eventually(async () => ({ target: (await brokerOrder(target)).quantity, stop: (await brokerOrder(stop)).quantity }), (q) => q.target === filled && q.stop === filled, 30_000);
    sizes.push(seen);
  }
  expect(sizes).toEqual([{ target: 30, stop: 30 }, { target: 60, stop: 60 }, { target: 90, stop: 90 }]);
  const g = await group(groupId);
  // No stopPrice given: an SL (the exchange blocks SL-M on options) with its limit the 5% band under the trigger.
  expect(await brokerOrder(leg(g, 'stop')!.brokerOrderId!)).toMatchObject({ order_type: 'SL', transaction_type: 'SELL', trigger_price: 90, price: 85.5 });

  await fill(leg(g, 'target')!.brokerOrderId!, 90, 120);
  const done = await eventually(() => group(groupId), (x) => x.status !== 'ACTIVE', 30_000);
  expect(done).toMatchObject({ status: 'COMPLETED', triggeredBy: 'target', position: { base: 90, exitsFilled: 90, open: 0 } });
  expect(await brokerOrder(leg(done, 'stop')!.brokerOrderId!)).toMatchObject({ status: 'CANCELLED', filled_quantity: 0 });
  expect(await netPosition()).toBe(before);
  const resized = done.episodes.filter((e: { type: string }) => e.type === 'EXIT_RESIZED').map((e: { detail: { role: string; to: number } }) => `${e.detail.role}:${e.detail.to}`);
  expect(resized.sort()).toEqual(['stop:60', 'stop:90', 'target:60', 'target:90']);
}, 120_000);

it('when a bracket is cancelled while its entry is partly filled, then every live leg is cancelled at the broker and the position is what the entry filled', async () => {
  const before = await netPosition();
  const placed = await stack.api('POST', '/api/v1/groups', {
    type: 'bracket', clientOrderId: uid('brk-cancel'), strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO',
    entry: { side: 'BUY', quantity: 90, orderType: 'LIMIT', price: '100.00' }, exits,
  });
  const groupId = placed.body.group.groupId;
  await fill(await legAtBroker(groupId, 'entry'), 30, 100);
  await Promise.all([legAtBroker(groupId, 'target'), legAtBroker(groupId, 'stop')]);

  const cancelled = await stack.api('POST', `/api/v1/groups/${groupId}/cancel`, { reason: 'e2e' });
  expect(cancelled.status).toBe(200);
  const done = await eventually(() => group(groupId), (g) => g.status !== 'ACTIVE', 30_000);
  expect(done).toMatchObject({ status: 'CANCELLED', position: { base: 30, open: 30 } });
  for (const l of done.legs) expect(await brokerOrder(l.brokerOrderId)).toMatchObject({ status: 'CANCELLED' });
  expect(await netPosition()).toBe(before + 30);
  const again = await stack.api('POST', `/api/v1/groups/${groupId}/cancel`, {});
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('GROUP_NOT_CANCELLABLE');
}, 120_000);

describe('the groups API', () => {
  const body = (over: Record<string, unknown> = {}) => ({ type: 'oco', clientOrderId: uid('api'), strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', position: { side: 'BUY', quantity: 30 }, exits, ...over });

  it.each([
    { title: 'the target is below the stop of a long', over: { exits: { targetPrice: '80.00', stopTriggerPrice: '90.00' } }, path: 'exits.targetPrice', names: 'exits.targetPrice' },
    { title: 'a bracket has no entry', over: { type: 'bracket' }, path: 'entry', names: 'entry' },
    { title: 'an OCO is given an entry', over: { entry: { side: 'BUY', quantity: 30, orderType: 'MARKET' } }, path: '', names: 'the unknown key' },
    { title: 'a price has three decimals', over: { exits: { targetPrice: '120.001', stopTriggerPrice: '90.00' } }, path: 'exits.targetPrice', names: 'exits.targetPrice' },
  ])('when $title, then it is a 400 naming $names and nothing starts', async ({ over, path }) => {
    const b = body(over);
    const res = await stack.api('POST', '/api/v1/groups', b);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.arrayContaining([expect.objectContaining({ path })]) });
    expect((await stack.api('GET', `/api/v1/groups/group-${b.clientOrderId}`)).status).toBe(404);
  });

  it('when the same group is posted twice, then the second answers 200 with the same group, and a different payload under its id is a 409', async () => {
    const b = body({ exits: { targetPrice: '150.00', stopTriggerPrice: '50.00' } });
    const first = await stack.api('POST', '/api/v1/groups', b);
    const second = await stack.api('POST', '/api/v1/groups', b);
    expect([first.status, second.status]).toEqual([202, 200]);
    expect(second.body.group.groupId).toBe(first.body.group.groupId);
    const other = await stack.api('POST', '/api/v1/groups', { ...b, position: { side: 'BUY', quantity: 60 } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    await stack.api('POST', `/api/v1/groups/${first.body.group.groupId}/cancel`, {});
  });

  it("when a strategy key reaches for another strategy's group, then placing is 403 and reading or cancelling is 404", async () => {
    const mine = await stack.apiAs(TEST_KEYS.strategyA, 'POST', '/api/v1/groups', body({ exits: { targetPrice: '150.00', stopTriggerPrice: '50.00' } }));
    expect(mine.status).toBe(202);
    const id = mine.body.group.groupId;
    expect((await stack.apiAs(TEST_KEYS.strategyB, 'POST', '/api/v1/groups', body({ strategyId: 'e2e' }))).body.error.code).toBe('STRATEGY_NOT_ALLOWED');
    expect((await stack.apiAs(TEST_KEYS.strategyB, 'GET', `/api/v1/groups/${id}`)).status).toBe(404);
    expect((await stack.apiAs(TEST_KEYS.strategyB, 'POST', `/api/v1/groups/${id}/cancel`, {})).status).toBe(404);
    expect((await stack.apiAs(TEST_KEYS.strategyA, 'GET', `/api/v1/groups/${id}`)).status).toBe(200);
    expect((await stack.apiAs(TEST_KEYS.strategyA, 'POST', `/api/v1/groups/${id}/cancel`, {})).status).toBe(200);
  });
});
