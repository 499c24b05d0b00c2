import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { projectRoot } from '../../src/infra/binaries';
import { createTestDatabase } from '../support/db';

async function appliedMigrations(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    return rows.map((row) => row.migration_name);
  } finally {
    await client.end();
  }
}

test("each test database is separate and has all of the project's migrations applied; drop removes it", async () => {
  const migrationsDir = path.join(projectRoot(), 'prisma', 'migrations');
  const expected = fs.existsSync(migrationsDir)
    ? fs.readdirSync(migrationsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
    : [];
  const first = await createTestDatabase();
  const second = await createTestDatabase();
  try {
    expect(first.name).not.toBe(second.name);
    expect(await appliedMigrations(first.url)).toEqual(expected);
    expect(await appliedMigrations(second.url)).toEqual(expected);
  } finally {
    await first.drop();
    await second.drop();
  }

  await expect(appliedMigrations(first.url)).rejects.toThrow(/does not exist/);
});
