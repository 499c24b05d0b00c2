import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latestExpirySymbols, quietMarketAt } from '../support/paper-instruments';
import { eventually, startStack, type Stack } from './stack';

/**
 * A halt never leaves a position less protected than before, end to end on the paper broker (flattening off, the
 * default): a long protected by an OCO and a long protected by a position monitor's OCO keep their target and stop
 * working at the broker through the kill switch, a resting entry is cancelled, and the stop still closes the position
 * while the account is halted.
 */
let stack: Stack;
let ocoSymbol: string;
let monitorSymbol: string;
let watchSymbol: string;
let heldSymbol: string;
const STRATEGY = 'ksprot';
const WATCHED = 'ksprot-watch';

const uid = (p: string) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const group = (id: string) => stack.api('GET', `/api/v1/groups/${id}`).then((r) => r.body.group);
const monitor = (id: string) => stack.api('GET', `/api/v1/monitors/${id}`).then((r) => r.body.monitor);
const fill = (brokerOrderId: string, quantity: number, price: number) => stack.control('POST', `/control/orders/${brokerOrderId}/fill`, { quantity, price });
const brokerOrder = async (brokerOrderId: string): Promise<{ status: string; order_type: string; quantity: number }> =>
  (await stack.control('GET', '/control/orders')).orders.find((o: { order_id: string }) => o.order_id === brokerOrderId);
const exits = { targetPrice: '120.00', stopTriggerPrice: '90.00', stopPrice: '89.50' };
type Leg = { role: string; orderId: string; brokerOrderId: string | null; status: string };

async function netPosition(symbol: string): Promise<number> {
  const res = await fetch(`${stack.sys.paperBrokerUrl}/portfolio/positions`, { headers: { authorization: 'token paper_key:paper_token', 'x-kite-version': '3' } });
  const body = await res.json() as { data: { net: { tradingsymbol: string; quantity: number }[] } };
  return body.data.net.find((p) => p.tradingsymbol === symbol)?.quantity ?? 0;
}

/** A BUY LIMIT of 30 at 100 through the OMS; filled by hand at the broker unless `rest`. Returns the order id. */
async function buy(symbol: string, extra: Record<string, unknown> = {}, rest = false): Promise<string> {
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: uid('ksp'), strategyId: STRATEGY, tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '100.00', ...extra,
  });
  expect(placed.status).toBe(202);
  const atBroker = await eventually(() => order(placed.body.order.orderId), (o) => !!o.brokerOrderId && o.status === 'OPEN');
  if (!rest) {
    await fill(atBroker.brokerOrderId, 30, 100);
    await eventually(() => order(atBroker.orderId), (o) => o.status === 'FILLED');
  }
  return atBroker.orderId;
}

/** The group once both exits are working at the broker. */
async function exitsAtBroker(groupId: string): Promise<Leg[]> {
  const g = await eventually(() => group(groupId), (x) => ['target', 'stop'].every((r) => x?.legs.some((l: Leg) => l.role === r && l.brokerOrderId && l.status === 'OPEN')), 30_000);
  return g.legs;
}

/** The strategy's book as the OMS holds it (what the halt judges protection against). */
const book = async (symbol: string) =>
  (await stack.sql<{ quantity: number }>('select quantity from positions where strategy_id = $1 and tradingsymbol = $2', [STRATEGY, symbol]))[0]?.quantity ?? 0;

beforeAll(async () => {
  // Monitors place OCOs by default; strategy ksprot-watch is watched by the OMS (fast polls, no square-off: NRML).
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ks-protection-')), 'monitor.json');
  fs.writeFileSync(file, JSON.stringify({
    mode: 'oco', pricePollMs: 500, entryPollMs: { min: 300, max: 1000 }, squareOff: { enabled: false }, strategies: { [WATCHED]: { mode: 'watch' } },
  }));
  stack = await startStack({ MONITOR_CONFIG_FILE: file });
  [ocoSymbol, monitorSymbol, watchSymbol, heldSymbol] = await latestExpirySymbols(stack.control, '52000CE', '52000PE', '51900CE', '51800CE');
  await quietMarketAt(stack.control, ocoSymbol, 100, { mode: 'manual' });
  for (const s of [monitorSymbol, watchSymbol, heldSymbol]) await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: s, last_price: 100 });
  jest.spyOn(console, 'error').mockImplementation(() => undefined); // the KILL_SWITCH_ENGAGED alarm
}, 120_000);
afterAll(async () => {
  jest.restoreAllMocks();
  await stack?.close();
});

