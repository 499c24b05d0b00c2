/**
 * `npm run bench`: N orders through the API against the paper broker (embedded Postgres + Temporal dev server on
 * throwaway ports and data), beside a baseline loop that calls the paper broker directly with kiteconnect.
 * Prints orders/s and p50/p95/p99 of "API received -> broker received the place request" and "API received -> FILLED".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KiteConnect } from 'kiteconnect';
import { parseEnv } from '../src/config/env';
import { startSystem } from '../src/system';
import { benchRiskConfig } from './bench-risk-config';

const N = Number(process.env.BENCH_ORDERS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
/** How often each bench client reads its order back (each read is a workflow query or a DB read). */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 250);

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms`;

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]); }));
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oms-bench-'));
  const base = 20000 + Math.floor(Math.random() * 20000);
  const riskFile = path.join(dataDir, 'risk.json');
  fs.writeFileSync(riskFile, JSON.stringify(benchRiskConfig()));
  const env = parseEnv({ RISK_CONFIG_FILE: riskFile, DATA_DIR: dataDir, API_PORT: String(base), PAPER_PORT: String(base + 1), PG_PORT: String(base + 2), TEMPORAL_DEV_PORT: String(base + 3), TEMPORAL_UI_PORT: String(base + 4), PAPER_RATE_LIMIT: 'off', ORDER_POLL_MIN_MS: '500', ORDER_POLL_MAX_MS: '2000',
    // Cash for 2 x N one-lot buys whatever the option costs today: a refused order would measure the fallback ladder instead.
    PAPER_STARTING_CASH: '1000000000' });
  const sys = await startSystem(env, () => undefined);
  try {
    const control = async (p: string) => ((await (await fetch(`${sys.paperBrokerUrl}${p}`)).json()) as { data: any }).data;
    const symbol = (await control('/control/instruments') as any[]).find((i) => /52000CE$/.test(i.tradingsymbol)).tradingsymbol;

    // Baseline: the broker alone, through the same client.
    const kite = new KiteConnect({ api_key: 'paper_key', access_token: 'paper_token', root: sys.paperBrokerUrl!, timeout: 7000 } as any);
    const baseline: number[] = [];
    const t0 = performance.now();
    await pool(Array.from({ length: N }, (_, i) => i), CONCURRENCY, async (i) => {
      const s = performance.now();
      await kite.placeOrder('regular' as any, { exchange: 'NFO', tradingsymbol: symbol, transaction_type: 'BUY', quantity: 30, product: 'NRML', order_type: 'MARKET', market_protection: -1, tag: `base${i}` } as any);
      baseline.push(performance.now() - s);
    });
    const baseSecs = (performance.now() - t0) / 1000;

    const received = new Map<string, number>();
    const toFilled: number[] = [];
    const t1 = performance.now();
    const run = Date.now().toString(36);
    await pool(Array.from({ length: N }, (_, i) => i), CONCURRENCY, async (i) => {
      const at = Date.now();
      const r = await fetch(`${sys.apiUrl}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'paper-operator-key' }, body: JSON.stringify({ clientOrderId: `bench-${run}-${i}`, strategyId: 'bench', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET' }) });
      const body = (await r.json()) as { order: { orderId: string; tag: string } };
      received.set(body.order.tag, at);
      for (;;) {
        const o = ((await (await fetch(`${sys.apiUrl}/api/v1/orders/${body.order.orderId}`, { headers: { 'x-api-key': 'paper-operator-key' } })).json()) as { order: { status: string } }).order;
        if (o.status === 'FILLED') break;
        if (['REJECTED', 'CANCELLED', 'FAILED', 'EXPIRED'].includes(o.status)) throw new Error(`bench order ${body.order.orderId} ended ${o.status}: the figures would not be of filled orders`);
        await new Promise((res) => setTimeout(res, POLL_MS));
      }
      toFilled.push(Date.now() - at);
    });
    const omsSecs = (performance.now() - t1) / 1000;
    const stats = await control('/control/stats');
    const toBroker = (stats.placeRequests as { tag: string; receivedAt: number }[]).filter((p) => received.has(p.tag)).map((p) => p.receivedAt - received.get(p.tag)!);

    console.log(`orders: ${N}, concurrency ${CONCURRENCY}, paper broker rate limit off, ${os.cpus().length} cores`);
    console.log(`baseline kiteconnect -> paper broker: ${(N / baseSecs).toFixed(1)} orders/s; place round trip ${fmt(baseline)}`);
    console.log(`OMS end to end: ${(N / omsSecs).toFixed(1)} orders/s (each order polled to FILLED)`);
    console.log(`  API received -> broker received place: ${fmt(toBroker)}`);
    console.log(`  API received -> FILLED:                ${fmt(toFilled)}`);
    console.log(`  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (bench process: API + worker + paper broker)`);
  } finally {
    await sys.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
