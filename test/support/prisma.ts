import { createPrismaClient, type Db } from '../../src/store/prisma';
import { createTestDatabase, type TestDatabase } from './db';

/**
 * Declares the hooks of a store test file: a fresh migrated database with a Prisma client on it before the tests
 * (`ready` builds the file's stores on it), the client closed and the database dropped after them.
 */
export function useTestPrisma(ready: (prisma: Db) => void, poolSize?: number): void {
  let db: TestDatabase | undefined;
  let prisma: Db | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = poolSize === undefined ? createPrismaClient(db.url) : createPrismaClient(db.url, poolSize);
    ready(prisma);
  });
  afterAll(async () => {
    try {
      await prisma?.$disconnect();
    } finally {
      await db?.drop();
    }
  });
}
