/**
 * `npm run bench` (resting orders): what open orders cost while nothing happens to them. BENCH_RESTING_ORDERS LIMIT
 * buys (default 1000) are placed well below the market, so they rest at the broker; once every one is OPEN, the CPU
 * of the OMS process (API + worker + paper broker, with its order-book watcher), the Temporal dev server and Postgres
 * is measured over BENCH_RESTING_SECONDS (default 120) with no new orders, as a share of one core, from
 * BENCH_RESTING_SETTLE_SECONDS (default 30) after the last one opened. Per-order polling
 * and the watcher run with their shipped defaults.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { KiteConnect } from 'kiteconnect';
import { startSystem, type RunningSystem } from '../src/system';
import { benchEnv, cpuSecondsOf, profiled } from './bench-support';

const ORDERS = Number(process.env.BENCH_RESTING_ORDERS ?? 1000);
const WINDOW_S = Number(process.env.BENCH_RESTING_SECONDS ?? 120);
const SETTLE_S = Number(process.env.BENCH_RESTING_SETTLE_SECONDS ?? 30);
const CONCURRENCY = 16;
const KEY = 'paper-operator-key';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function control(sys: RunningSystem, p: string): Promise<unknown> {
  return ((await (await fetch(`${sys.paperBrokerUrl}${p}`)).json()) as { data: unknown }).data;
}

/** Places the resting orders, CONCURRENCY at a time; answers that are not 202 are counted, not retried. */
async function placeResting(sys: RunningSystem, symbol: string, pricePaise: number, run: string): Promise<Record<string, number>> {
  const codes: Record<string, number> = {};
  let next = 0;
  const price = (pricePaise / 100).toFixed(2);
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ORDERS) {
      const i = next++;
      const r = await fetch(`${sys.apiUrl}/api/v1/orders`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ clientOrderId: `rest-${run}-${i}`, strategyId: 'bench', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price }),
      });
      await r.text();
      codes[r.status] = (codes[r.status] ?? 0) + 1;
    }
  }));
  return codes;
}

/** Waits until the broker shows `count` open orders (or a generous window has passed). */
async function waitUntilOpen(sys: RunningSystem, count: number): Promise<number> {
  const until = Date.now() + 600_000;
  for (;;) {
    const { orders } = (await control(sys, '/control/orders')) as { orders: { status: string }[] };
    const open = orders.filter((o) => o.status === 'OPEN').length;
    if (open >= count || Date.now() > until) return open;
    await sleep(2000);
  }
}

async function main() {
  const { env, dataDir } = benchEnv('oms-bench-rest-');
  const sys = await startSystem(env, () => undefined);
  try {
    const symbol = ((await control(sys, '/control/instruments')) as { tradingsymbol: string }[]).find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
    const kite = new KiteConnect({ api_key: 'paper_key', access_token: 'paper_token', root: sys.paperBrokerUrl! } as any);
    const ltp = ((await kite.getLTP([`NFO:${symbol}`])) as Record<string, { last_price: number }>)[`NFO:${symbol}`].last_price;
    // 15% under the market: inside the shipped 20% price band, far enough that the paper market does not reach it.
    const pricePaise = Math.round((ltp * 0.85 * 100) / 5) * 5;
    const run = Date.now().toString(36).slice(-5);
    console.log(`resting orders: ${ORDERS} LIMIT buys at ${(pricePaise / 100).toFixed(2)} (LTP ${ltp}), then ${WINDOW_S} s with nothing happening, ${os.cpus().length} cores`);
    console.log(`  per-order poll ${env.ORDER_POLL_MIN_MS} -> ${env.ORDER_POLL_MAX_MS} ms, order-book watcher every ${env.ORDER_BOOK_POLL_MS} ms`);
    const t0 = Date.now();
    const codes = await placeResting(sys, symbol, pricePaise, run);
    const open = await waitUntilOpen(sys, codes['202'] ?? 0);
    console.log(`  placed in ${((Date.now() - t0) / 1000).toFixed(0)} s: answers ${JSON.stringify(codes)}, ${open} open at the broker; measuring after ${SETTLE_S} s`);
    await sleep(SETTLE_S * 1000); // the last placements' saves and postbacks are done
    const cpu0 = process.cpuUsage();
    const others0 = cpuSecondsOf(dataDir);
    const { placeRequests: before } = (await control(sys, '/control/stats')) as { placeRequests: unknown[] };
    await profiled('resting', async () => { await sleep(WINDOW_S * 1000); });
    const cpu = process.cpuUsage(cpu0);
    const others1 = cpuSecondsOf(dataDir);
    const { placeRequests: after } = (await control(sys, '/control/stats')) as { placeRequests: unknown[] };
    const share = (ms: number) => `${((ms / (WINDOW_S * 1000)) * 100).toFixed(2)}%`;
    const oms = (cpu.user + cpu.system) / 1000;
    const temporal = (others1.temporal - others0.temporal) * 1000;
    const postgres = (others1.postgres - others0.postgres) * 1000;
    console.log(`  CPU while resting, share of one core: OMS process ${share(oms)}, Temporal ${share(temporal)}, Postgres ${share(postgres)}; all ${share(oms + temporal + postgres)}`);
    console.log(`  new place requests at the broker in the window: ${after.length - before.length}`);
    // BENCH_DUMP_HISTORY=<dir>: the first order's history, to see what woke a resting order.
    if (process.env.BENCH_DUMP_HISTORY) {
      const connection = await Connection.connect({ address: sys.temporalAddress });
      const history = await new Client({ connection }).workflow.getHandle(`order-rest-${run}-0`).fetchHistory();
      fs.writeFileSync(path.join(process.env.BENCH_DUMP_HISTORY, `order-rest-${run}-0.json`), historyToJSON(history));
      await connection.close();
    }
  } finally {
    await sys.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
