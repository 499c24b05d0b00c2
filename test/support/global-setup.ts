import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/infra/embedded-pg';
import { isProcessAlive } from '../../src/infra/process-guard';
import { OMS_DYNAMIC_CONFIG, startTemporalDevServer } from '../../src/infra/temporal-dev-server';
import { ORDER_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { testEnvFile } from './env';
import { freePort } from './ports';

/** The Temporal search attributes the OMS registers: the production list itself. */
export const TEST_SEARCH_ATTRIBUTES = ORDER_SEARCH_ATTRIBUTES;

/** Shared with global-teardown.ts through globalThis (jest runs both in its parent process). */
export interface TestInfraHandle {
  stop(): Promise<void>;
}
export const INFRA_KEY = '__KITE_OMS_TEST_INFRA__';

async function withPortRetry<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      // Another process may grab the port between freePort() and the bind.
      if (attempt >= attempts || !/address already in use|bind/i.test(String(err))) throw err;
    }
  }
}

/** A jest run killed before its teardown leaves its temp folder (a whole Postgres cluster) behind. */
function removeLeftoversOfKilledRuns(): void {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    const match = /^kite-oms-test-(?:env-)?(\d+)[-.]/.exec(entry);
    if (match && !isProcessAlive(Number(match[1]))) {
      fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    }
  }
}

/** Starts one Postgres and one Temporal dev server for the whole jest run, unless given from outside. */
export default async function globalSetup(): Promise<void> {
  removeLeftoversOfKilledRuns();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `kite-oms-test-${process.pid}-`));
  const stops: Array<() => Promise<void>> = [];
  const ownedVars: string[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(stops.map((stop) => stop()));
    // Watch mode runs globalSetup again in this process: it must not mistake our stopped servers for external ones.
    for (const name of ownedVars) delete process.env[name];
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.rmSync(testEnvFile(process.pid), { force: true });
  };

  const startPostgres = async (): Promise<void> => {
    if (process.env.TEST_DATABASE_URL) return;
    const pg = await withPortRetry((port) =>
      startEmbeddedPostgres({
        dataDir: path.join(workDir, 'pg'),
        port,
        user: 'postgres',
        password: crypto.randomBytes(12).toString('hex'),
        database: 'oms_test',
        durable: false,
        postgresFlags: ['-c', 'max_connections=300'],
      }),
    );
    stops.push(pg.stop);
    process.env.TEST_DATABASE_URL = pg.connectionString;
    ownedVars.push('TEST_DATABASE_URL');
  };
  const startTemporal = async (): Promise<void> => {
    if (process.env.TEST_TEMPORAL_ADDRESS) return;
    const temporal = await withPortRetry((port) =>
      startTemporalDevServer({
        ip: '127.0.0.1',
        port,
        namespace: 'default',
        dbFilename: path.join(workDir, 'temporal', `temporal-${port}.db`),
        searchAttributes: TEST_SEARCH_ATTRIBUTES,
        logFile: path.join(workDir, 'temporal', 'server.log'),
        headless: true,
        dynamicConfig: OMS_DYNAMIC_CONFIG,
      }),
    );
    stops.push(temporal.stop);
    process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
    process.env.TEST_TEMPORAL_NAMESPACE = temporal.namespace;
    ownedVars.push('TEST_TEMPORAL_ADDRESS', 'TEST_TEMPORAL_NAMESPACE');
  };

  const results = await Promise.allSettled([startPostgres(), startTemporal()]);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  process.env.TEST_TEMPORAL_NAMESPACE ??= 'default';
  fs.writeFileSync(
    testEnvFile(process.pid),
    JSON.stringify({
      TEST_DATABASE_URL: process.env.TEST_DATABASE_URL,
      TEST_TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TEST_TEMPORAL_NAMESPACE: process.env.TEST_TEMPORAL_NAMESPACE,
    }),
    { mode: 0o600 },
  );
  const handle: TestInfraHandle = { stop: stopAll };
  (globalThis as Record<string, unknown>)[INFRA_KEY] = handle;
}
