import { TEST_KEYS } from '../support/access-config';
import { startStack, type Stack } from './stack';

/**
 * A generated hostile corpus against every route and the webhook of the real stack (seeded, so every run sends the
 * same 1,200 requests): wrong types, values past what the columns hold, text Postgres refuses, deep and huge documents,
 * broken JSON, wrong content types, junk paths and queries. Every answer must be a 4xx with a code or a success —
 * never a 5xx, never a hang — and afterwards no order's workflow may be stuck retrying, and the kill switch must still
 * engage and release at once.
 */
let stack: Stack;
let symbol: string;
let knownOrder = 'order-none';

beforeAll(async () => {
  stack = await startStack({ KITE_API_SECRET: 'corpus-secret' });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
  const instruments: { tradingsymbol: string }[] = await stack.control('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
  const placed = await stack.api('POST', '/api/v1/orders', baseOrder('corpus-seed'));
  knownOrder = placed.body.order.orderId;
}, 120_000);
afterAll(async () => { await stack?.close(); });

/** mulberry32: a tiny seeded generator, so the corpus is the same in every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LONE = String.fromCharCode(0xd800);
const nest = (n: number): unknown => (n === 0 ? {} : { a: nest(n - 1) });
const VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, -0.05, 2 ** 31, 2 ** 53, 1e308, '', ' ', 'x'.repeat(10_000), '\u0000', `a${LONE}b`, '\uDFFF',
  '\uFEFF', '\u202Etxt', '../../etc/passwd', "' OR 1=1 --", '{{7*7}}', '${jndi:ldap://x}', '<script>alert(1)</script>', '%00',
  '🙂'.repeat(200), [], {}, [[[[]]]], nest(40), '1e9', 'NaN', 'Infinity', '-5', '0.001', '9999999999999.99', '12.345', 'BUY', 'SL-M',
  'MARKET', '2026-13-45', '300000-01-01', 'order-x', { $gt: '' }, ['LIMIT'], 'null', 'undefined', 'true',
];
const IDS = ['order-x', '%ZZ', 'a'.repeat(3000), '..%2F..%2Fadmin', '%00', '%F0%9F%99%82', "'%20or%201=1", '%E0%A4%A', '%C0%AF'];

function baseOrder(clientOrderId: string): Record<string, unknown> {
  return { clientOrderId, strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '1.00', product: 'NRML' };
}

type Req = { method: string; path: string; body?: string; contentType?: string; key?: string | null };

/** One mutation of a body: a field set to a hostile value, a new unknown field, or the whole body replaced. */
function mutate(rnd: () => number, base: Record<string, unknown>): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const r = rnd();
  if (r < 0.1) return pick(VALUES);
  const out: Record<string, unknown> = { ...base };
  const keys = Object.keys(base);
  const n = 1 + Math.floor(rnd() * 2);
  for (let i = 0; i < n; i++) out[r < 0.2 || keys.length === 0 ? pick(['__proto__', 'constructor', 'x'.repeat(300), `k${LONE}`, 'metadata', 'by']) : pick(keys)] = pick(VALUES);
  return out;
}