it('when the kill switch engages over a long protected by an OCO and a long protected by a monitor, then every exit stays working at the broker and in the OMS, the resting entry is cancelled, the report says what was kept and why, and the stop still closes the position while halted', async () => {
  // A long of 30 with an OCO on it.
  await buy(ocoSymbol);
  await eventually(() => book(ocoSymbol), (q) => q === 30);
  const oco = await stack.api('POST', '/api/v1/groups', { type: 'oco', clientOrderId: uid('ksp-oco'), strategyId: STRATEGY, tradingsymbol: ocoSymbol, exchange: 'NFO', position: { side: 'BUY', quantity: 30 }, exits });
  expect(oco.status).toBe(202);
  const groupId: string = oco.body.group.groupId;
  const ocoLegs = await exitsAtBroker(groupId);

  // A long of 30 whose take profit / stop loss a position monitor placed as its own OCO.
  const monitored = await buy(monitorSymbol, { takeProfit: '120.00', stopLoss: '90.00' });
  const monitorId = `monitor-${monitored.replace(/^order-/, '')}`;
  const m = await eventually(() => monitor(monitorId), (x) => x?.status === 'OCO_PLACED', 60_000);
  const monitorLegs = await exitsAtBroker(m.groupId);
  await eventually(() => book(monitorSymbol), (q) => q === 30);

  // An entry resting at the broker, and a bracket whose entry has not filled: risk-increasing, so the halt takes them off.
  const resting = await buy(ocoSymbol, { price: '95.00' }, true);
  const bracket = await stack.api('POST', '/api/v1/groups', {
    type: 'bracket', clientOrderId: uid('ksp-brk'), strategyId: STRATEGY, tradingsymbol: ocoSymbol, exchange: 'NFO',
    entry: { side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '95.00' }, exits,
  });
  expect(bracket.status).toBe(202);
  const bracketId: string = bracket.body.group.groupId;
  const bracketEntry = (await eventually(() => group(bracketId), (g) => g?.legs.some((l: Leg) => l.role === 'entry' && l.status === 'OPEN'))).legs[0] as Leg;

  const engaged = await stack.api('POST', '/api/v1/kill-switch', { action: 'engage', reason: 'e2e: protection survives a halt' });
  expect(engaged.status).toBe(200);
  expect(engaged.body).toMatchObject({ changed: true, killSwitch: { status: 'HALTED' }, flattened: { enabled: false } });
  const cancelled = engaged.body.cancelled.results.map((r: { orderId: string; outcome: string; haltReason: string }) => [r.orderId, r.outcome, r.haltReason]);
  expect(cancelled.sort()).toEqual([[resting, 'cancelled', 'NOT_PROTECTIVE'], [bracketEntry.orderId, 'cancelled', 'ENTRY']].sort());
  const protective = [...ocoLegs, ...monitorLegs];
  expect(engaged.body.kept.map((k: { orderId: string }) => k.orderId).sort()).toEqual(protective.map((l) => l.orderId).sort());
  for (const k of engaged.body.kept) expect(k).toMatchObject({ reason: 'GROUP_EXIT', message: expect.stringContaining('of the long 30') });

  // The resting entry is gone, at the broker and in the OMS.
  const cancelledEntry = await eventually(() => order(resting), (o) => o.status === 'CANCELLED');
  expect((await brokerOrder(cancelledEntry.brokerOrderId)).status).toBe('CANCELLED');
  expect(await eventually(() => group(bracketId), (g) => g.status !== 'ACTIVE')).toMatchObject({ status: 'ENTRY_NOT_FILLED', legs: [{ role: 'entry', status: 'CANCELLED' }] });
  expect((await brokerOrder(bracketEntry.brokerOrderId!)).status).toBe('CANCELLED');

  // Every exit still works: at the broker, in the OMS, and the groups and the monitor carry on.
  await new Promise((r) => setTimeout(r, 1500)); // room for anything the halt might still set off
  for (const l of protective) {
    expect((await order(l.orderId)).status).toBe('OPEN');
    expect((await brokerOrder(l.brokerOrderId!)).status).toBe(l.role === 'stop' ? 'TRIGGER PENDING' : 'OPEN');
  }
  expect(await group(groupId)).toMatchObject({ status: 'ACTIVE' });
  expect(await group(m.groupId)).toMatchObject({ status: 'ACTIVE' });
  expect(await monitor(monitorId)).toMatchObject({ status: 'OCO_PLACED', openQuantity: 30 });
  expect([await netPosition(ocoSymbol), await netPosition(monitorSymbol)]).toEqual([30, 30]);

  const [event] = await stack.sql<{ payload: { kept: { orderId: string; reason: string }[] } }>(
    `select payload from kill_switch_events where type = 'ORDERS_CANCELLED' and engagement_id = $1`, [engaged.body.killSwitch.engagementId]);
  expect(event.payload.kept.map((k) => k.orderId).sort()).toEqual(protective.map((l) => l.orderId).sort());

  // New risk is refused while halted...
  const refused = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: uid('ksp-new'), strategyId: STRATEGY, tradingsymbol: ocoSymbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '95.00',
  });
  expect(refused.status).toBe(422);
  expect(refused.body.error.code).toBe('KILL_SWITCH');

  // ...while the kept stop still does its job: it triggers and fills, the OCO cancels its target, the long is closed.
  const stop = ocoLegs.find((l) => l.role === 'stop')!;
  await fill(stop.brokerOrderId!, 30, 89.5);
  const done = await eventually(() => group(groupId), (g) => g.status !== 'ACTIVE', 30_000);
  expect(done).toMatchObject({ status: 'COMPLETED', position: { open: 0 } });
  expect(done.legs.map((l: Leg) => [l.role, l.status])).toEqual([['target', 'CANCELLED'], ['stop', 'FILLED']]);
  expect(await eventually(() => netPosition(ocoSymbol), (q) => q === 0)).toBe(0);
}, 180_000);

