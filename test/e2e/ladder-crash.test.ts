import { latestExpirySymbols, quietMarketAt } from '../support/paper-instruments';
import { eventually } from './stack';
import { useStackWithWorkerProcess } from './worker-process';

/**
 * The execution ladder on the real stack with the worker SIGKILLed in the middle of a step. To make "the middle"
 * certain rather than lucky, the broker answers the step's modify with a 503 (a fault that does nothing at the
 * broker), so the worker is killed while it holds a modify it must retry; the new worker takes the order over.
 */
const crash = useStackWithWorkerProcess();
let symbol: string;
let n = 0;

beforeAll(async () => {
  [symbol] = await latestExpirySymbols(crash.stack.control, '52000CE');
  await quietMarketAt(crash.stack.control, symbol, 100);
});
afterEach(async () => {
  await crash.kill();
  await crash.stack.control('DELETE', '/control/faults');
});

type LadderStep = { step: number; kind: 'reprice' | 'market' | 'done'; fromPaise?: number; pricePaise?: number };

const order = (id: string) => crash.stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const eventsOf = <T = any>(id: string, type: string) =>
  crash.stack.sql<{ sequence: number; payload: T }>('select sequence, payload from order_events where order_id = $1 and type = $2 order by sequence', [id, type]);
const brokerOrders = (tag: string) => crash.stack.control('GET', `/control/orders?tag=${tag}`);
const faultsInjected = () => crash.stack.control('GET', '/control/stats').then((s) => s.faultsInjected as number);
const placeBuy = (quantity: number, price: string, execution: unknown) => crash.stack.api('POST', '/api/v1/orders', {
  clientOrderId: `lcrash-${Date.now().toString(36)}-${++n}`, strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY',
  quantity, orderType: 'LIMIT', price, product: 'NRML', execution,
});

/** The next two order requests (the step's modify and its first retry) are answered 503 without reaching the book. */
const failNextTwoModifies = () => crash.stack.control('POST', '/control/faults', { kind: 'http_error', status: 503, count: 2, routes: 'orders' });
/** Resolves once the first 503 has gone out: the worker now holds a modify it must retry. */
async function modifyRefused(faultsBefore: number): Promise<void> {
  expect(await eventually(faultsInjected, (c) => c > faultsBefore, 30_000)).toBeGreaterThan(faultsBefore);
}

