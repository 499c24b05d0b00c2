import type { Alert } from '../../src/domain/strategy-events';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBrokerActivities, type BrokerActivityDeps } from '../../src/activities/broker-activities';
import { KiteGateway } from '../../src/broker/kite-gateway';
import type { PendingSave } from '../../src/activities/record-outcome';
import { initialOrderState, type OrderState } from '../../src/domain/order-state';
import { transition } from '../../src/domain/order-transition';
import type { BrokerOrderSnapshot } from '../../src/domain/order-types';
import { OrderStore } from '../../src/store/order-store';
import { createStoreActivities } from '../../src/activities/store-activities';
import type { Db } from '../../src/store/prisma';
import { BANKNIFTY_CE, limitBuy, snapshot, trade } from '../domain/fixtures';
import { ACCESS_TOKEN, API_KEY, startHarness, type Harness } from '../paper/paper-harness';
import { useTestPrisma } from '../support/prisma';
import { freePort } from '../support/ports';

let prisma: Db;
let orders: OrderStore;
let n = 0;
useTestPrisma((p) => { prisma = p; orders = new OrderStore(p); });

const AT = '2026-11-24T05:00:00.000Z';

/** A validated order (PENDING), saved as admission leaves it, and its pending save for the next activity. */
async function admitted(): Promise<{ state: OrderState; record: PendingSave }> {
  const id = `order-ba-${process.pid}-${++n}`;
  const fresh = initialOrderState({ orderId: id, tag: `ba${process.pid}x${n}`, payloadHash: 'h', request: limitBuy({ clientOrderId: id }), at: AT });
  const { state, audit } = transition(fresh, { type: 'VALIDATED', report: { passed: true, checks: [], flags: [], configVersion: 'v' }, instrument: BANKNIFTY_CE, at: AT });
  await orders.saveProgress(state, audit);
  return { state, record: { state, events: [], at: '2026-11-24T05:00:01.000Z' } };
}

function activities(read: BrokerOrderSnapshot, store: BrokerActivityDeps['store'] = orders) {
  const broker = {
    getInstrument: async () => BANKNIFTY_CE,
    placeOrder: async () => 'B-77',
    findOrderByTag: async () => null,
    getOrderSnapshot: async () => read,
    modifyOrder: async () => undefined,
    cancelOrder: async () => undefined,
  };
  return createBrokerActivities({ broker, store });
}

const run = <A, R>(fn: (a: A) => Promise<R>, args: A): Promise<R> => new MockActivityEnvironment().run(fn, args);

describe('broker activities save the order with their outcome (one activity instead of a call and a save)', () => {
  it('when a placement carries the pending save, then the order is SUBMITTED in Postgres with its broker id and audit before the answer returns', async () => {
    const { state, record } = await admitted();
    const acts = activities(snapshot());
    const placed = await run(acts.submitOrderToBroker, { orderId: state.orderId, tag: state.tag, request: state.request, record });

    expect(placed).toMatchObject({ brokerOrderId: 'B-77', recovered: false, recorded: { sequence: state.eventSequence + 1 } });
    const row = await orders.getOrder(state.orderId);
    expect(row).toMatchObject({ status: 'SUBMITTED', brokerOrderId: 'B-77' });
    expect(row!.submittedAt?.toISOString()).toBe(record.at);
    expect(row!.events.at(-1)).toMatchObject({ toStatus: 'SUBMITTED', sequence: state.eventSequence + 1 });
  });

  it('when a read carries the pending save, then the fills it shows are recorded as trades and the order row moves with them', async () => {
    const { state } = await admitted();
    const submitted = transition(state, { type: 'SUBMITTED', brokerOrderId: 'B-78', recovered: false, at: AT }).state;
    await orders.saveProgress(submitted, []);
    const filled = snapshot({ brokerOrderId: 'B-78', status: 'COMPLETE', filledQuantity: 90, pendingQuantity: 0, averagePricePaise: 10_000, trades: [trade('T-ba-1', 90, 10_000)] });
    const acts = activities(filled);

    const read = await run(acts.fetchBrokerOrder, { brokerOrderId: 'B-78', record: { state: submitted, events: [], at: AT, source: 'broker-postback' } });

    expect(read.status).toBe('COMPLETE');
    expect(read.recorded?.sequence).toBeGreaterThan(submitted.eventSequence);
    const row = await orders.getOrder(state.orderId);
    expect(row).toMatchObject({ status: 'FILLED', filledQuantity: 90 });
    expect(row!.trades.map((t) => t.brokerTradeId)).toEqual(['T-ba-1']);
    expect(row!.events.at(-1)!.sequence).toBe(read.recorded?.sequence);
  });

  it('when the broker refused the order unfilled, then the read saves nothing: the workflow\'s fallback ladder decides what happens', async () => {
    const { state } = await admitted();
    const submitted = transition(state, { type: 'SUBMITTED', brokerOrderId: 'B-79', recovered: false, at: AT }).state;
    await orders.saveProgress(submitted, []);
    const acts = activities(snapshot({ brokerOrderId: 'B-79', status: 'REJECTED', statusMessage: 'margin' }));

    const read = await run(acts.fetchBrokerOrder, { brokerOrderId: 'B-79', record: { state: submitted, events: [], at: AT, source: 'broker-poll' } });

    expect(read.recorded).toBeUndefined();
    expect((await orders.getOrder(state.orderId))?.status).toBe('SUBMITTED');
  });

  it('when a cancel carries the pending save, then the request is saved once the broker accepted it, and the order stays working until a read shows it cancelled', async () => {
    const { state } = await admitted();
    const submitted = transition(state, { type: 'SUBMITTED', brokerOrderId: 'B-80', recovered: false, at: AT }).state;
    await orders.saveProgress(submitted, []);
    const requested = transition(submitted, { type: 'CANCEL_REQUESTED', by: 'api-key:ops (operator)', at: AT });
    const acts = activities(snapshot());

    const answer = await run(acts.cancelBrokerOrder, { brokerOrderId: 'B-80', variety: 'regular', record: { state: requested.state, events: requested.audit, at: AT } });

    expect(answer).toEqual({ ok: true, message: 'accepted', recorded: { sequence: requested.state.eventSequence } });
    const row = await orders.getOrder(state.orderId);
    expect(row?.status).toBe('SUBMITTED');
    expect(row?.events.at(-1)).toMatchObject({ type: 'CANCEL_REQUESTED', sequence: requested.state.eventSequence });
  });

  it('when the save fails, then the placement still answers (the broker has the order) and says nothing was recorded', async () => {
    const { state, record } = await admitted();
    const acts = activities(snapshot(), { saveProgress: async () => { throw new Error('database is down'); }, takeSendTicket: async () => true, claimSendTicket: async () => ({ claimed: true as const }), releaseSendTicket: async () => undefined, sendTicketSettlesInMs: async () => 0 });

    const placed = await run(acts.submitOrderToBroker, { orderId: state.orderId, tag: state.tag, request: state.request, record });

    expect(placed).toEqual({ brokerOrderId: 'B-77', recovered: false });
    expect(await prisma.order.findUnique({ where: { id: state.orderId }, select: { status: true } })).toEqual({ status: 'PENDING' });
  });
});

