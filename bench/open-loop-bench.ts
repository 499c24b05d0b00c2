/**
 * `npm run bench` (open loop): orders arrive at fixed rates whatever the OMS answers, as strategies send them, beside
 * the direct kiteconnect baseline at the same rates through the same paper broker. Per phase: POST answer time and
 * codes, API received -> broker received the place, API received -> FILLED, orders lost or duplicated at the broker,
 * CPU per order of the OMS process and of the Temporal and Postgres processes, history events and bytes (JSON, as `temporal workflow show -o json` gives it) per order.
 * BENCH_RATES (orders/s, default 10,25), BENCH_PHASE_SECONDS (default 20), BENCH_DRAIN_SECONDS (default 60).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { KiteConnect } from 'kiteconnect';
import { brokerTagFor } from '../src/domain/hash';
import pino from 'pino';
import { createLogger, lineLog } from '../src/infra/logger';
import { startSystem, type RunningSystem } from '../src/system';
import { benchEnv, cpuSecondsOf, profiled } from './bench-support';

const RATES = (process.env.BENCH_RATES ?? '10,25').split(',').map(Number);
const PHASE_S = Number(process.env.BENCH_PHASE_SECONDS ?? 20);
const DRAIN_S = Number(process.env.BENCH_DRAIN_SECONDS ?? 60);
const KEY = 'paper-operator-key';
const HISTORY_SAMPLE = 10;

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };
const fmt = (xs: number[]) => (xs.length ? `p50 ${pct(xs, 50).toFixed(1)}  p95 ${pct(xs, 95).toFixed(1)}  p99 ${pct(xs, 99).toFixed(1)} ms (n=${xs.length})` : 'none');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fires `fn(i)` at `rate` per second for `seconds`, on a schedule that does not wait for earlier calls. */
async function openLoop(rate: number, seconds: number, fn: (i: number) => Promise<void>): Promise<void> {
  const start = performance.now();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    if (due > performance.now()) await sleep(due - performance.now());
    calls.push(fn(i));
  }
  await Promise.all(calls);
}

interface Sent { clientOrderId: string; tag: string; at: number; answeredMs?: number; status?: number }

async function omsPhase(sys: RunningSystem, client: Client, dataDir: string, symbol: string, rate: number, run: string) {
  const sent: Sent[] = [];
  const cpu0 = process.cpuUsage();
  const others0 = cpuSecondsOf(dataDir);
  await openLoop(rate, PHASE_S, async (i) => {
    const clientOrderId = `ol-${run}-${rate}-${i}`;
    const s: Sent = { clientOrderId, tag: brokerTagFor(`order-${clientOrderId}`), at: Date.now() };
    sent.push(s);
    const t = performance.now();
    try {
      const r = await fetch(`${sys.apiUrl}/api/v1/orders`, {
        method: 'POST', signal: AbortSignal.timeout(DRAIN_S * 1000), headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ clientOrderId, strategyId: 'bench', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET' }),
      });
      await r.text();
      s.status = r.status;
      s.answeredMs = performance.now() - t;
    } catch { /* unanswered within the drain window */ }
  });
  const accepted = sent.filter((s) => s.status === 202 || s.status === 200);
  const orders = await waitForBroker(sys, accepted, DRAIN_S * 1000);
  const cpu = process.cpuUsage(cpu0);
  const others1 = cpuSecondsOf(dataDir);
  const stats = (await control(sys, '/control/stats')) as { placeRequests: { tag: string; receivedAt: number }[] };
  const firstReceived = new Map<string, number>();
  for (const p of stats.placeRequests) if (!firstReceived.has(p.tag)) firstReceived.set(p.tag, p.receivedAt);
  const byTag = new Map<string, number>();
  for (const o of orders) byTag.set(o.tag, (byTag.get(o.tag) ?? 0) + 1);
  const toBroker = accepted.flatMap((s) => (firstReceived.has(s.tag) ? [firstReceived.get(s.tag)! - s.at] : []));
  const toFilled = await filledLatencies(sys, accepted);
  const history = await historySample(client, accepted.slice(0, HISTORY_SAMPLE).map((s) => `order-${s.clientOrderId}`));
  const n = Math.max(accepted.length, 1);
  const codes = sent.reduce<Record<string, number>>((m, s) => ({ ...m, [s.status ?? 'none']: (m[s.status ?? 'none'] ?? 0) + 1 }), {});
  console.log(`OMS at ${rate}/s for ${PHASE_S} s: ${sent.length} sent, answers ${JSON.stringify(codes)}`);
  console.log(`  POST answered:                 ${fmt(sent.flatMap((s) => (s.answeredMs === undefined ? [] : [s.answeredMs])))}`);
  console.log(`  API received -> broker placed: ${fmt(toBroker)}`);
  console.log(`  API received -> FILLED:        ${fmt(toFilled)}`);
  console.log(`  accepted ${accepted.length}: lost ${accepted.filter((s) => !byTag.has(s.tag)).length}, duplicated ${[...byTag.values()].filter((c) => c > 1).length}`);
  console.log(`  CPU ms per accepted order: OMS process ${((cpu.user + cpu.system) / 1000 / n).toFixed(1)} (API + worker + paper broker), Temporal ${(((others1.temporal - others0.temporal) * 1000) / n).toFixed(1)}, Postgres ${(((others1.postgres - others0.postgres) * 1000) / n).toFixed(1)}`);
  console.log(`  history per order (sample of ${history.length}): ${fmt(history.map((h) => h.events)).replace(/ ms/, ' events')}; bytes ${fmt(history.map((h) => h.bytes)).replace(/ ms/, ' B')}`);
}