describe('a worker SIGKILLed in the middle of an execution-ladder step', () => {
  it('when the worker is killed while a chase rung\'s modify waits for its retry, then a new worker finishes the ladder: FILLED, one broker order, one modify per rung, each step recorded once', async () => {
    crash.spawn();
    const placed = await placeBuy(30, '90.00', { chase: { stepAfterMs: 1500, steps: 2, maxMovePercent: 5, thenMarket: true } });
    expect(placed.status).toBe(202);
    const { orderId: id, tag } = placed.body.order;

    const firstRung = await eventually(() => eventsOf(id, 'LADDER_STEP'), (rows) => rows.length >= 1, 60_000);
    expect(firstRung.length).toBeGreaterThanOrEqual(1);
    // Rung 1 reached the broker; the fault meets the next rung's modify (rung 2, or the MARKET one on a slow box).
    await eventually(() => brokerOrders(tag), (b) => b.orders[0]?.requests.modify >= 1, 30_000);
    const before = await faultsInjected();
    await failNextTwoModifies();
    await modifyRefused(before);
    await crash.kill();
    crash.spawn();

    const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 50_000);
    expect(done).toMatchObject({ status: 'FILLED', filledQuantity: 30 });
    const steps = (await eventsOf<LadderStep>(id, 'LADDER_STEP')).map((r) => r.payload);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(steps.map((s) => [s.kind, s.pricePaise])).toEqual([['reprice', 9_225], ['reprice', 9_450], ['market', undefined]]);
    const modifyRungs = steps.filter((s) => s.kind === 'market' || (s.kind === 'reprice' && s.pricePaise !== s.fromPaise));
    const broker = await brokerOrders(tag);
    expect(broker.count).toBe(1);
    expect(broker.orders[0]).toMatchObject({ order_type: 'MARKET', status: 'COMPLETE', requests: { place: 1, modify: modifyRungs.length } });
    // The killed worker really was in the middle of a modify: the retry it owed is on record.
    expect((await eventsOf<{ operation: string }>(id, 'RETRY_SCHEDULED')).map((r) => r.payload.operation)).toContain('modify');
  }, 120_000);

  it('when the worker is killed while the broker is applying a rung\'s modify, then the re-sent modify changes nothing: FILLED, one broker order, at most one extra modify, each step recorded once', async () => {
    crash.spawn();
    const placed = await placeBuy(30, '90.00', { chase: { stepAfterMs: 1500, steps: 2, maxMovePercent: 5, thenMarket: true } });
    expect(placed.status).toBe(202);
    const { orderId: id, tag } = placed.body.order;

    await eventually(() => eventsOf(id, 'LADDER_STEP'), (rows) => rows.length >= 1, 60_000);
    await eventually(() => brokerOrders(tag), (b) => b.orders[0]?.requests.modify >= 1, 30_000);
    // The broker holds the next modify a little (under the worker's HTTP timeout) and then applies it, whoever waits.
    const before = await faultsInjected();
    await crash.stack.control('POST', '/control/faults', { kind: 'delay', ms: 1300, count: 1, routes: 'orders' });
    for (let i = 0; i < 600 && (await faultsInjected()) === before; i++) await new Promise((r) => setTimeout(r, 50));
    await crash.kill();
    expect(await faultsInjected()).toBeGreaterThan(before);
    crash.spawn();

    const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 55_000);
    expect(done).toMatchObject({ status: 'FILLED', filledQuantity: 30 });
    const steps = (await eventsOf<LadderStep>(id, 'LADDER_STEP')).map((r) => r.payload);
    expect(steps.map((s) => [s.step, s.kind, s.pricePaise])).toEqual([[1, 'reprice', 9_225], [2, 'reprice', 9_450], [3, 'market', undefined]]);
    const broker = await brokerOrders(tag);
    expect(broker.count).toBe(1);
    expect(broker.orders[0]).toMatchObject({ order_type: 'MARKET', status: 'COMPLETE', filled_quantity: 30, requests: { place: 1 } });
    // The killed attempt's outcome was unknown, so its modify may be sent again; an absolute price makes that a no-op.
    expect(broker.orders[0].requests.modify).toBeGreaterThanOrEqual(steps.length);
    expect(broker.orders[0].requests.modify).toBeLessThanOrEqual(steps.length + 1);
  }, 120_000);

  it('when the worker is killed after a time completion policy triggered its conversion to MARKET, then a new worker completes the remainder once: FILLED 90, one broker order, one modify', async () => {
    crash.spawn();
    const placed = await placeBuy(90, '95.00', { completion: { policy: 'time', afterMs: 800, action: 'market' } });
    expect(placed.status).toBe(202);
    const { orderId: id, tag } = placed.body.order;
    const open = await eventually(() => order(id), (o) => o.status === 'OPEN', 60_000);
    expect(open.status).toBe('OPEN');

    // Nothing else sends order requests now: the faults meet the completion's MARKET modify.
    const before = await faultsInjected();
    await failNextTwoModifies();
    await crash.stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, { quantity: 30, price: 95 });
    await eventually(() => eventsOf(id, 'COMPLETION_TRIGGERED'), (rows) => rows.length === 1, 30_000);
    await modifyRefused(before);
    await crash.kill();
    crash.spawn();

    const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 50_000);
    expect(done).toMatchObject({ status: 'FILLED', filledQuantity: 90 });
    const triggered = await eventsOf(id, 'COMPLETION_TRIGGERED');
    expect(triggered.map((r) => r.payload)).toEqual([{ policy: 'time', action: 'market', remaining: 60 }]);
    expect(await eventsOf(id, 'LADDER_STOPPED')).toEqual([]);
    const broker = await brokerOrders(tag);
    expect(broker.count).toBe(1);
    expect(broker.orders[0]).toMatchObject({ order_type: 'MARKET', status: 'COMPLETE', filled_quantity: 90, requests: { place: 1, modify: 1 } });
    expect((await eventsOf<{ operation: string }>(id, 'RETRY_SCHEDULED')).map((r) => r.payload.operation)).toContain('modify');
  }, 120_000);
});
