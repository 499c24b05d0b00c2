/**
 * `npm run bench` (first part): the pre-trade risk gate with warm market data.
 * - rules: every check of the gate (evaluateRisk + the combined report), pure, on the account book read from Postgres;
 * - gate without margin calls: the whole activity (book read and reservation write under the account's advisory lock
 *   in embedded Postgres, quotes from the warm cache);
 * - gate with margin calls: the same plus the broker's margin answers over HTTP (paper broker through kiteconnect).
 * Sequential orders, so the figures are per-order latencies, not throughput.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRiskActivities } from '../src/activities/risk-activities';
import { KiteGateway } from '../src/broker/kite-gateway';
import { MarketDataCache } from '../src/broker/market-data';
import { paperSessionSource } from '../src/broker/paper-session';
import { parseRiskConfig } from '../src/config/risk-config';
import { benchRiskConfig } from './bench-risk-config';
import { initialOrderState } from '../src/domain/order-state';
import type { OrderRequest } from '../src/domain/order-types';
import { validateOrder } from '../src/domain/order-validation';
import { projectRoot } from '../src/infra/binaries';
import { startEmbeddedPostgres } from '../src/infra/embedded-pg';
import { applyMigrations } from '../src/infra/migrate';
import { createPaperBroker } from '../src/paper/paper-broker';
import { createPrismaClient } from '../src/store/prisma';
import { RiskStore, type AdmitArgs } from '../src/store/risk-store';

const N = Number(process.env.BENCH_RISK_ORDERS ?? 300);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };

function benchConfig() {
  return parseRiskConfig(benchRiskConfig());
}

/** Times each pure decision the store asks for. */
class TimedRiskStore extends RiskStore {
  decisions: number[] = [];
  override admit(args: AdmitArgs) {
    return super.admit({ ...args, decide: (snapshot) => {
      const t = performance.now();
      const d = args.decide(snapshot);
      this.decisions.push(performance.now() - t);
      return d;
    } });
  }
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oms-risk-bench-'));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port, database: 'oms' });
  const paper = createPaperBroker({ apiKey: 'k', accessToken: 't', apiSecret: 's', rateLimit: { enabled: false, ordersPerSecond: 10 }, startingCash: 1_000_000_000 });
  const paperPort = await paper.listen(0, '127.0.0.1');
  const db = createPrismaClient(pg.connectionString);
  try {
    await applyMigrations(pg.connectionString, path.join(projectRoot(), 'prisma', 'migrations'), () => undefined);
    const gateway = new KiteGateway({ apiKey: 'k', accessToken: 't', root: `http://127.0.0.1:${paperPort}`, timeoutMs: 7000 });
    const config = benchConfig();
    // As in production: a quote is reused for ttlMs (1 s), then refreshed in one batched request.
    const marketData = new MarketDataCache((keys) => gateway.getQuotes(keys), { ttlMs: config.quoteTtlMs });
    const store = new TimedRiskStore(db);
    const gate = createRiskActivities({ riskConfig: { current: () => ({ config, version: 'bench', loadedAt: '', path: '' }) }, marketData, broker: gateway, riskStore: store, session: paperSessionSource(`http://127.0.0.1:${paperPort}`) });

    const options = paper.instruments().filter((i) => i.segment === 'NFO-OPT');
    const farthest = options.map((i) => String(i.expiry)).sort().at(-1);
    const instruments = options.filter((i) => String(i.expiry) === farthest && /5[12]\d00(CE|PE)$/.test(i.tradingsymbol)).slice(0, 20);
    await marketData.getQuotes(instruments.map((i) => `NFO:${i.tradingsymbol}`));
    const resolved = await Promise.all(instruments.map((i) => gateway.getInstrument('NFO', i.tradingsymbol)));

    const run = async (strategyId: string, i: number) => {
      const instrument = resolved[i % resolved.length]!;
      const request: OrderRequest = {
        clientOrderId: `${strategyId}-${i}`, strategyId, tradingsymbol: instrument.tradingsymbol, exchange: 'NFO', side: i % 4 === 3 ? 'SELL' : 'BUY',
        quantity: 30, orderType: 'MARKET', product: 'NRML', validity: 'DAY', variety: 'regular',
      };
      const state = { ...initialOrderState({ orderId: `order-${strategyId}-${i}`, tag: `b${strategyId}${i}`, payloadHash: 'h', request, at: new Date().toISOString() }), instrument };
      const t = performance.now();
      const report = await gate.assessOrderRisk({ state, basic: validateOrder(request, instrument) });
      if (!report.passed) throw new Error(`bench order refused: ${JSON.stringify(report.failure)}`);
      return performance.now() - t;
    };
    for (let i = 0; i < 20; i++) await run('warmup', i);
    store.decisions = [];
    const withoutMargin: number[] = [];
    for (let i = 0; i < N; i++) withoutMargin.push(await run('nomargin', i));
    const rules = [...store.decisions];
    const withMargin: number[] = [];
    for (let i = 0; i < N; i++) withMargin.push(await run('margin', i));

    const ms = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(3)} ms  p95 ${pct(xs, 95).toFixed(3)} ms  max ${Math.max(...xs).toFixed(3)} ms`;
    console.log(`risk gate: ${N} sequential orders per figure, warm market data, ${instruments.length} symbols, ${os.cpus().length} cores`);
    console.log(`  rules only (all checks, pure):             ${ms(rules)}`);
    console.log(`  gate without broker margin calls:          ${ms(withoutMargin)}`);
    console.log(`  gate with broker margin calls (HTTP):      ${ms(withMargin)}`);
    console.log(`  quote requests to the broker during the run: ${marketData.fetches} (one batched refresh per TTL at most)`);
  } finally {
    await db.$disconnect();
    await paper.close();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