async function control(sys: RunningSystem, p: string): Promise<unknown> {
  return ((await (await fetch(`${sys.paperBrokerUrl}${p}`)).json()) as { data: unknown }).data;
}

/** The broker's orders, once every accepted order is there (or the window has passed). */
async function waitForBroker(sys: RunningSystem, accepted: Sent[], windowMs: number): Promise<{ tag: string }[]> {
  const tags = new Set(accepted.map((s) => s.tag));
  const until = Date.now() + windowMs;
  for (;;) {
    const { orders } = (await control(sys, '/control/orders')) as { orders: { tag: string }[] };
    const mine = orders.filter((o) => tags.has(o.tag));
    if (new Set(mine.map((o) => o.tag)).size >= tags.size || Date.now() > until) return mine;
    await sleep(1000);
  }
}

/** API received -> FILLED from each order's own history (read after the phase, so the reads do not load it). */
async function filledLatencies(sys: RunningSystem, accepted: Sent[]): Promise<number[]> {
  const out: number[] = [];
  for (const s of accepted) {
    const r = await fetch(`${sys.apiUrl}/api/v1/orders/order-${s.clientOrderId}`, { headers: { 'x-api-key': KEY } });
    const order = ((await r.json()) as { order?: { history?: { status: string; at: string }[] } }).order;
    const filled = order?.history?.find((h) => h.status === 'FILLED');
    if (filled) out.push(Date.parse(filled.at) - s.at);
  }
  return out;
}

async function historySample(client: Client, ids: string[]): Promise<{ events: number; bytes: number }[]> {
  return Promise.all(ids.map(async (id) => {
    const h = await client.workflow.getHandle(id).fetchHistory();
    const json = historyToJSON(h);
    // BENCH_DUMP_HISTORY=<dir>: the sampled histories as JSON, to see which events carry the bytes.
    if (process.env.BENCH_DUMP_HISTORY) fs.writeFileSync(path.join(process.env.BENCH_DUMP_HISTORY, `${id}.json`), json);
    return { events: h.events?.length ?? 0, bytes: Buffer.byteLength(json) };
  }));
}

async function baselinePhase(sys: RunningSystem, symbol: string, rate: number, run: string): Promise<void> {
  const kite = new KiteConnect({ api_key: 'paper_key', access_token: 'paper_token', root: sys.paperBrokerUrl!, timeout: 7000 } as any);
  const times: number[] = [];
  let failed = 0;
  await openLoop(rate, PHASE_S, async (i) => {
    const t = performance.now();
    try {
      await kite.placeOrder('regular' as any, { exchange: 'NFO', tradingsymbol: symbol, transaction_type: 'BUY', quantity: 30, product: 'NRML', order_type: 'MARKET', market_protection: -1, tag: `b${run}${rate}-${i}`.slice(0, 20) } as any);
      times.push(performance.now() - t);
    } catch { failed += 1; }
  });
  console.log(`baseline kiteconnect at ${rate}/s for ${PHASE_S} s: place round trip ${fmt(times)}, failed ${failed}`);
}

async function main() {
  const { env, dataDir } = benchEnv('oms-bench-ol-');
  // Logged as `npm start > oms.log` logs: JSON records, the request log included, to a file.
  const logger = createLogger({ format: 'json', destination: pino.destination({ dest: path.join(dataDir, 'oms.log'), sync: false }) });
  const sys = await startSystem(env, lineLog(logger, 'oms'), { logger });
  const connection = await Connection.connect({ address: sys.temporalAddress });
  try {
    const client = new Client({ connection });
    const symbol = ((await control(sys, '/control/instruments')) as { tradingsymbol: string }[]).find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
    const run = Date.now().toString(36).slice(-5);
    console.log(`open-loop phases at ${RATES.join(', ')} orders/s, ${PHASE_S} s each (drain ${DRAIN_S} s), paper broker rate limit off, ${os.cpus().length} cores`);
    for (const rate of RATES) {
      await baselinePhase(sys, symbol, rate, run);
      await profiled(`oms-${rate}`, () => omsPhase(sys, client, dataDir, symbol, rate, run));
    }
  } finally {
    await connection.close();
    await sys.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
