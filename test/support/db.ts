import crypto from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { projectRoot } from '../../src/infra/binaries';
import { applyMigrations } from '../../src/infra/migrate';
import { testEnv } from './env';

export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  name: string;
  /** Drops the database, closing any connection a test left open. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Migrations to apply; false for an empty database. Default: the project's prisma/migrations. */
  migrationsDir?: string | false;
}

/** A fresh, uniquely named database on the shared test server, with the migrations applied. */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const baseUrl = testEnv().databaseUrl;
  const name = `test_${Date.now().toString(36)}_${crypto.randomBytes(4).toString('hex')}`;
  await withAdmin(baseUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const target = new URL(baseUrl);
  target.pathname = `/${name}`;
  const url = target.toString();

  const drop = async (): Promise<void> => {
    await withAdmin(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
  };
  const migrationsDir = options.migrationsDir ?? path.join(projectRoot(), 'prisma', 'migrations');
  if (migrationsDir !== false) {
    try {
      await applyMigrations(url, migrationsDir, () => undefined);
    } catch (err) {
      await drop();
      throw err;
    }
  }
  return { url, name, drop };
}

async function withAdmin<T>(baseUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
