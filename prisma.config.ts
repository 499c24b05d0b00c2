import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Not env(): it throws when DATABASE_URL is unset, and `prisma generate` needs no database.
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://oms:oms@127.0.0.1:5432/oms' },
});
