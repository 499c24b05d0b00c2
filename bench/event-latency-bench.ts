/**
 * `npm run bench` (strategy events): fill -> strategy event latency. BENCH_EVENT_ORDERS LIMIT buys (default 60) rest
 * at the paper broker in manual matching mode; the bench then fills them one by one at BENCH_EVENT_RATE fills/s
 * (default 5, open loop) through the broker's control API and times, from each fill request, the ORDER_STATUS FILLED
 * event on the strategy's SSE stream (GET /api/v1/events) and at its signed webhook (an events config file naming a
 * local receiver), beside where the time went (the FILLED transition and the outbox write, from the database). Variants (BENCH_EVENT_VARIANTS, default websocket,default):
 * `websocket` drops postbacks and turns the order-book watcher and per-order polls off, so fills arrive over the paper
 * broker's WebSocket alone; `default` keeps the shipped channels (WebSocket, postbacks, order-book watcher).
 * BENCH_EVENT_DRAIN_SECONDS (default 30): how long to wait for the last events.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KiteConnect } from 'kiteconnect';
import { Client as PgClient } from 'pg';
import { startSystem, type RunningSystem } from '../src/system';
import { benchEnv, cpuSecondsOf, machineBusySeconds } from './bench-support';
import { openSse, startWebhookReceiver, type Arrival } from './event-readers';

const ORDERS = Number(process.env.BENCH_EVENT_ORDERS ?? 60);
const RATE = Number(process.env.BENCH_EVENT_RATE ?? 5);
const DRAIN_S = Number(process.env.BENCH_EVENT_DRAIN_SECONDS ?? 30);
const VARIANTS = (process.env.BENCH_EVENT_VARIANTS ?? 'websocket,default').split(',').map((v) => v.trim()).filter(Boolean);
const KEY = 'paper-operator-key';
const STRATEGY = 'bench';
const SECRET_ENV = 'BENCH_EVENTS_HOOK_SECRET';
const SECRET = 'bench-webhook-secret-0123456789';
const CONCURRENCY = 8;

/** Each variant's update channels; `websocket` is test/e2e/websocket-updates.test.ts's setup. */
const CHANNELS: Record<string, { label: string; env: Record<string, string>; dropPostbacks: boolean }> = {
  websocket: { label: 'WebSocket only (postbacks dropped, book watcher off, per-order polls every 10 min)', env: { KITE_WEBSOCKET: 'on', ORDER_BOOK_POLL_MS: '0', ORDER_POLL_MIN_MS: '600000', ORDER_POLL_MAX_MS: '600000' }, dropPostbacks: true },
  default: { label: 'default channels (WebSocket, postbacks, order-book watcher)', env: { KITE_WEBSOCKET: 'on' }, dropPostbacks: false },
};

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };
const fmt = (xs: number[]) => (xs.length ? `p50 ${pct(xs, 50).toFixed(1)}  p95 ${pct(xs, 95).toFixed(1)}  p99 ${pct(xs, 99).toFixed(1)}  max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})` : 'none');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function control(sys: RunningSystem, p: string, body?: unknown): Promise<any> {
  const r = await fetch(`${sys.paperBrokerUrl}${p}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`paper ${p} answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { data: unknown }).data;
}

async function api(sys: RunningSystem, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${sys.apiUrl}${p}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(200);
  }
}

/** Every event of the strategy per channel, by order: the arrivals the latencies are read from. */
class Arrivals {
  readonly sse: Arrival[] = [];
  readonly hook: Arrival[] = [];
  filled(channel: Arrival[], orderId: string): Arrival[] { return channel.filter((a) => a.orderId === orderId && a.type === 'ORDER_STATUS' && a.status === 'FILLED'); }
}

interface Resting { orderId: string; brokerOrderId: string; filledAt?: number; filledWall?: number }

/** Places the LIMIT buys below the market, CONCURRENCY at a time; each must be accepted (202). */
async function placeResting(sys: RunningSystem, symbol: string, price: string, run: string): Promise<Resting[]> {
  const out: Resting[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ORDERS) {
      const i = next++;
      const r = await api(sys, '/api/v1/orders', { clientOrderId: `ev-${run}-${i}`, strategyId: STRATEGY, tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price });
      if (r.status !== 202) throw new Error(`order ${i} answered ${r.status}: ${JSON.stringify(r.body)}`);
      out.push({ orderId: r.body.order.orderId, brokerOrderId: r.body.order.brokerOrderId });
    }
  }));
  return out;
}

/** Fills the orders one by one at RATE per second, on a schedule that does not wait for earlier fills to be answered. */
async function fillOpenLoop(sys: RunningSystem, orders: Resting[]): Promise<void> {
  const start = performance.now();
  const calls: Promise<unknown>[] = [];
  for (const [i, o] of orders.entries()) {
    const due = start + (i * 1000) / RATE;
    if (due > performance.now()) await sleep(due - performance.now());
    o.filledAt = performance.now();
    o.filledWall = Date.now();
    calls.push(control(sys, `/control/orders/${o.brokerOrderId}/fill`, {}));
  }
  await Promise.all(calls);
}

