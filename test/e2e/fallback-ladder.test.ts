import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { latestExpirySymbols } from '../support/paper-instruments';
import { eventually, startStack, type Stack } from './stack';

/**
 * The fallback ladder on the real stack: the paper broker's RMS refuses orders it has no margin for, refuses by a
 * fault, or above its freeze quantity (600); the OMS reduces, asks an operator, or splits, as config/execution.json says.
 */
let stack: Stack;
let symbol: string;
let cheap: string;
let n = 0;

const sql = <T = any>(text: string, params: unknown[] = []) => stack.sql<T>(text, params);
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const place = (extra: Record<string, unknown>) => stack.api('POST', '/api/v1/orders', {
  clientOrderId: `fb-${Date.now().toString(36)}-${++n}`, strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 90,
  orderType: 'LIMIT', price: '105.00', product: 'NRML', ...extra,
});
const brokerOrdersFor = async (tags: string[]) => Promise.all(tags.map(async (t) => (await stack.control('GET', `/control/orders?tag=${t}`)).orders)).then((l) => l.flat());

beforeAll(async () => {
  // 5,000 rupees of cash: one lot (30) at 105 fits, two lots do not.
  const risk = writeRiskConfig(riskConfigWith({ instrument: { freezeQuantities: { BANKNIFTY: 600 } } }));
  stack = await startStack({ PAPER_STARTING_CASH: '5000', RISK_CONFIG_FILE: risk });
  [symbol, cheap] = await latestExpirySymbols(stack.control, '52000CE', '52000PE');
}, 120_000);
afterAll(async () => { await stack?.close(); });

/** Each test starts from the paper broker's opening cash (orders before it bought positions with it). */
beforeEach(async () => {
  await stack.control('POST', '/control/reset');
  await stack.control('POST', '/control/config', { matching: { tickIntervalMs: 0 } });
  await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: symbol, last_price: 100 });
  await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: cheap, last_price: 2 });
});

it('when the broker RMS refuses 90 and 60 for margin, then the OMS re-places one lot less each time under a new tag, and 30 fills', async () => {
  const placed = await place({});
  expect(placed.status).toBe(202);
  const id = placed.body.order.orderId;
  const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 60_000);
  expect(done).toMatchObject({ quantity: 30, filledQuantity: 30 });
  expect(done.attempts.map((a: any) => [a.quantity, a.rejection, a.rung])).toEqual([[90, 'margin', 'reduce'], [60, 'margin', 'reduce']]);
  const atBroker = await brokerOrdersFor([...done.attempts.map((a: any) => a.tag), done.tag]);
  expect(atBroker.map((o: any) => [o.quantity, o.status])).toEqual([[90, 'REJECTED'], [60, 'REJECTED'], [30, 'COMPLETE']]);
  const steps = await sql("select payload from order_events where order_id = $1 and type = 'FALLBACK_STEP' order by sequence", [id]);
  expect(steps.map((s: any) => [s.payload.rung, s.payload.quantity])).toEqual([['reduce', 60], ['reduce', 30]]);
});

it('when the broker refuses an order and the operator converts it in manual review, then it is re-placed as MARKET once and fills', async () => {
  await stack.control('POST', '/control/faults', { kind: 'reject_next', error_type: 'OrderException', message: 'RMS: order blocked for review' });
  const placed = await place({ quantity: 30, tradingsymbol: cheap, price: '2.10' });
  const id = placed.body.order.orderId;
  const waiting = await eventually(() => stack.api('GET', '/api/v1/interventions').then((r) => r.body.interventions), (l) => l.some((i: any) => i.orderId === id));
  expect(waiting.find((i: any) => i.orderId === id).intervention).toMatchObject({ reason: 'MANUAL_REVIEW', actions: ['retry', 'modify', 'convert', 'abandon'] });
  expect((await stack.api('POST', `/api/v1/orders/${id}/interventions`, { action: 'modify' })).status).toBe(400); // modify needs new terms
  const decided = await stack.api('POST', `/api/v1/orders/${id}/interventions`, { action: 'convert', note: 'checked with the desk' });
  expect(decided.status).toBe(200);
  const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 60_000);
  expect(done).toMatchObject({ orderType: 'MARKET', filledQuantity: 30 });
  const atBroker = await brokerOrdersFor([done.tag]);
  expect(atBroker.map((o: any) => [o.order_type, o.status])).toEqual([['MARKET', 'COMPLETE']]);
  expect((await stack.api('GET', '/api/v1/interventions')).body.interventions.some((i: any) => i.orderId === id)).toBe(false);
});

it('when an order of 1200 asks to be split above the freeze quantity 600, then the broker gets two orders of 600 and the order fills as their sum', async () => {
  const placed = await place({ tradingsymbol: cheap, quantity: 1200, price: '2.10', split: true });
  expect(placed.status).toBe(202);
  const id = placed.body.order.orderId;
  const done = await eventually(() => order(id), (o) => o.status === 'FILLED' && o.source === 'database', 60_000);
  expect(done).toMatchObject({ filledQuantity: 1200, brokerOrderId: null });
  expect(done.slices.map((x: any) => [x.quantity, x.status])).toEqual([[600, 'FILLED'], [600, 'FILLED']]);
  expect(done.fills.reduce((q: number, f: any) => q + f.quantity, 0)).toBe(1200);
  const slices = await sql<{ tag: string; leg_role: string; parent_id: string }>('select tag, leg_role, parent_id from orders where parent_id = $1 order by id', [id]);
  expect(slices.map((s) => s.leg_role)).toEqual(['slice-1', 'slice-2']);
  const atBroker = await brokerOrdersFor(slices.map((s) => s.tag));
  expect(atBroker.map((o: any) => [o.quantity, o.status])).toEqual([[600, 'COMPLETE'], [600, 'COMPLETE']]);
});

it('when a split would need more than 10 slices, then it is a 422 SPLIT_LIMIT and nothing reaches the broker', async () => {
  const before = (await stack.control('GET', '/control/orders')).count;
  const res = await place({ tradingsymbol: cheap, quantity: 6030, price: '2.00', split: true });
  expect(res.status).toBe(422);
  expect(res.body.error.code).toBe('SPLIT_LIMIT');
  expect((await stack.control('GET', '/control/orders')).count).toBe(before);
});
