import path from 'node:path';
import type { brokerSettings, Env } from '../config/env';
import { projectRoot } from '../infra/binaries';
import { startEmbeddedPostgres } from '../infra/embedded-pg';
import { applyMigrations } from '../infra/migrate';
import { OMS_DYNAMIC_CONFIG, startTemporalDevServer } from '../infra/temporal-dev-server';
import { ensureSearchAttributes } from '../infra/search-attributes';
import { connectTemporal } from '../infra/temporal-connection';
import { createPaperBroker } from '../paper/paper-broker';
import { paperStateFile } from '../paper/persistence';
import { ORDER_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import type { ShutdownStack } from './shutdown';
import type { AccountsConfig } from '../config/accounts-config';

export type BrokerSettings = ReturnType<typeof brokerSettings>;

/** The environment's Postgres, or an embedded one under DATA_DIR; either way migrated to the current schema. */
export async function startDatabase(env: Env, log: (line: string) => void, stops: ShutdownStack): Promise<string> {
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(path.resolve(env.DATA_DIR), 'postgres'), port: env.PG_PORT, database: 'oms', log });
    stops.push(() => pg.stop());
    databaseUrl = pg.connectionString;
  }
  const { applied } = await applyMigrations(databaseUrl, path.join(projectRoot(), 'prisma', 'migrations'), log);
  if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
  return databaseUrl;
}

/**
 * The environment's Temporal, or a dev server (SQLite under DATA_DIR); either way with the order search attributes
 * registered on the namespace (the dev server registers them as it starts; on an external cluster every process
 * checks, as nobody else sets it up).
 */
export async function startTemporal(env: Env, stops: ShutdownStack, log: (line: string) => void = () => undefined): Promise<{ address: string; uiUrl: string | undefined }> {
  if (!env.TEMPORAL_ADDRESS) return startDevServer(env, stops);
  const temporal = { address: env.TEMPORAL_ADDRESS, uiUrl: env.TEMPORAL_UI_URL };
  const { connection, close } = await connectTemporal({ address: temporal.address });
  try {
    await ensureSearchAttributes(connection, { namespace: env.TEMPORAL_NAMESPACE, attributes: ORDER_SEARCH_ATTRIBUTES, log });
  } finally {
    await close();
  }
  return temporal;
}

async function startDevServer(env: Env, stops: ShutdownStack): Promise<{ address: string; uiUrl: string | undefined }> {
  const dataDir = path.resolve(env.DATA_DIR);
  const t = await startTemporalDevServer({
    ip: env.TEMPORAL_DEV_IP, port: env.TEMPORAL_DEV_PORT, uiPort: env.TEMPORAL_UI_PORT, namespace: env.TEMPORAL_NAMESPACE,
    dbFilename: path.join(dataDir, 'temporal', 'temporal.sqlite'), searchAttributes: ORDER_SEARCH_ATTRIBUTES,
    logFile: path.join(dataDir, 'temporal', 'server.log'),
    dynamicConfig: OMS_DYNAMIC_CONFIG,
  });
  stops.push(() => t.stop());
  return { address: t.address, uiUrl: t.uiUrl };
}

/** In paper mode without an external simulator (KITE_API_ROOT), the paper broker in this process; its URL, if started. */
export async function startPaperBroker(env: Env, broker: BrokerSettings, stops: ShutdownStack, accounts: AccountsConfig, log?: (line: string) => void): Promise<string | undefined> {
  if (env.BROKER_MODE !== 'paper' || env.KITE_API_ROOT) return undefined;
  const postbackUrl = env.POSTBACK_URL ?? `http://${env.API_HOST}:${env.API_PORT}/api/v1/webhooks/kite`;
  // The redirect URL an app registers at Kite: the daily login's way back to this API (docs/live-trading.md).
  const redirectOf = (account: string) => `http://${env.API_HOST}:${env.API_PORT}/api/v1/accounts/${encodeURIComponent(account)}/session`;
  const loginRedirectUrl = redirectOf(accounts.defaultAccount);
  // Every other configured account is a separate simulated account (own book, cash, limits, login, WebSocket).
  const others = accounts.accounts.slice(1).map((a) => ({
    apiKey: a.apiKey, apiSecret: a.apiSecret, accessToken: a.accessToken, postbackUrl, loginRedirectUrl: redirectOf(a.id),
    ...(a.paperStartingCash ? { startingCash: a.paperStartingCash } : {}),
  }));
  // The paper account must outlive a restart as the OMS's book does, or reconciliation "corrects" the book to flat.
  const persist = env.PAPER_PERSIST === 'on' || (env.PAPER_PERSIST === 'auto' && !env.DATABASE_URL);
  const paper = createPaperBroker({
    apiKey: broker.apiKey, accessToken: broker.accessToken, apiSecret: broker.apiSecret, seed: env.PAPER_SEED, postbackUrl, loginRedirectUrl, accounts: others,
    rateLimit: { enabled: env.PAPER_RATE_LIMIT === 'on', ordersPerSecond: 10 }, startingCash: accounts.accounts[0].paperStartingCash ?? env.PAPER_STARTING_CASH,
    ...(persist ? { stateFile: paperStateFile(env.DATA_DIR) } : {}),
    ...(log ? { logger: log } : {}),
  });
  const port = await paper.listen(env.PAPER_PORT, env.PAPER_HOST);
  stops.push(() => paper.close());
  return `http://${env.PAPER_HOST}:${port}`;
}
