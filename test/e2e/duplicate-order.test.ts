import { KiteConnect } from 'kiteconnect';
import { writeReconciliationConfig } from '../support/reconciliation-config';
import type { ReconciliationOutcome } from '../../src/workflows/reconciliation';
import { eventually, startStack, type Stack } from './stack';

/**
 * Two broker orders under one OMS order's tag (DUPLICATE_ORDER), made by placing a second order with the same tag
 * straight at the paper broker:
 *   R  the duplicate rests unfilled -> reconciliation cancels it; the OMS order stays on its own broker order
 *   F  the duplicate filled          -> its fill is booked to the order's strategy, so the books match the broker
 * Polling is slowed so that the OMS orders stay as the test leaves them.
 */
let stack: Stack;
let kite: InstanceType<typeof KiteConnect>;
let seq = 0;
const cid = (name: string) => `dup-${name}-${Date.now().toString(36)}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const book = async (strategyId: string, symbol: string) => (await stack.sql('SELECT quantity FROM positions WHERE strategy_id = $1 AND tradingsymbol = $2', [strategyId, symbol]))[0]?.quantity ?? 0;
const reconcile = async (): Promise<Extract<ReconciliationOutcome, { status: 'APPLIED' }>> => {
  const r: ReconciliationOutcome = await stack.client.workflow.execute('reconciliationWorkflow', { taskQueue: stack.taskQueue, workflowId: cid('run'), args: [] });
  if (r.status !== 'APPLIED') throw new Error(`the run did not apply: ${JSON.stringify(r)}`);
  return r;
};
const logOf = (runId: string) => stack.sql('SELECT kind, key, tradingsymbol, order_id, internal, policy, resolution, detail FROM reconciliation_log WHERE run_id = $1 ORDER BY kind, key', [runId]);

async function omsBuy(symbol: string): Promise<{ id: string; tag: string; brokerOrderId: string }> {
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: cid(symbol.slice(-7)), strategyId: 'dup1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00', product: 'NRML',
  });
  expect(placed.status).toBe(202);
  const o = await eventually(() => order(placed.body.order.orderId), (x) => Boolean(x.brokerOrderId));
  return { id: o.orderId, tag: o.tag, brokerOrderId: o.brokerOrderId };
}

async function brokerBuy(symbol: string, tag: string): Promise<string> {
  const r = await kite.placeOrder('regular' as never, { exchange: 'NFO', tradingsymbol: symbol, transaction_type: 'BUY', quantity: 30, product: 'NRML', order_type: 'LIMIT', price: 10, validity: 'DAY', tag } as never);
  return String((r as { order_id: string }).order_id);
}

const brokerStatus = async (brokerOrderId: string) => ((await kite.getOrderHistory(brokerOrderId)) as unknown as { status: string }[]).at(-1)?.status;

let symbols: { R: string; F: string };
let R: { id: string; tag: string; brokerOrderId: string; duplicate: string };
let F: { id: string; tag: string; brokerOrderId: string; duplicate: string };
let first: Extract<ReconciliationOutcome, { status: 'APPLIED' }>;

beforeAll(async () => {
  stack = await startStack({
    ORDER_POLL_MIN_MS: '600000', ORDER_POLL_MAX_MS: '600000',
    RECONCILIATION_CONFIG_FILE: writeReconciliationConfig({ enabled: true, intervalSeconds: 86_400 }),
  });
  kite = new KiteConnect({ api_key: 'paper_key', access_token: 'paper_token', root: stack.sys.paperBrokerUrl!, timeout: 3000 } as never);
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  const calls = instruments.filter((i) => i.expiry === last && i.tradingsymbol.endsWith('00CE')).map((i) => i.tradingsymbol);
  symbols = { R: calls[0], F: calls[1] };
  await stack.control('POST', '/control/config', { matching: { mode: 'manual', tickIntervalMs: 0 } });
  for (const s of Object.values(symbols)) await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: s, last_price: 10.5 });

  const r = await omsBuy(symbols.R);
  R = { ...r, duplicate: await brokerBuy(symbols.R, r.tag) };
  const f = await omsBuy(symbols.F);
  F = { ...f, duplicate: await brokerBuy(symbols.F, f.tag) };
  await stack.control('POST', `/control/orders/${F.duplicate}/fill`, { quantity: 30, price: 10 });
  first = await reconcile();
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

describe('two broker orders under one tag (DUPLICATE_ORDER)', () => {
  it('when the duplicate rests unfilled, then reconciliation finds it, cancels it at the broker and the order keeps its own broker order', async () => {
    const row = (await logOf(first.runId)).find((l) => l.kind === 'DUPLICATE_ORDER' && l.key === R.duplicate);
    expect(row).toMatchObject({ order_id: R.id, internal: { brokerOrderId: R.brokerOrderId }, policy: 'cancel-extra', resolution: 'ALERTED', detail: { cancelled: true } });
    expect(await brokerStatus(R.duplicate)).toBe('CANCELLED');
    expect(await brokerStatus(R.brokerOrderId)).toBe('OPEN');
    expect(await order(R.id)).toMatchObject({ brokerOrderId: R.brokerOrderId, status: expect.stringMatching(/^(SUBMITTED|OPEN)$/) });
  });

  it('when the duplicate filled, then its fill is booked to the order\'s strategy and the books match the broker', async () => {
    const row = (await logOf(first.runId)).find((l) => l.kind === 'DUPLICATE_ORDER' && l.key === F.duplicate);
    expect(row).toMatchObject({ order_id: F.id, resolution: 'ALERTED', detail: { cancelled: false, tradesBooked: 1, filledQuantity: 30 } });
    const trades = await stack.sql('SELECT order_id, broker_order_id, quantity FROM trades WHERE broker_order_id = $1', [F.duplicate]);
    expect(trades).toEqual([{ order_id: F.id, broker_order_id: F.duplicate, quantity: 30 }]);
    expect(await book('dup1', symbols.F)).toBe(30);
    expect(await book('*:default', symbols.F)).toBe(30);
    // this run books the fill, so it corrects nothing on the contract (that would count the fill twice)
    expect((await logOf(first.runId)).find((l) => l.tradingsymbol === symbols.F && l.kind !== 'DUPLICATE_ORDER')).toMatchObject({ resolution: 'DEFERRED' });
  });

  it('when reconciliation runs again, then nothing is booked twice, no position differs and the settled duplicates raise no alert', async () => {
    const again = await reconcile();
    const log = await logOf(again.runId);
    expect(log.filter((l) => l.kind !== 'DUPLICATE_ORDER' && (l.tradingsymbol === symbols.F || l.tradingsymbol === symbols.R))).toEqual([]);
    expect(log.filter((l) => l.kind === 'DUPLICATE_ORDER').map((l) => [l.key, l.resolution]).sort()).toEqual([[F.duplicate, 'DUPLICATE_SETTLED'], [R.duplicate, 'DUPLICATE_SETTLED']].sort());
    expect(await book('dup1', symbols.F)).toBe(30);
    expect(await stack.sql('SELECT count(*)::int AS n FROM trades WHERE broker_order_id = $1', [F.duplicate])).toEqual([{ n: 1 }]);
  });
});