it('when the kill switch engages over a long the OMS watches for its stop, then the monitor keeps watching and its reduce-only exit still closes the long while halted', async () => {
  await stack.api('POST', '/api/v1/kill-switch', { action: 'release', reason: 'e2e: next case' });
  const entry = await buy(watchSymbol, { strategyId: WATCHED, takeProfit: '120.00', stopLoss: '90.00' });
  const monitorId = `monitor-${entry.replace(/^order-/, '')}`;
  await eventually(() => monitor(monitorId), (x) => x?.status === 'WATCHING', 60_000);
  await eventually(() => netPosition(watchSymbol), (q) => q === 30);

  const engaged = await stack.api('POST', '/api/v1/kill-switch', { action: 'engage', reason: 'e2e: a watched stop survives a halt' });
  expect(engaged.body).toMatchObject({ changed: true, killSwitch: { status: 'HALTED' } });
  expect(await monitor(monitorId)).toMatchObject({ status: 'WATCHING', openQuantity: 30 });

  // The price falls through the stop: the monitor's MARKET exit passes the halted account and closes the long.
  await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: watchSymbol, last_price: 89 });
  const exitId = `${entry}-exit-1`;
  const exit = await eventually(() => order(exitId), (o) => !!o?.brokerOrderId, 30_000);
  expect(exit).toMatchObject({ side: 'SELL', orderType: 'MARKET', quantity: 30 });
  await fill(exit.brokerOrderId, 30, 89);
  const done = await eventually(() => monitor(monitorId), (x) => x.status !== 'CLOSING' && x.status !== 'WATCHING', 30_000);
  expect(done).toMatchObject({ status: 'CLOSED', closeReason: 'stop', openQuantity: 0 });
  expect(await netPosition(watchSymbol)).toBe(0);
  expect((await stack.api('GET', '/api/v1/kill-switch')).body.killSwitch.status).toBe('HALTED');
}, 120_000);

it('when an OCO is placed while the account is halted, then it is accepted only when it protects a held position: one on an unprotected long works, one more on it or one on a flat book is 422 KILL_SWITCH', async () => {
  await stack.api('POST', '/api/v1/kill-switch', { action: 'release', reason: 'e2e: next case' });
  await buy(heldSymbol);
  await eventually(() => book(heldSymbol), (q) => q === 30);
  expect((await stack.api('POST', '/api/v1/kill-switch', { action: 'engage', reason: 'e2e: OCOs while halted' })).body.changed).toBe(true);

  const oco = (symbol: string, clientOrderId = uid('ksp-late')) => stack.api('POST', '/api/v1/groups', {
    type: 'oco', clientOrderId, strategyId: STRATEGY, tradingsymbol: symbol, exchange: 'NFO', position: { side: 'BUY', quantity: 30 }, exits,
  });
  const protective = await oco(heldSymbol);
  expect(protective.status).toBe(202);
  await exitsAtBroker(protective.body.group.groupId);
  expect((await oco(heldSymbol, protective.body.group.clientOrderId)).status).toBe(200); // a repeat is the same group, not a second one

  const [moreId, nakedId] = [uid('ksp-more'), uid('ksp-naked')];
  const more = await oco(heldSymbol, moreId);
  expect(more.status).toBe(422);
  expect(more.body.error).toMatchObject({ code: 'KILL_SWITCH', details: { check: 'kill_switch', haltReason: 'OVER_CLOSES' } });
  const naked = await oco(watchSymbol, nakedId); // this strategy holds nothing there: the "exits" would open a short
  expect(naked.status).toBe(422);
  expect(naked.body.error).toMatchObject({ code: 'KILL_SWITCH', details: { haltReason: 'NOT_REDUCING' } });
  for (const id of [moreId, nakedId]) expect((await stack.api('GET', `/api/v1/groups/group-${id}`)).status).toBe(404); // nothing started
}, 120_000);