async function variant(name: string): Promise<void> {
  const channels = CHANNELS[name];
  if (!channels) throw new Error(`BENCH_EVENT_VARIANTS: unknown variant ${name} (known: ${Object.keys(CHANNELS).join(', ')})`);
  const arrivals = new Arrivals();
  process.env[SECRET_ENV] = SECRET; // the events config names the variable, never the secret
  const receiver = await startWebhookReceiver(SECRET, (a) => arrivals.hook.push(a));
  const eventsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oms-bench-events-'));
  const eventsFile = path.join(eventsDir, 'events.json');
  fs.writeFileSync(eventsFile, JSON.stringify({ webhooks: [{ id: 'bench-hook', strategies: [STRATEGY], url: receiver.url, secretEnv: SECRET_ENV }], alerts: [] }));
  const { env, dataDir } = benchEnv('oms-bench-ev-', { ...channels.env, EVENTS_CONFIG_FILE: eventsFile });
  const sys = await startSystem(env, () => undefined);
  let sse: { close: () => void } | undefined;
  try {
    await control(sys, '/control/config', { matching: { mode: 'manual' } });
    if (channels.dropPostbacks) await control(sys, '/control/faults', { kind: 'drop_postbacks' });
    if (env.KITE_WEBSOCKET === 'on') await until('the worker\'s WebSocket', () => control(sys, '/control/stats'), (s) => s.websocketConnections === 1, 20_000);
    const symbol = ((await control(sys, '/control/instruments')) as { tradingsymbol: string }[]).find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
    const kite = new KiteConnect({ api_key: 'paper_key', access_token: 'paper_token', root: sys.paperBrokerUrl! } as any);
    const ltp = ((await kite.getLTP([`NFO:${symbol}`])) as Record<string, { last_price: number }>)[`NFO:${symbol}`].last_price;
    const price = ((Math.round((ltp * 0.85 * 100) / 5) * 5) / 100).toFixed(2); // under the market, inside the price band
    sse = await openSse(`${sys.apiUrl}/api/v1/events?strategyId=${STRATEGY}`, { 'x-api-key': KEY }, (a) => arrivals.sse.push(a));
    console.log(`${name}: ${channels.label}; order-book watcher ${env.ORDER_BOOK_POLL_MS} ms, per-order poll ${env.ORDER_POLL_MIN_MS} -> ${env.ORDER_POLL_MAX_MS} ms`);

    const run = Date.now().toString(36).slice(-5);
    const orders = await placeResting(sys, symbol, price, run);
    await settle(sys, orders, arrivals, env.ORDER_BOOK_POLL_MS > 0);

    const cpu = cpuMeter(dataDir);
    await fillOpenLoop(sys, orders);
    const got = (ch: Arrival[]) => orders.filter((o) => arrivals.filled(ch, o.orderId).length > 0).length;
    await until('FILLED on both channels', async () => [got(arrivals.sse), got(arrivals.hook)], ([s, h]) => s === orders.length && h === orders.length, DRAIN_S * 1000).catch(() => undefined);
    const used = cpu();
    await sleep(500); // a duplicate would come right behind
    report(orders, arrivals, used);
    await reportRecorded(sys, orders);
  } finally {
    sse?.close();
    await sys.stop();
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(eventsDir, { recursive: true, force: true });
  }
}

/**
 * Before the fills: every order working in the OMS (OPEN, or SUBMITTED when no channel tells it OPEN: the paper
 * broker sends no update for OPEN, so over the WebSocket alone it shows only with the fill) and both readers quiet
 * and level, so no backlog of placement events is timed with the fills.
 */
async function settle(sys: RunningSystem, orders: Resting[], arrivals: Arrivals, watched: boolean): Promise<void> {
  const statuses = () => Promise.all(orders.map(async (o) => {
    const order = (await api(sys, `/api/v1/orders/${o.orderId}`)).body.order as { status: string; brokerOrderId?: string };
    o.brokerOrderId ||= order.brokerOrderId ?? '';
    return order.status;
  }));
  // With the order-book watcher on, OPEN comes by its next read; wait for it so it does not race the fill.
  const working = (xs: string[]) => xs.every((st) => st === 'OPEN' || (!watched && st === 'SUBMITTED'));
  await until('orders working', statuses, working, 60_000).catch(() => undefined);
  const last = () => Math.max(0, ...arrivals.sse.map((a) => a.at), ...arrivals.hook.map((a) => a.at));
  const quiet = await until('readers quiet', async () => arrivals.sse.length === arrivals.hook.length && performance.now() - last() > 1000, (q) => q, 60_000).catch(() => false);
  const seen = await statuses();
  const count = seen.reduce<Record<string, number>>((m, st) => ({ ...m, [st]: (m[st] ?? 0) + 1 }), {});
  console.log(`  ${orders.length} resting LIMIT buys, OMS statuses ${JSON.stringify(count)}; ${arrivals.sse.length} placement events on SSE, ${arrivals.hook.length} at the webhook${quiet ? '' : ' (warning: not level/quiet after 60 s)'}`);
  if (!working(seen) || orders.some((o) => !o.brokerOrderId)) throw new Error('not every order is working at the broker; nothing to fill');
}

