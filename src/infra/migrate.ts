import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * A stand-in for `prisma migrate deploy` (Prisma's schema engine cannot be downloaded here). It keeps Prisma's
 * bookkeeping exactly, so a machine that has the engine can run `prisma migrate deploy/status` on the same
 * database: the same advisory lock, the same `_prisma_migrations` table, sha256 checksums of the files, and
 * the same refusal to go on after a failed migration until it is resolved.
 */

/** Prisma's lock key (schema-engine, postgres flavour: `SELECT pg_advisory_lock(72707369)`). */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

// Verbatim from Prisma's schema engine (sql-migration-connector, postgres flavour).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

export type MigrationLog = (message: string) => void;

export interface ApplyMigrationsResult {
  /** Names applied by this run, in order. */
  applied: string[];
  /** Edited applied migrations, or applied migrations missing locally. */
  warnings: string[];
}

export interface ApplyMigrationsOptions {
  /** How long to wait for another runner's advisory lock. Default 60 s (Prisma: 10 s). */
  lockTimeoutMs?: number;
}

/** Codes follow Prisma's: P3009 failed migration blocks deploy, P3018 a migration failed now. */
export class MigrationError extends Error {
  constructor(
    readonly code: 'P3009' | 'P3018' | 'LOCK_TIMEOUT' | 'BAD_LAYOUT',
    message: string,
    readonly migrationName?: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface LocalMigration {
  name: string;
  file: string;
  checksum: string;
  sql: string;
}

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** sha256 hex of the migration file's bytes (what Prisma stores in `checksum`). */
export function migrationChecksum(bytes: Buffer | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** `<dir>/<name>/migration.sql` in lexical order; a missing folder means no migrations. */
export function readLocalMigrations(migrationsDir: string): LocalMigration[] {
  const dir = path.resolve(migrationsDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      if (!fs.existsSync(file)) {
        throw new MigrationError('BAD_LAYOUT', `Migration folder ${name} has no migration.sql (${file}).`, name);
      }
      const bytes = fs.readFileSync(file);
      return { name, file, checksum: migrationChecksum(bytes), sql: bytes.toString('utf8') };
    });
}

/** Applies every not-yet-applied migration in `migrationsDir`, each in its own transaction, under Prisma's lock. */
export async function applyMigrations(
  connectionString: string,
  migrationsDir = 'prisma/migrations',
  log: MigrationLog = (message) => console.log(message),
  options: ApplyMigrationsOptions = {},
): Promise<ApplyMigrationsResult> {
  const local = readLocalMigrations(migrationsDir);
  checkLockFile(migrationsDir);
  return withMigrationSession(connectionString, options, async (client) => {
    const rows = await loadHistory(client);
    refuseIfFailed(rows);
    const warnings = compareWithHistory(local, rows);
    warnings.forEach((warning) => log(`warning: ${warning}`));

    const done = new Set(rows.filter((row) => row.finished_at && !row.rolled_back_at).map((row) => row.migration_name));
    const pending = local.filter((migration) => !done.has(migration.name));
    if (pending.length === 0) log(`No pending migrations to apply (${local.length} found in ${migrationsDir}).`);
    const applied: string[] = [];
    for (const migration of pending) {
      await applyOne(client, migration);
      log(`Applied migration ${migration.name}`);
      applied.push(migration.name);
    }
    return { applied, warnings };
  });
}

/**
 * Like `prisma migrate resolve --rolled-back <name>`: marks a failed migration as rolled back, so that the
 * next deploy re-applies it (after you fixed the file or the database).
 */
export async function markMigrationRolledBack(connectionString: string, migrationName: string): Promise<void> {
  await withMigrationSession(connectionString, {}, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE _prisma_migrations SET rolled_back_at = now()
        WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
      [migrationName],
    );
    if (!rowCount) throw new Error(`Migration ${migrationName} is not in a failed state; nothing to resolve.`);
  });
}

async function withMigrationSession<T>(
  connectionString: string,
  options: ApplyMigrationsOptions,
  body: (client: Client) => Promise<T>,
): Promise<T> {
  const { url, schema } = splitSchemaParam(connectionString);
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await acquireLock(client, options.lockTimeoutMs ?? 60_000);
    try {
      if (schema) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
        await client.query(`SET search_path TO ${client.escapeIdentifier(schema)}`);
      }
      const { rows } = await client.query<{ exists: string | null }>(`SELECT to_regclass('_prisma_migrations') AS exists`);
      if (!rows[0]?.exists) await client.query(CREATE_MIGRATIONS_TABLE);
      return await body(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Prisma URLs carry `?schema=`; node-postgres does not know it, so we apply it as the search_path. */
function splitSchemaParam(connectionString: string): { url: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(connectionString);
  } catch {
    return { url: connectionString };
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema };
}

async function acquireLock(client: Client, timeoutMs: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') {
      throw new MigrationError(
        'LOCK_TIMEOUT',
        `Timed out after ${timeoutMs} ms waiting for the migration advisory lock (pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})): another migration runner is holding it.`,
      );
    }
    throw err;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

async function loadHistory(client: Client): Promise<MigrationRow[]> {
  const { rows } = await client.query<MigrationRow>(
    `SELECT id, migration_name, checksum, started_at, finished_at, rolled_back_at
       FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );
  return rows;
}

function refuseIfFailed(rows: MigrationRow[]): void {
  const failed = rows.filter((row) => !row.finished_at && !row.rolled_back_at);
  if (failed.length === 0) return;
  const lines = failed.map((row) => `The \`${row.migration_name}\` migration started at ${row.started_at.toISOString()} failed`);
  throw new MigrationError(
    'P3009',
    'migrate found failed migrations in the target database, new migrations will not be applied. ' +
      'Fix the database or the migration, then mark it rolled back (`prisma migrate resolve --rolled-back <name>` ' +
      'or `migrate-cli resolve --rolled-back <name>`); see https://pris.ly/d/migrate-resolve\n' +
      lines.join('\n'),
    failed[0]?.migration_name,
  );
}

function compareWithHistory(local: LocalMigration[], rows: MigrationRow[]): string[] {
  const byName = new Map(local.map((migration) => [migration.name, migration]));
  const warnings: string[] = [];
  for (const row of rows) {
    if (!row.finished_at || row.rolled_back_at) continue;
    const file = byName.get(row.migration_name);
    if (!file) {
      warnings.push(`migration ${row.migration_name} is applied to the database but missing from the migrations folder`);
    } else if (file.checksum !== row.checksum) {
      warnings.push(
        `migration ${row.migration_name} was modified after it was applied (checksum ${row.checksum} in the database, ${file.checksum} on disk)`,
      );
    }
  }
  return warnings;
}

async function applyOne(client: Client, migration: LocalMigration): Promise<void> {
  const id = crypto.randomUUID();
  await client.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await client.query('BEGIN');
    await client.query(migration.sql); // simple-query protocol: the whole multi-statement script at once
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const pgError = err as { code?: string; message?: string; position?: string };
    const details = `Database error code: ${pgError.code ?? 'unknown'}\n\nDatabase error:\n${pgError.message ?? String(err)}` +
      (pgError.position ? `\n\nPosition: ${pgError.position}` : '');
    await client.query('UPDATE _prisma_migrations SET logs = $2 WHERE id = $1', [id, details]);
    throw new MigrationError(
      'P3018',
      `A migration failed to apply. New migrations cannot be applied before the error is recovered from.\n\nMigration name: ${migration.name}\n\n${details}`,
      migration.name,
    );
  }
  await client.query('UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
}

function checkLockFile(migrationsDir: string): void {
  const lockFile = path.join(path.resolve(migrationsDir), 'migration_lock.toml');
  if (!fs.existsSync(lockFile)) return;
  const provider = /provider\s*=\s*"([^"]+)"/.exec(fs.readFileSync(lockFile, 'utf8'))?.[1];
  if (provider && provider !== 'postgresql') {
    throw new MigrationError('BAD_LAYOUT', `${lockFile} is for provider "${provider}", this runner applies PostgreSQL migrations only.`);
  }
}
