import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/infra/embedded-pg';
import { isProcessAlive, waitForProcessExit } from '../../src/infra/process-guard';
import { freePort } from '../support/ports';

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  let workDir: string;
  beforeEach(() => {
    // mkdtemp makes a 0700 folder the postgres user cannot enter: the module must cope with that
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oms-pg-'));
  });
  afterEach(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('when started again on the same data folder, then the database and its rows are still there', async () => {
    const options = { dataDir: path.join(workDir, 'a', 'data'), user: 'oms', password: 's3cret/:@', database: 'oms_app' };
    const first = await startEmbeddedPostgres({ ...options, port: await freePort() });
    try {
      await query(first.connectionString, 'CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ($$survives$$)');
    } finally {
      await first.stop();
    }
    expect(isProcessAlive(first.pid)).toBe(false);

    const second = await startEmbeddedPostgres({ ...options, port: await freePort() });
    try {
      expect(await query(second.connectionString, 'SELECT v FROM kept')).toEqual([{ v: 'survives' }]);
    } finally {
      await second.stop();
    }
  });

  test('when the previous server was killed and left postmaster.pid behind, then the next start still succeeds', async () => {
    const options = { dataDir: path.join(workDir, 'data'), database: 'oms', durable: false };
    const killed = await startEmbeddedPostgres({ ...options, port: await freePort() });
    process.kill(killed.pid, 'SIGKILL');
    await waitForProcessExit(killed.pid, 10_000);
    await killed.stop();
    expect(fs.existsSync(path.join(options.dataDir, 'postmaster.pid'))).toBe(true);

    const restarted = await startEmbeddedPostgres({ ...options, port: await freePort() });
    try {
      expect(await query(restarted.connectionString, 'SELECT current_database() AS db')).toEqual([{ db: 'oms' }]);
    } finally {
      await restarted.stop();
    }
  });

  test('when the data folder holds something other than a cluster, then it refuses to touch it', async () => {
    const dataDir = path.join(workDir, 'not-a-cluster');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'mine');

    await expect(startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'x' })).rejects.toThrow(/refusing to initialise/);
    expect(fs.readFileSync(path.join(dataDir, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