function corpus(size: number): Req[] {
  const rnd = prng(20261203);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const id = () => (rnd() < 0.3 ? knownOrder : pick(IDS));
  const json = (v: unknown) => JSON.stringify(v) ?? 'null';
  // A lone surrogate cannot be percent-encoded as UTF-8: it is sent as the bytes of one (invalid UTF-8), as an attacker would.
  const enc = (v: string) => { try { return encodeURIComponent(v); } catch { return '%ED%A0%80'; } };
  const q = () => `${enc(pick(['strategyId', 'status', 'from', 'to', 'cursor', 'limit', 'tradingsymbol', 'x']))}=${enc(String(pick(VALUES)).slice(0, 500))}`;
  let seq = 0;
  const templates: (() => Req)[] = [
    () => ({ method: 'POST', path: '/api/v1/orders', body: json(mutate(rnd, baseOrder(`corpus-${++seq}`))) }),
    () => ({ method: 'POST', path: '/api/v1/orders', body: json(mutate(rnd, { ...baseOrder(`corpus-${++seq}`), metadata: { note: 'x' } })) }),
    () => ({ method: 'GET', path: `/api/v1/orders?${q()}&${q()}` }),
    () => ({ method: 'GET', path: `/api/v1/orders/${id()}` }),
    () => ({ method: 'GET', path: `/api/v1/orders/${id()}/report` }),
    () => ({ method: 'PATCH', path: `/api/v1/orders/${id()}`, body: json(mutate(rnd, { price: '0.95' })) }),
    () => ({ method: 'DELETE', path: `/api/v1/orders/${id()}` }),
    () => ({ method: 'POST', path: `/api/v1/orders/${id()}/interventions`, body: json(mutate(rnd, { action: 'resume', note: 'n' })) }),
    () => ({ method: 'POST', path: '/api/v1/orders/cancel-all', body: json(mutate(rnd, { strategyId: 'nobody-here', reason: 'r' })) }),
    () => ({ method: 'POST', path: '/api/v1/orders/cancel-all', body: 'strategyId=s1', contentType: 'text/plain' }),
    () => ({ method: 'GET', path: '/api/v1/kill-switch' }),
    () => ({ method: 'POST', path: '/api/v1/kill-switch', body: json(mutate(rnd, { action: pick(['engage', 'release']), reason: 'corpus' })) }),
    () => ({ method: 'POST', path: '/api/v1/groups', body: json(mutate(rnd, { clientOrderId: `corpus-g-${++seq}`, kind: 'oco', strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, product: 'NRML', targetPrice: '2.00', stopTrigger: '0.50' })) }),
    () => ({ method: 'GET', path: `/api/v1/groups/${id()}` }),
    () => ({ method: 'POST', path: `/api/v1/groups/${id()}/cancel`, body: json(mutate(rnd, { reason: 'r' })) }),
    () => ({ method: 'GET', path: `/api/v1/monitors/${id()}` }),
    () => ({ method: 'POST', path: `/api/v1/monitors/${id()}/cancel`, body: json(mutate(rnd, { reason: 'r' })) }),
    () => ({ method: 'GET', path: `/api/v1/positions?${q()}` }),
    () => ({ method: 'GET', path: `/api/v1/pnl?${q()}` }),
    () => ({ method: 'GET', path: `/api/v1/reconciliation?${q()}` }),
    () => ({ method: 'GET', path: '/api/v1/risk/config', key: pick([TEST_KEYS.operator, TEST_KEYS.strategyA]) }),
    () => ({ method: 'GET', path: `/api/v1/metrics/summary?${q()}` }),
    () => ({ method: 'GET', path: `/api/v1/audit?${q()}&${q()}` }),
    () => ({ method: 'GET', path: '/api/v1/interventions' }),
    // A token only of a shape that must be refused: a junk token accepted would end the paper session for the others.
    () => ({ method: 'POST', path: '/api/v1/broker/session', body: json(pick([{ accessToken: null }, { accessToken: 5 }, { accessToken: '' }, { accessToken: 'x'.repeat(5000) }, [], 'tok', { accessToken: `a\u0000b` }])) }),
    () => ({ method: 'GET', path: `/api/v1/accounts/${pick(['default', ...IDS])}/login`, key: pick([null, TEST_KEYS.operator]) }),
    () => ({ method: 'GET', path: `/api/v1/accounts/${pick(['default', ...IDS])}/session?${pick(['request_token', 'status', 'action'])}=${enc(String(pick(VALUES)).slice(0, 300))}`, key: pick([null, TEST_KEYS.operator, TEST_KEYS.strategyA]) }),
    () => ({ method: 'POST', path: '/api/v1/webhooks/kite', body: json(mutate(rnd, { order_id: '1', order_timestamp: '2026-11-24 10:00:00', checksum: 'ab'.repeat(32), status: 'OPEN', tag: 'omsx' })), key: null }),
    () => ({ method: pick(['POST', 'PATCH']), path: pick(['/api/v1/orders', `/api/v1/orders/${id()}`]), body: pick(['{"a":', '[1,2', '\u0000', '{"quantity":1e999999}', 'null', '"str"']) }),
    () => ({ method: pick(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']), path: pick(['/api/v1/nothing', '/api/v2/orders', `/api/v1/orders/${id()}/x/y`, '/api/v1/../../etc', '/%ZZ']) }),
  ];
  return Array.from({ length: size }, () => pick(templates)());
}

/** Sends one request with a deadline; a request that does not answer within it is a hang. */
async function send(r: Req): Promise<{ status: number; code?: string; hung?: boolean }> {
  const headers: Record<string, string> = {};
  if (r.key !== null) headers['x-api-key'] = r.key ?? TEST_KEYS.operator;
  if (r.body !== undefined) headers['content-type'] = r.contentType ?? 'application/json';
  try {
    const res = await fetch(`${stack.sys.apiUrl}${r.path}`, { method: r.method, headers, body: r.body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let code: string | undefined;
    try { code = JSON.parse(text)?.error?.code; } catch { /* not JSON */ }
    return { status: res.status, code };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return { status: 0, hung: true };
    throw err;
  }
}

it('when 1,200 generated hostile requests hit every route and the webhook, then none is a 5xx or hangs, nothing is left retrying, and the kill switch still engages at once', async () => {
  const requests = corpus(1200);
  const failures: { req: string; status: number; code?: string }[] = [];
  const byStatus = new Map<number, number>();
  for (let i = 0; i < requests.length; i += 8) {
    const batch = requests.slice(i, i + 8);
    const answers = await Promise.all(batch.map(send));
    answers.forEach((a, j) => {
      byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
      const bad = a.hung || a.status >= 500 || (a.status >= 400 && !/^[A-Z_]+$/.test(a.code ?? ''));
      if (bad) failures.push({ req: `${batch[j].method} ${batch[j].path.slice(0, 120)} ${String(batch[j].body).slice(0, 120)}`, status: a.status, code: a.code });
    });
  }
  console.log(`hostile corpus: ${requests.length} requests, answers by status ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}`);
  expect(failures).toEqual([]);
  expect([...byStatus.keys()].every((s) => s >= 200 && s < 500)).toBe(true);

  // Afterwards the kill switch answers as always: engaged and released, each at once.
  const engaged = await send({ method: 'POST', path: '/api/v1/kill-switch', body: JSON.stringify({ action: 'engage', reason: 'after the corpus' }) });
  expect(engaged.status).toBe(200);
  expect((await stack.api('GET', '/api/v1/kill-switch')).body.killSwitch).toMatchObject({ status: 'HALTED' });
  expect((await send({ method: 'POST', path: '/api/v1/kill-switch', body: JSON.stringify({ action: 'release', reason: 'corpus over' }) })).status).toBe(200);

  // No order's workflow is stuck retrying an activity (a save the database refuses, a call that cannot succeed).
  const stuck: string[] = [];
  for await (const w of stack.client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}' AND ExecutionStatus = 'Running'` })) {
    const d = await stack.client.workflow.getHandle(w.workflowId).describe();
    for (const a of d.raw.pendingActivities ?? []) if ((a.attempt ?? 0) > 3) stuck.push(`${w.workflowId}: ${a.activityType?.name} attempt ${a.attempt}`);
  }
  expect(stuck).toEqual([]);
}, 600_000);
