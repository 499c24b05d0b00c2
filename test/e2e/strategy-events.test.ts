import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signatureOf } from '../../src/services/event-delivery';
import { TEST_KEYS } from '../support/access-config';
import { startReceiver, type Received } from '../support/http-receiver';
import { SseClient, type SseEvent } from '../support/sse-client';
import { eventually, startStack, type Stack } from './stack';

/**
 * Events pushed to strategies and operators, end to end: the SSE stream (resumed after a cut), a strategy webhook
 * whose receiver fails twice, and alert channels in the three formats.
 */
let stack: Stack;
let symbol: string;
const SECRET = 'whsec-test-0123456789';
let hook: Awaited<ReturnType<typeof startReceiver>>;
let generic: Awaited<ReturnType<typeof startReceiver>>;
let slack: Awaited<ReturnType<typeof startReceiver>>;
let telegram: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  [hook, generic, slack, telegram] = await Promise.all([startReceiver({ failFirst: 2 }), startReceiver(), startReceiver(), startReceiver()]);
  process.env.E2E_S1_HOOK_SECRET = SECRET;
  process.env.E2E_SLACK_URL = `${slack.url}/services/T000/B000/xyz`;
  process.env.E2E_TELEGRAM_TOKEN = '123456:test-bot-token';
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'oms-events-')), 'events.json');
  writeFileSync(file, JSON.stringify({
    webhooks: [{ id: 's1-hook', strategies: ['s1'], url: `${hook.url}/hook`, secretEnv: 'E2E_S1_HOOK_SECRET' }],
    alerts: [
      { id: 'ops-generic', format: 'generic', url: `${generic.url}/alerts`, secretEnv: 'E2E_S1_HOOK_SECRET' },
      { id: 'ops-slack', format: 'slack', urlEnv: 'E2E_SLACK_URL', minSeverity: 'critical' },
      { id: 'ops-telegram', format: 'telegram', botTokenEnv: 'E2E_TELEGRAM_TOKEN', chatId: -1001234, apiRoot: telegram.url, kinds: ['KILL_SWITCH_ENGAGED'] },
    ],
    delivery: { timeoutMs: 2000, retryInitialMs: 100, retryMaxMs: 400 },
  }));
  stack = await startStack({ EVENTS_CONFIG_FILE: file, ORDER_BOOK_POLL_MS: '300' });
  const instruments = await stack.control<{ tradingsymbol: string }[]>('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await Promise.all([hook, generic, slack, telegram].map((r) => r?.close()));
}, 60_000);