/**
 * CPU over the fill phase as shares of one core: this bench's stack (this process with the API, worker, paper broker
 * and readers, plus its Temporal and Postgres) and everything else on the machine, which competes with it for the cores.
 */
function cpuMeter(dataDir: string): () => { stack: number; others: number } {
  const t0 = performance.now();
  const own0 = process.cpuUsage();
  const side0 = cpuSecondsOf(dataDir);
  const all0 = machineBusySeconds();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const own = process.cpuUsage(own0);
    const side1 = cpuSecondsOf(dataDir);
    const stack = (own.user + own.system) / 1e6 + (side1.temporal - side0.temporal) + (side1.postgres - side0.postgres);
    const all = machineBusySeconds() - all0;
    return { stack: stack / seconds, others: Math.max(0, all - stack) / seconds };
  };
}

function report(orders: Resting[], arrivals: Arrivals, cpu: { stack: number; others: number }): void {
  const share = (x: number) => `${(x * 100).toFixed(0)}%`;
  console.log(`  ${orders.length} resting orders filled at ${RATE}/s (open loop); CPU meanwhile: this stack ${share(cpu.stack)}, other processes ${share(cpu.others)} of one core (${os.cpus().length} cores)`);
  console.log('  from the fill request at the paper broker:');
  for (const [label, ch] of [['SSE ORDER_STATUS FILLED:    ', arrivals.sse], ['webhook ORDER_STATUS FILLED:', arrivals.hook]] as const) {
    const lat = orders.flatMap((o) => { const f = arrivals.filled(ch, o.orderId); return f.length ? [f[0].at - o.filledAt!] : []; });
    const missing = orders.filter((o) => arrivals.filled(ch, o.orderId).length === 0);
    const dup = orders.filter((o) => arrivals.filled(ch, o.orderId).length > 1).length;
    console.log(`  fill -> ${label} ${fmt(lat)}; received ${lat.length}/${orders.length}${dup ? `, ${dup} twice` : ''}`);
    if (missing.length) {
      process.exitCode = 1;
      console.error(`  ERROR: ${missing.length} FILLED events missing (${label.trim()}) within ${DRAIN_S} s, e.g. ${missing.slice(0, 3).map((o) => o.orderId).join(', ')}`);
    }
  }
  const unsigned = arrivals.hook.filter((a) => !a.signed).length;
  if (unsigned) {
    process.exitCode = 1;
    console.error(`  ERROR: ${unsigned} of ${arrivals.hook.length} webhook requests without a valid X-OMS-Signature`);
  }
}

/**
 * Where the time goes, from the database (read after the phase, so the reads do not load it; wall clock, ms
 * resolution): fill -> the workflow's FILLED transition (order_events.occurred_at), and -> the transaction that wrote
 * the outbox row began (events.recorded_at); the readers' figures above add the commit, the wake-up and the read.
 */
async function reportRecorded(sys: RunningSystem, orders: Resting[]): Promise<void> {
  const db = new PgClient({ connectionString: sys.databaseUrl });
  await db.connect();
  try {
    const ids = orders.map((o) => o.orderId);
    const transitions = await db.query<{ order_id: string; at: Date }>("select order_id, min(occurred_at) as at from order_events where to_status = 'FILLED' and order_id = any($1) group by order_id", [ids]);
    const outbox = await db.query<{ order_id: string; at: Date }>("select order_id, min(recorded_at) as at from events where type = 'ORDER_STATUS' and payload->>'status' = 'FILLED' and order_id = any($1) group by order_id", [ids]);
    const from = (rows: { order_id: string; at: Date }[]) => {
      const at = new Map(rows.map((r) => [r.order_id, r.at.getTime()]));
      return orders.flatMap((o) => (at.has(o.orderId) ? [at.get(o.orderId)! - o.filledWall!] : []));
    };
    console.log(`  (fill -> FILLED transition recorded:  ${fmt(from(transitions.rows))})`);
    console.log(`  (fill -> outbox write began:          ${fmt(from(outbox.rows))})`);
  } finally {
    await db.end();
  }
}

async function main() {
  console.log(`strategy events: ${ORDERS} resting orders per variant filled at ${RATE}/s, variants ${VARIANTS.join(', ')}, ${os.cpus().length} cores`);
  for (const v of VARIANTS) await variant(v);
}

main().then(() => process.exit(process.exitCode ?? 0), (err) => { console.error(err); process.exit(1); });
