import { Client } from '@temporalio/client';
import { connectTemporal } from '../../src/infra/temporal-connection';
import { Client as PgClient } from 'pg';
import { parseEnv } from '../../src/config/env';
import { startSystem, type RunningSystem } from '../../src/system';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { testEnv } from '../support/env';
import { freePort } from '../support/ports';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { permissiveRiskConfig, writeRiskConfig } from '../support/risk-config';
import { writeAccessConfig, TEST_KEYS } from '../support/access-config';
import { writeReconciliationConfig } from '../support/reconciliation-config';
import { readFileSync } from 'node:fs';
import { accountSupervisorWorkflowId } from '../../src/workflows/account-supervisor-messages';
import { killSwitchWorkflowId } from '../../src/workflows/kill-switch-messages';

export interface Stack {
  sys: RunningSystem;
  db: TestDatabase;
  taskQueue: string;
  riskConfigFile: string;
  client: Client;
  /** Calls the API with the operator key. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Calls the API with another key (or none: null). */
  apiAs<T = any>(key: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  control<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** One query against the stack's database. */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Filled by startStack when asked for: proxies in front of Postgres and Temporal that a test can take down. */
export interface StackProxies { database?: TcpProxy; temporal?: TcpProxy }

/** The whole OMS as `npm start` builds it, on the shared test Postgres/Temporal, with its own API and paper broker. */
export async function startStack(extraEnv: Record<string, string> = {}, parts: { worker?: boolean; proxies?: StackProxies; log?: (line: string) => void } = {}): Promise<Stack> {
  const t = testEnv();
  const db = await createTestDatabase();
  const riskConfigFile = extraEnv.RISK_CONFIG_FILE ?? writeRiskConfig(permissiveRiskConfig());
  // With proxies, the system under test reaches Postgres and Temporal through them (the test's own client does not).
  const dbUrl = new URL(db.url);
  if (parts.proxies) {
    parts.proxies.database = await startTcpProxy(dbUrl.hostname, Number(dbUrl.port));
    dbUrl.hostname = '127.0.0.1';
    dbUrl.port = String(parts.proxies.database.port);
    const [host, port] = t.temporalAddress.split(':');
    parts.proxies.temporal = await startTcpProxy(host, Number(port));
  }
  const env = parseEnv({
    DATABASE_URL: dbUrl.toString(), TEMPORAL_ADDRESS: parts.proxies?.temporal ? `127.0.0.1:${parts.proxies.temporal.port}` : t.temporalAddress, TEMPORAL_NAMESPACE: t.temporalNamespace,
    TEMPORAL_TASK_QUEUE: `oms-test-${db.name}`, API_PORT: String(await freePort()), PAPER_PORT: String(await freePort()),
    ORDER_POLL_MIN_MS: '300', ORDER_POLL_MAX_MS: '1000', KITE_TIMEOUT_MS: '1500',
    // Each test names the update channels it is about (postbacks, the book watcher, polls); the WebSocket's own test
    // (websocket-updates.test.ts) turns it on.
    KITE_WEBSOCKET: 'off',
    // The daily-loss check and the reconciliation run when a test runs them: on their own every 15 and 30 s they would
    // halt the account or correct books in the middle of tests about other things (account-supervisor.test.ts and
    // kill-switch.test.ts turn the supervisor on).
    ACCOUNT_SUPERVISOR: 'off',
    RISK_CONFIG_FILE: riskConfigFile, ACCESS_CONFIG_FILE: writeAccessConfig(), RECONCILIATION_CONFIG_FILE: writeReconciliationConfig(), ...extraEnv,
  });
  const sys = await startSystem(env, parts.log ?? (() => undefined), parts);
  const temporal = await connectTemporal({ address: t.temporalAddress });
  const client = new Client({ connection: temporal.connection, namespace: t.temporalNamespace });
  const account = (JSON.parse(readFileSync(riskConfigFile, 'utf8')) as { account: string }).account;
  const call = async (base: string, method: string, path: string, body?: unknown, key: string | null = null) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) };
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    sys, db, client, taskQueue: env.TEMPORAL_TASK_QUEUE, riskConfigFile,
    api: (m, p, b) => call(sys.apiUrl, m, p, b, TEST_KEYS.operator),
    apiAs: (key, m, p, b) => call(sys.apiUrl, m, p, b, key),
    control: async (m, p, b) => {
      const r = await call(sys.paperBrokerUrl!, m, p, b);
      if (r.status >= 300) throw new Error(`control ${m} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.data;
    },
    async sql(text, params = []) {
      const pg = new PgClient({ connectionString: db.url });
      await pg.connect();
      try { return (await pg.query(text, params)).rows; } finally { await pg.end(); }
    },
    async close() {
      // The supervisor and the kill switch outlive a stack on the shared server: end this stack's.
      await client.workflow.getHandle(accountSupervisorWorkflowId(env.TEMPORAL_TASK_QUEUE, account)).terminate('test stack closed').catch(() => undefined);
      await client.workflow.getHandle(killSwitchWorkflowId(env.TEMPORAL_TASK_QUEUE, account)).terminate('test stack closed').catch(() => undefined);
      await parts.proxies?.database?.up().catch(() => undefined);
      await parts.proxies?.temporal?.up().catch(() => undefined);
      await temporal.close();
      await sys.stop();
      await parts.proxies?.database?.close();
      await parts.proxies?.temporal?.close();
      await db.drop();
    },
  };
}

/** Polls until `check` holds or the deadline passes; returns the last value. */
export async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!check(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  return v;
}
