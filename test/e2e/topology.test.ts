import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { projectRoot } from '../../src/infra/binaries';
import { connectTemporal, type ClosableConnection } from '../../src/infra/temporal-connection';
import { accountSupervisorWorkflowId } from '../../src/workflows/account-supervisor-messages';
import { killSwitchWorkflowId } from '../../src/workflows/kill-switch-messages';
import { TEST_KEYS, writeAccessConfig } from '../support/access-config';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { testEnv } from '../support/env';
import { freePort } from '../support/ports';
import { permissiveRiskConfig, writeRiskConfig } from '../support/risk-config';
import { writeReconciliationConfig } from '../support/reconciliation-config';

/**
 * The deployment without Docker, as docs/operations.md describes it: the paper broker (`npm run paper`), one API
 * process (`npm run start:api`) and two worker processes (`npm run start:worker`, METRICS_PORT), each its own OS
 * process from dist/, on the shared test Temporal server and a fresh database. Run `npm run build` first.
 */

interface Proc { name: string; child: ChildProcess; output: string[] }
const procs: Proc[] = [];
const killAll = () => { for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL'); };
// A jest run that dies before afterAll must not leave servers behind.
process.once('exit', killAll);

function start(name: string, script: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { name, child, output: [] };
  const keep = (chunk: Buffer) => { proc.output.push(chunk.toString()); if (proc.output.length > 200) proc.output.shift(); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  procs.push(proc);
  return proc;
}

/** What each process said last, for a failure message. */
const outputs = () => procs.map((p) => `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'}) ---\n${p.output.join('').slice(-3000)}`).join('\n');

/** Reads until `wanted` holds or the deadline passes; then fails with what was last seen and the processes' output. */
async function until<T>(what: string, read: () => Promise<T>, wanted: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}\n${outputs()}`);
    try {
      const v = await read();
      if (wanted(v)) return v;
      last = v;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last seen: ${JSON.stringify(last)})\n${outputs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopAll(): Promise<void> {
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    const hard = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
    p.child.once('exit', () => { clearTimeout(hard); resolve(); });
    p.child.kill('SIGTERM');
  })));
}

const http = async (url: string, init: { method?: string; body?: unknown; key?: string } = {}) => {
  const res = await fetch(url, {
    method: init.method ?? 'GET', signal: AbortSignal.timeout(10_000),
    headers: { 'content-type': 'application/json', ...(init.key ? { 'x-api-key': init.key } : {}) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: any = text;
  try { body = text ? JSON.parse(text) : null; } catch { /* Prometheus text */ }
  return { status: res.status, body };
};

let db: TestDatabase | undefined;
let temporal: ClosableConnection | undefined;
let taskQueue = '';
let api = '';
let paper = '';
let metrics: string[] = [];

beforeAll(async () => {
  const t = testEnv();
  db = await createTestDatabase();
  taskQueue = `oms-topology-${db.name}`;
  const [paperPort, apiPort, m1, m2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  api = `http://127.0.0.1:${apiPort}`;
  paper = `http://127.0.0.1:${paperPort}`;
  metrics = [m1, m2].map((p) => `http://127.0.0.1:${p}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'oms-topology-'));
  start('paper', 'paper/main.js', [], { PAPER_HOST: '127.0.0.1', PAPER_PORT: String(paperPort), PAPER_POSTBACK_URL: `${api}/api/v1/webhooks/kite` });
  const oms = {
    DATABASE_URL: db.url, TEMPORAL_ADDRESS: t.temporalAddress, TEMPORAL_NAMESPACE: t.temporalNamespace, TEMPORAL_TASK_QUEUE: taskQueue,
    KITE_API_ROOT: paper, KITE_TIMEOUT_MS: '1500', ORDER_POLL_MIN_MS: '300', ORDER_POLL_MAX_MS: '1000', KITE_WEBSOCKET: 'off', DATA_DIR: dataDir,
    API_HOST: '127.0.0.1', API_PORT: String(apiPort),
    RISK_CONFIG_FILE: writeRiskConfig(permissiveRiskConfig()), ACCESS_CONFIG_FILE: writeAccessConfig(), RECONCILIATION_CONFIG_FILE: writeReconciliationConfig(),
  };
  start('api', 'main.js', ['--api-only'], oms);
  start('worker-1', 'main.js', ['--worker-only'], { ...oms, METRICS_PORT: String(m1) });
  start('worker-2', 'main.js', ['--worker-only'], { ...oms, METRICS_PORT: String(m2) });
  temporal = await connectTemporal({ address: t.temporalAddress });
}, 60_000);

afterAll(async () => {
  await stopAll();
  if (temporal) {
    // The kill switch and its Schedule outlive the processes on the shared server: remove this run's.
    const client = new Client({ connection: temporal.connection, namespace: testEnv().temporalNamespace });
    await client.workflow.getHandle(accountSupervisorWorkflowId(taskQueue, 'default')).terminate('topology test done').catch(() => undefined);
    await client.workflow.getHandle(killSwitchWorkflowId(taskQueue, 'default')).terminate('topology test done').catch(() => undefined);
    await temporal.close();
  }
  await db?.drop();
}, 60_000);

describe('the OMS as separate processes: paper broker, one API, two workers', () => {
  it('when every process is up, then the API is ready, both workers poll the task queue and each serves its metrics', async () => {
    await until('the API /ready', () => http(`${api}/ready`), (r) => r.status === 200, 90_000);
    const client = new Client({ connection: temporal!.connection, namespace: testEnv().temporalNamespace });
    await until('two worker processes polling', async () => {
      const tq = await client.workflowService.describeTaskQueue({ namespace: testEnv().temporalNamespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
      return new Set((tq.pollers ?? []).map((p) => p.identity)).size;
    }, (n) => n >= 2, 60_000);
    for (const url of metrics) {
      // A worker serves its metrics once it is fully up (worker polling, kill switch and supervisor in place).
      await until(`${url}/health`, () => http(`${url}/health`), (r) => r.status === 200, 60_000);
      const scraped = await http(`${url}/metrics`);
      expect(scraped.status).toBe(200);
      expect(String(scraped.body)).toMatch(/^# HELP oms_/m);
    }
  }, 150_000);

  it('when an order is placed through the API and the broker fills it, then it is FILLED; when another is cancelled, then it is CANCELLED', async () => {
    await until('the paper broker in manual matching', () => http(`${paper}/control/config`, { method: 'POST', body: { matching: { mode: 'manual' } } }), (r) => r.status === 200, 10_000);
    const instruments = (await http(`${paper}/control/instruments`)).body.data as { tradingsymbol: string }[];
    const symbol = instruments.find((i) => /52000PE$/.test(i.tradingsymbol))!.tradingsymbol;
    const place = async (n: number) => {
      const res = await http(`${api}/api/v1/orders`, {
        method: 'POST', key: TEST_KEYS.operator,
        body: { clientOrderId: `topology-${taskQueue}-${n}`, strategyId: 'topology', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00' },
      });
      expect(res.status).toBe(202);
      return res.body.order.orderId as string;
    };
    const order = async (id: string) => (await http(`${api}/api/v1/orders/${id}`, { key: TEST_KEYS.operator })).body.order;

    const filled = await place(1);
    const open = await until('the first order OPEN at the broker', () => order(filled), (o) => o?.status === 'OPEN' && Boolean(o.brokerOrderId));
    expect((await http(`${paper}/control/orders/${open.brokerOrderId}/fill`, { method: 'POST', body: {} })).status).toBe(200);
    const done = await until('the first order FILLED', () => order(filled), (o) => o?.status === 'FILLED');
    expect(done.filledQuantity).toBe(30);

    const cancelled = await place(2);
    await until('the second order OPEN at the broker', () => order(cancelled), (o) => o?.status === 'OPEN');
    const cancel = await http(`${api}/api/v1/orders/${cancelled}`, { method: 'DELETE', key: TEST_KEYS.operator });
    expect(cancel.status).toBeLessThan(300);
    await until('the second order CANCELLED', () => order(cancelled), (o) => o?.status === 'CANCELLED');
  }, 150_000);
});
