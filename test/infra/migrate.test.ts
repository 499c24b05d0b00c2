import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations, markMigrationRolledBack, MigrationError, PRISMA_ADVISORY_LOCK_KEY } from '../../src/infra/migrate';
import { runMigrateCli } from '../../src/infra/migrate-cli';
import { createTestDatabase, type TestDatabase } from '../support/db';

const quiet = (): void => undefined;

let db: TestDatabase;
let migrationsDir: string;

beforeEach(async () => {
  db = await createTestDatabase({ migrationsDir: false });
  migrationsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oms-migrations-'));
});

afterEach(async () => {
  await db.drop();
  fs.rmSync(migrationsDir, { recursive: true, force: true });
});

function writeMigration(name: string, sql: string): string {
  const file = path.join(migrationsDir, name, 'migration.sql');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, sql);
  return file;
}

async function query<T extends Record<string, unknown>>(sql: string, params: unknown[] = [], url = db.url): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

interface HistoryRow extends Record<string, unknown> {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

const history = (): Promise<HistoryRow[]> =>
  query<HistoryRow>('SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');

describe('applyMigrations', () => {
  test('when migrations are pending, then they are applied in folder-name order and recorded as finished', async () => {
    // b depends on a: applying out of order would fail
    writeMigration('20260102000000_add_fills', 'CREATE TABLE fill (id INT PRIMARY KEY, order_id INT NOT NULL REFERENCES "order"(id));');
    writeMigration('20260101000000_init', 'CREATE TABLE "order" (id INT PRIMARY KEY, tag TEXT);\nCREATE INDEX order_tag ON "order"(tag);');

    const result = await applyMigrations(db.url, migrationsDir, quiet);

    expect(result.applied).toEqual(['20260101000000_init', '20260102000000_add_fills']);
    const rows = await history();
    expect(rows.map((row) => row.migration_name)).toEqual(['20260101000000_init', '20260102000000_add_fills']);
    for (const row of rows) {
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
    }
    await query('INSERT INTO "order" VALUES (1, $1)', ['t1']);
    await query('INSERT INTO fill VALUES (1, 1)');
  });

  test('when run again, then nothing is applied and existing data is untouched', async () => {
    writeMigration('20260101000000_init', 'CREATE TABLE "order" (id INT PRIMARY KEY);');
    await applyMigrations(db.url, migrationsDir, quiet);
    await query('INSERT INTO "order" VALUES (42)');

    const second = await applyMigrations(db.url, migrationsDir, quiet);

    expect(second).toEqual({ applied: [], warnings: [] });
    expect(await query('SELECT id FROM "order"')).toEqual([{ id: 42 }]);
    expect(await history()).toHaveLength(1);
  });

  test('when a migration is added later, then only the new one is applied', async () => {
    writeMigration('20260101000000_init', 'CREATE TABLE "order" (id INT PRIMARY KEY);');
    await applyMigrations(db.url, migrationsDir, quiet);
    writeMigration('20260201000000_add_status', 'ALTER TABLE "order" ADD COLUMN status TEXT NOT NULL DEFAULT \'OPEN\';');

    const result = await applyMigrations(db.url, migrationsDir, quiet);

    expect(result.applied).toEqual(['20260201000000_add_status']);
    expect((await history()).map((row) => row.migration_name)).toEqual(['20260101000000_init', '20260201000000_add_status']);
  });

  test('the recorded checksum is the sha256 hex of the migration file bytes', async () => {
    const file = writeMigration('20260101000000_init', '-- ünïcode comment\r\nCREATE TABLE t (id INT);\n');

    await applyMigrations(db.url, migrationsDir, quiet);

    const expected = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect((await history())[0]?.checksum).toBe(expected);
  });

  test('the history table has exactly the columns Prisma creates, so prisma migrate can take over', async () => {
    writeMigration('20260101000000_init', 'SELECT 1;');
    await applyMigrations(db.url, migrationsDir, quiet);

    const columns = await query(
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', len: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', len: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', len: null, is_nullable: 'NO', column_default: '0' },
    ]);
  });

  test('when a migration fails, then its changes are rolled back, the error is logged and later migrations wait', async () => {
    writeMigration('20260101000000_init', 'CREATE TABLE "order" (id INT PRIMARY KEY);');
    writeMigration('20260102000000_broken', 'CREATE TABLE half_done (id INT);\nINSERT INTO no_such_table VALUES (1);');
    writeMigration('20260103000000_later', 'CREATE TABLE later (id INT);');

    const failure = await applyMigrations(db.url, migrationsDir, quiet).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(MigrationError);
    expect(failure).toMatchObject({ code: 'P3018', migrationName: '20260102000000_broken' });
    expect(await query(`SELECT to_regclass('half_done') AS t, to_regclass('later') AS l`)).toEqual([{ t: null, l: null }]);
    const broken = (await history()).find((row) => row.migration_name === '20260102000000_broken');
    expect(broken).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(broken?.logs).toContain('no_such_table');
  });

  test('when an earlier run left a failed migration, then new runs refuse with an error naming it until it is resolved', async () => {
    writeMigration('20260101000000_broken', 'INSERT INTO no_such_table VALUES (1);');
    writeMigration('20260102000000_later', 'CREATE TABLE later (id INT);');
    await expect(applyMigrations(db.url, migrationsDir, quiet)).rejects.toMatchObject({ code: 'P3018' });

    // fixing the file is not enough: like Prisma, the failure must be resolved explicitly
    writeMigration('20260101000000_broken', 'CREATE TABLE fixed (id INT);');
    const blocked = applyMigrations(db.url, migrationsDir, quiet);
    await expect(blocked).rejects.toMatchObject({ code: 'P3009', migrationName: '20260101000000_broken' });
    await expect(blocked).rejects.toThrow(/`20260101000000_broken` migration started at .* failed/);
    expect(await query(`SELECT to_regclass('later') AS l`)).toEqual([{ l: null }]);

    await markMigrationRolledBack(db.url, '20260101000000_broken');
    const result = await applyMigrations(db.url, migrationsDir, quiet);

    expect(result.applied).toEqual(['20260101000000_broken', '20260102000000_later']);
    const rows = await history();
    expect(rows.filter((row) => row.migration_name === '20260101000000_broken').map((row) => row.rolled_back_at === null)).toEqual([false, true]);
  });

  test('when an applied migration file was edited, then the run warns and names it', async () => {
    const file = writeMigration('20260101000000_init', 'CREATE TABLE t (id INT);');
    await applyMigrations(db.url, migrationsDir, quiet);
    fs.writeFileSync(file, 'CREATE TABLE t (id BIGINT);');
    const lines: string[] = [];

    const result = await applyMigrations(db.url, migrationsDir, (line) => lines.push(line));

    expect(result.applied).toEqual([]);
    expect(result.warnings).toEqual([expect.stringContaining('20260101000000_init was modified after it was applied')]);
    expect(lines.some((line) => line.startsWith('warning:') && line.includes('20260101000000_init'))).toBe(true);
  });

  test('when two runners start at the same time, then each migration is applied exactly once', async () => {
    // pg_sleep widens the window in which the second runner would race without the lock
    writeMigration('20260101000000_init', 'SELECT pg_sleep(0.3);\nCREATE TABLE counter (n INT);\nINSERT INTO counter VALUES (1);');
    writeMigration('20260102000000_bump', 'SELECT pg_sleep(0.3);\nUPDATE counter SET n = n + 1;');

    const [first, second] = await Promise.all([
      applyMigrations(db.url, migrationsDir, quiet),
      applyMigrations(db.url, migrationsDir, quiet),
    ]);

    expect([...first.applied, ...second.applied].sort()).toEqual(['20260101000000_init', '20260102000000_bump']);
    expect(await query('SELECT n FROM counter')).toEqual([{ n: 2 }]);
    expect(await history()).toHaveLength(2);
  });

  test("while another session holds Prisma's advisory lock, a runner waits and then gives up with a clear error", async () => {
    writeMigration('20260101000000_init', 'CREATE TABLE t (id INT);');
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);

      const attempt = applyMigrations(db.url, migrationsDir, quiet, { lockTimeoutMs: 300 });

      await expect(attempt).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
      await expect(attempt).rejects.toThrow(/another migration runner/);
    } finally {
      await holder.end();
    }
    expect((await applyMigrations(db.url, migrationsDir, quiet)).applied).toEqual(['20260101000000_init']);
  });

  test('a ?schema= parameter in the URL puts the tables and the history into that schema, as Prisma does', async () => {
    writeMigration('20260101000000_init', 'CREATE TABLE "order" (id INT);');

    await applyMigrations(`${db.url}?schema=oms`, migrationsDir, quiet);

    const tables = await query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'oms' ORDER BY table_name`,
    );
    expect(tables).toEqual([{ table_name: '_prisma_migrations' }, { table_name: 'order' }]);
  });

  test('when the migrations folder does not exist, then nothing is applied', async () => {
    const result = await applyMigrations(db.url, path.join(migrationsDir, 'missing'), quiet);

    expect(result.applied).toEqual([]);
  });
});

describe('migrate-cli', () => {
  let errors: jest.SpyInstance;
  let logs: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    errors.mockRestore();
    logs.mockRestore();
  });

  test('applies the migrations of --dir to DATABASE_URL and exits 0', async () => {
    writeMigration('20260101000000_init', 'CREATE TABLE t (id INT);');

    const code = await runMigrateCli(['deploy', '--dir', migrationsDir], { DATABASE_URL: db.url });

    expect(code).toBe(0);
    expect((await history()).map((row) => row.migration_name)).toEqual(['20260101000000_init']);
  });

  test('without DATABASE_URL it exits 1 and says what is missing', async () => {
    const code = await runMigrateCli(['--dir', migrationsDir], {});

    expect(code).toBe(1);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('DATABASE_URL is not set'));
  });
});