const headers = (key: string) => ({ 'x-api-key': key });
const page = async (key: string, query: string) => {
  const res = await fetch(`${stack.sys.apiUrl}/api/v1/events?${query}`, { headers: { ...headers(key), accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as { events: { id: string; type: string; orderId: string | null; strategyId: string | null; data: any }[]; nextCursor: string } };
};
const place = async (id: string, strategyId = 's1') => {
  const r = await stack.api('POST', '/api/v1/orders', { clientOrderId: id, strategyId, tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET' });
  expect(r.status).toBe(202);
  return r.body.order.orderId as string;
};
const filled = (orderId: string) => (e: SseEvent) => e.event === 'ORDER_STATUS' && e.data.orderId === orderId && e.data.data.status === 'FILLED';
const run = Date.now().toString(36);

it('when a strategy reads the stream, is cut off and resumes with Last-Event-ID, then it gets every event of its strategy once, in order', async () => {
  const start = (await page(TEST_KEYS.strategyA, 'since=0&limit=1000')).body.nextCursor;
  const first = await SseClient.open(`${stack.sys.apiUrl}/api/v1/events?since=${start}`, headers(TEST_KEYS.strategyA));
  const o1 = await place(`ev1-${run}`);
  const part1 = await first.until(filled(o1));
  first.close();

  // While it is away: an order fills, and another strategy trades (which it must never see).
  const o2 = await place(`ev2-${run}`);
  const other = await place(`ev3-${run}`, 's2');
  await eventually(() => stack.api('GET', `/api/v1/orders/${o2}`), (r) => r.body.order.status === 'FILLED');
  await eventually(() => stack.api('GET', `/api/v1/orders/${other}`), (r) => r.body.order.status === 'FILLED');

  const second = await SseClient.open(`${stack.sys.apiUrl}/api/v1/events`, { ...headers(TEST_KEYS.strategyA), 'last-event-id': part1[part1.length - 1].id });
  const part2 = await second.until(filled(o2));
  second.close();

  const got = [...part1, ...part2];
  const ids = got.map((e) => BigInt(e.id));
  expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
  // Exactly what the outbox holds for this key between the two points: nothing lost, nothing twice.
  const all = (await page(TEST_KEYS.strategyA, `since=${start}&limit=1000`)).body.events.filter((e) => BigInt(e.id) <= ids[ids.length - 1]);
  expect(got.map((e) => e.id)).toEqual(all.map((e) => e.id));
  expect(got.every((e) => e.data.strategyId === 's1')).toBe(true);
  expect(got.some((e) => e.data.orderId === other)).toBe(false);

  // Each order's story: its status changes in order, its fill, and the position it leaves.
  for (const o of [o1, o2]) {
    const mine = got.filter((e) => e.data.orderId === o);
    // OPEN shows when the broker's "open" is seen before its fill, which timing decides.
    const statuses = mine.filter((e) => e.event === 'ORDER_STATUS').map((e) => e.data.data.status);
    expect(statuses.filter((s) => s !== 'OPEN')).toEqual(['PENDING', 'SUBMITTED', 'FILLED']);
    expect(mine.find((e) => e.event === 'ORDER_FILL')?.data.data).toMatchObject({ quantity: 30, side: 'BUY', tradingsymbol: symbol });
    expect(mine.find((e) => e.event === 'POSITION')?.data.data).toMatchObject({ tradingsymbol: symbol });
  }
  const positions = got.filter((e) => e.event === 'POSITION').map((e) => e.data.data.quantity);
  expect(positions[positions.length - 1] - positions[0]).toBe(30);
}, 120_000);

it('when a strategy key asks for another strategy, then it is refused, and a bad cursor is a 400 naming it', async () => {
  const refused = await page(TEST_KEYS.strategyB, 'strategyId=s1');
  expect(refused.status).toBe(403);
  expect((refused.body as any).error.code).toBe('STRATEGY_NOT_ALLOWED');
  const bad = await page(TEST_KEYS.strategyA, 'since=abc');
  expect(bad.status).toBe(400);
  const mine = await page(TEST_KEYS.strategyB, 'since=0&limit=1000');
  expect(mine.body.events.every((e) => e.strategyId === 's2')).toBe(true);
});

it('when a rejection happens, then the strategy is told the reason', async () => {
  const start = (await page(TEST_KEYS.strategyA, '')).body.nextCursor;
  const r = await stack.api('POST', '/api/v1/orders', { clientOrderId: `ev-rej-${run}`, strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 7, orderType: 'MARKET' });
  const orderId = r.body.order?.orderId ?? r.body.error?.details?.orderId;
  const events = await eventually(() => page(TEST_KEYS.strategyA, `since=${start}`), (p) => p.body.events.some((e) => e.data.status === 'REJECTED'));
  const rejected = events.body.events.find((e) => e.data.status === 'REJECTED')!;
  if (orderId) expect(rejected.orderId).toBe(orderId);
  expect(rejected.data.reason).toMatch(/lot/i);
  expect(rejected.data.code).toBeTruthy();
});

it('when the webhook receiver fails twice, then it still gets every event of its strategy, each id accepted once, signed', async () => {
  const events = (await page(TEST_KEYS.operator, 'since=0&limit=1000&strategyId=s1')).body.events;
  const ids = events.map((e) => e.id);
  const accepted = await eventually(async () => hook.accepted(), (a) => ids.every((id) => a.some((r) => r.headers['x-oms-event-id'] === id)), 30_000);
  expect(hook.received.filter((r) => r.status === 500)).toHaveLength(2);
  const acceptedIds = accepted.map((r) => r.headers['x-oms-event-id'] as string);
  expect(new Set(acceptedIds).size).toBe(acceptedIds.length);
  // In order, and only strategy s1's.
  expect(acceptedIds.map(BigInt).every((id, i, a) => i === 0 || id > a[i - 1])).toBe(true);
  for (const r of accepted) {
    const body = JSON.parse(r.body);
    expect(body.strategyId).toBe('s1');
    expect(r.headers['x-oms-signature']).toBe(signatureOf(SECRET, r.headers['x-oms-timestamp'] as string, r.body));
  }
}, 60_000);

it('when the kill switch is engaged, then every alert channel gets it in its own format, and the operators stream shows it', async () => {
  const engaged = await stack.api('POST', '/api/v1/kill-switch', { action: 'engage', reason: 'e2e alert test' });
  expect(engaged.status).toBe(200);
  const isKs = (r: Received) => r.body.includes('KILL_SWITCH_ENGAGED');
  await eventually(async () => [generic, slack, telegram].map((x) => x.accepted().filter(isKs).length), (n) => n.every((c) => c === 1), 30_000);

  const g = JSON.parse(generic.accepted().find(isKs)!.body);
  expect(g).toMatchObject({ type: 'ALERT', data: { kind: 'KILL_SWITCH_ENGAGED', severity: 'critical' } });
  expect(g.data.message).toContain('e2e alert test');
  const s = slack.accepted().find(isKs)!;
  expect(s.path).toBe('/services/T000/B000/xyz');
  expect(JSON.parse(s.body).text).toContain('KILL_SWITCH_ENGAGED');
  const t = telegram.accepted().find(isKs)!;
  expect(t.path).toBe('/bot123456:test-bot-token/sendMessage');
  expect(JSON.parse(t.body)).toMatchObject({ chat_id: -1001234 });

  const ops = await page(TEST_KEYS.operator, 'since=0&limit=1000&types=ALERT');
  expect(ops.body.events.filter((e) => e.data.kind === 'KILL_SWITCH_ENGAGED')).toHaveLength(1);
  const strategy = await page(TEST_KEYS.strategyA, 'since=0&limit=1000');
  expect(strategy.body.events.some((e) => e.type === 'ALERT')).toBe(false);
  await stack.api('POST', '/api/v1/kill-switch', { action: 'release', reason: 'e2e done' });
}, 60_000);
