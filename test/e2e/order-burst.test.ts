import type { ChildProcess } from 'node:child_process';
import type { temporal } from '@temporalio/proto';
import { latestExpirySymbols } from '../support/paper-instruments';
import { eventually, startStack, type Stack } from './stack';
import { kill9, spawnWorker, workerEnvFor } from './worker-process';

/**
 * 500 orders at once against the paper broker with Kite's rate limit on (10 order requests/s), served by one API and
 * two worker processes: the workers share the account's limit (its slots are in Postgres), so together they queue
 * their place requests under it instead of meeting 429s, and every order is placed exactly once and completes. The
 * POST answers once its order is placed, so 50 clients sending 500 orders meet the admission deadline: they do what a
 * strategy does with a 503 (or 429) and its Retry-After, re-send the same request, and learn their order's outcome.
 */
const ORDERS = Number(process.env.BURST_ORDERS ?? 500);
let stack: Stack;
const workers: ChildProcess[] = [];

const sql = <T = any>(text: string, params: unknown[] = []) => stack.sql<T>(text, params);

// The shipped broker timeout (7 s), not the test stack's 1.5 s: under this burst the in-process paper broker can take
// longer than 1.5 s to get to a request, and a request the client gave up on but the broker then acts on is the
// late-broker fault (issue 12), not what this test is about: the limit shared by two workers.
const TIMEOUT = { KITE_TIMEOUT_MS: '7000' };

beforeAll(async () => {
  stack = await startStack({ PAPER_RATE_LIMIT: 'on', PAPER_STARTING_CASH: '1000000000', ORDER_POLL_MIN_MS: '2000', ORDER_POLL_MAX_MS: '10000', ...TIMEOUT }, { worker: false });
  for (let i = 0; i < 2; i++) workers.push(spawnWorker(workerEnvFor(stack, TIMEOUT)));
}, 120_000);
afterAll(async () => {
  await Promise.all(workers.map(kill9));
  await stack?.close();
}, 60_000);

it(`when ${ORDERS} orders arrive at once at two workers with the broker's rate limit on, then none meets a 429 and every one is placed once and fills`, async () => {
  const [symbol] = await latestExpirySymbols(stack.control, '52000CE');
  const run = Date.now().toString(36);
  let next = 0;
  const statuses: number[] = [];
  const retried: string[] = [];
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (next < ORDERS) {
      const i = next++;
      const body = { clientOrderId: `burst-${run}-${i}`, strategyId: 'burst', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET', product: 'NRML' };
      let res = await stack.api('POST', '/api/v1/orders', body);
      while (res.status === 429 || res.status === 503) {
        retried.push(res.body.error.code);
        await new Promise((r) => setTimeout(r, 1000)); // the answer's Retry-After
        res = await stack.api('POST', '/api/v1/orders', body);
      }
      statuses.push(res.status);
    }
  }));
  // 202 for the first answer that saw the order placed, 200 for a re-sent request that found it already placed.
  expect(statuses.filter((s) => s === 202 || s === 200)).toHaveLength(ORDERS);
  expect(new Set(retried)).toEqual(new Set(retried.filter((code) => code === 'ADMISSION_TIMEOUT' || code === 'OVERLOADED')));

  const filled = await eventually(
    () => sql<{ n: number }>("select count(*)::int as n from orders where strategy_id = 'burst' and status = 'FILLED'").then((r) => r[0].n),
    (n) => n === ORDERS, 300_000,
  );
  expect(filled).toBe(ORDERS);
  const stats = await stack.control('GET', '/control/stats');
  expect(stats.rateLimited).toBe(0);
  // Both workers placed orders (the identity of the worker that ran each sampled order's placement): the limit held
  // because they shared it, not because one of them did all the work.
  const ids = (await sql<{ id: string }>("select id from orders where strategy_id = 'burst' order by id limit 60")).map((r) => r.id);
  const placers = new Set<string>();
  for (const id of ids) placers.add(placerOf((await stack.client.workflow.getHandle(id).fetchHistory()).events ?? []));
  expect(placers.has('')).toBe(false);
  expect(placers.size).toBe(2);
  expect(stats.placeRequestsReceived).toBe(ORDERS);
  expect(stats.ordersPlaced).toBe(ORDERS);
  const book: { orders: { tag: string }[] } = await stack.control('GET', '/control/orders');
  expect(new Set(book.orders.map((o) => o.tag)).size).toBe(ORDERS);
}, 420_000);

type HistoryEvent = NonNullable<temporal.api.history.v1.IHistory['events']>[number];

/**
 * The identity of the worker that placed the order: the first attempt is a local activity (a marker recorded by the
 * workflow task that ran it), a retry a regular activity (its started event). '' when neither is in the history.
 */
function placerOf(events: HistoryEvent[]): string {
  const localPlacement = events.find((e) => e.markerRecordedEventAttributes && payloadText(e.markerRecordedEventAttributes.details?.data).includes('"activity_type":"submitOrderToBroker"'));
  if (localPlacement) {
    const completedBy = localPlacement.markerRecordedEventAttributes!.workflowTaskCompletedEventId?.toString();
    return events.find((e) => e.eventId?.toString() === completedBy)?.workflowTaskCompletedEventAttributes?.identity ?? '';
  }
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'submitOrderToBroker');
  const started = events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString());
  return started?.activityTaskStartedEventAttributes?.identity ?? '';
}

const payloadText = (p: temporal.api.common.v1.IPayloads | null | undefined): string =>
  (p?.payloads ?? []).map((x) => Buffer.from(x.data ?? new Uint8Array()).toString('utf8')).join('');