describe('a placement run again from attempt 1 (a local activity whose worker died) sends nothing twice: the send ticket', () => {
  let h: Harness;
  let gateway: KiteGateway;
  beforeAll(async () => {
    h = await startHarness();
    gateway = new KiteGateway({ apiKey: API_KEY, accessToken: ACCESS_TOKEN, root: h.root, timeoutMs: 5000 });
  });
  afterAll(() => h.close());

  /** An admitted order on a contract the paper broker lists. */
  async function admittedAtPaper(): Promise<{ state: OrderState; record: PendingSave }> {
    const { state, record } = await admitted();
    const paper = h.broker.instruments().find((i) => i.segment === 'NFO-OPT')!;
    const request = { ...state.request, tradingsymbol: paper.tradingsymbol, exchange: 'NFO' as const };
    return { state: { ...state, request }, record: { ...record, state: { ...record.state, request } } };
  }
  const brokerOrders = async (tag: string) => ((await h.control('GET', `/control/orders?tag=${tag}`)) as { count: number }).count;

  it('when the first run placed the order and died before it answered, then the second run adopts the broker order by its tag', async () => {
    const { state, record } = await admittedAtPaper();
    const acts = createBrokerActivities({ broker: gateway, store: orders });
    const args = { orderId: state.orderId, tag: state.tag, request: state.request, record };

    const first = await run(acts.submitOrderToBroker, args); // its answer never reached the workflow
    const again = await run(acts.submitOrderToBroker, args); // attempt 1 again, no lookFirst: only the ticket knows

    expect(again).toMatchObject({ brokerOrderId: first.brokerOrderId, recovered: true });
    expect(await brokerOrders(state.tag)).toBe(1);
  });

  it('when the first run took the ticket and may still send (alive but slow, or killed mid-send), then the second run sends nothing and says when to look again', async () => {
    const { state, record } = await admittedAtPaper();
    expect(await orders.takeSendTicket(state.tag, state.orderId, new Date(Date.now() + 30_000))).toBe(true);
    const acts = createBrokerActivities({ broker: gateway, store: orders });

    const attempt = run(acts.submitOrderToBroker, { orderId: state.orderId, tag: state.tag, request: state.request, record });

    await expect(attempt).rejects.toMatchObject({ type: 'PLACEMENT_IN_DOUBT', nonRetryable: false });
    const waitMs = ((await attempt.catch((e: { details: unknown[] }) => e)) as { details: number[] }).details[0];
    expect(waitMs).toBeGreaterThan(30_000); // its promise, then the settle window
    expect(await brokerOrders(state.tag)).toBe(0);
  });

  it('when the first run took the ticket and died before it sent, then once its promise and the settle window are over the second run looks, finds nothing and places once', async () => {
    const { state, record } = await admittedAtPaper();
    expect(await orders.takeSendTicket(state.tag, state.orderId, new Date(Date.now() - 60_000))).toBe(true); // killed right after
    const acts = createBrokerActivities({ broker: gateway, store: orders });

    const placed = await run(acts.submitOrderToBroker, { orderId: state.orderId, tag: state.tag, request: state.request, record });

    expect(placed).toMatchObject({ recovered: false });
    expect(await brokerOrders(state.tag)).toBe(1);
    expect((await orders.getOrder(state.orderId))?.brokerOrderId).toBe(placed.brokerOrderId);
  });

  it('when the ticket cannot be taken (the database is down), then nothing is sent and the attempt fails retryably', async () => {
    const { state, record } = await admittedAtPaper();
    const acts = createBrokerActivities({ broker: gateway, store: { saveProgress: async () => undefined, takeSendTicket: async () => { throw new Error('database is down'); }, claimSendTicket: async () => ({ claimed: true as const }), releaseSendTicket: async () => undefined, sendTicketSettlesInMs: async () => 0 } });

    await expect(run(acts.submitOrderToBroker, { orderId: state.orderId, tag: state.tag, request: state.request, record })).rejects.toMatchObject({ type: 'SEND_TICKET_UNAVAILABLE', nonRetryable: false });
    expect(await brokerOrders(state.tag)).toBe(0);
  });
  it('when the connection is refused before anything is sent, then the ticket is given back and the next attempt places at once (no settle wait)', async () => {
    const { state, record } = await admittedAtPaper();
    const down = new KiteGateway({ apiKey: API_KEY, accessToken: ACCESS_TOKEN, root: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    const args = { orderId: state.orderId, tag: state.tag, request: state.request, record };

    await expect(run(createBrokerActivities({ broker: down, store: orders }).submitOrderToBroker, args)).rejects.toMatchObject({ nonRetryable: false });
    expect(await orders.sendTicketSettlesInMs(state.tag, 60_000)).toBe(0);

    const placed = await run(createBrokerActivities({ broker: gateway, store: orders, settleMs: 60_000 }).submitOrderToBroker, { ...args, lookFirst: true });
    expect(placed).toMatchObject({ recovered: false });
    expect(await brokerOrders(state.tag)).toBe(1);
  });

  it('when the broker holds two orders under the tag, then the placement adopts the first, alerts DUPLICATE_ORDER naming the other, and is never refused', async () => {
    const { state, record } = await admittedAtPaper();
    const firstId = await gateway.placeOrder(state.request, state.tag);
    const secondId = await gateway.placeOrder(state.request, state.tag);
    const alerts: Alert[] = [];
    const acts = createBrokerActivities({ broker: gateway, store: orders, alerts: { raise: async (a) => void alerts.push(a) } });

    const placed = await run(acts.submitOrderToBroker, { orderId: state.orderId, tag: state.tag, request: state.request, record, lookFirst: true });
    const found = await run(acts.findBrokerOrderByTag, { tag: state.tag, orderId: state.orderId });

    expect(placed).toMatchObject({ brokerOrderId: firstId, recovered: true });
    expect(found).toMatchObject({ brokerOrderId: firstId, duplicates: [secondId] });
    expect(alerts[0]).toMatchObject({ kind: 'DUPLICATE_ORDER', severity: 'critical', orderId: state.orderId, details: { brokerOrderId: firstId, duplicates: [secondId] } });
    expect(await brokerOrders(state.tag)).toBe(2); // nothing more was sent
  });
});

describe('saves the database cannot refuse in a loop', () => {
  it('when the broker\'s text carries a NUL or a lone surrogate, then the order is saved with that text made storable', async () => {
    const { state } = await admitted();
    const brokerOrderId = `B-nul-${state.orderId}`; // unique in this database
    const submitted = transition(state, { type: 'SUBMITTED', brokerOrderId, recovered: false, at: AT }).state;
    await orders.saveProgress(submitted, []);
    const read = snapshot({ brokerOrderId, status: 'REJECTED', statusMessage: 'RMS:\u0000 blocked \uD800', filledQuantity: 0, pendingQuantity: 0 });
    const next = transition(submitted, { type: 'BROKER_SNAPSHOT', snapshot: read, source: 'broker-poll', at: AT });

    await createStoreActivities({ store: orders }).saveOrderProgress({ state: next.state, events: next.audit });

    const row = await orders.getOrder(state.orderId);
    expect(row?.statusMessage).toBe('RMS: blocked \uFFFD');
  });

  it('when the database refuses the data itself (a value out of range), then the save fails at once, not retryable (DATA_REJECTED)', async () => {
    const { state } = await admitted();
    const huge = { ...state, quantity: 2 ** 40 };
    await expect(run(createStoreActivities({ store: orders }).saveOrderProgress, { state: huge, events: [] })).rejects.toMatchObject({ type: 'DATA_REJECTED', nonRetryable: true });
  });
});
