import { z } from 'zod';
import { applyMigrations, markMigrationRolledBack, MigrationError } from './migrate';

/**
 * Command line for the migration runner (a `prisma migrate deploy` / `resolve --rolled-back` stand-in).
 *   DATABASE_URL=postgresql://... migrate-cli [deploy] [--dir prisma/migrations]
 *   DATABASE_URL=postgresql://... migrate-cli resolve --rolled-back <migration_name>
 */

const envSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL is not set' })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgresql:// URL'),
});

type Command = { kind: 'deploy'; dir: string } | { kind: 'resolve'; name: string; dir: string };

export function parseArgs(argv: string[]): Command {
  const args = [...argv];
  let dir = 'prisma/migrations';
  const dirIndex = args.indexOf('--dir');
  if (dirIndex >= 0) {
    const value = args[dirIndex + 1];
    if (!value) throw new Error('--dir needs a folder');
    dir = value;
    args.splice(dirIndex, 2);
  }
  const [command = 'deploy', ...rest] = args;
  if (command === 'deploy' && rest.length === 0) return { kind: 'deploy', dir };
  if (command === 'resolve' && rest[0] === '--rolled-back' && rest[1] && rest.length === 2) {
    return { kind: 'resolve', name: rest[1], dir };
  }
  throw new Error('usage: migrate-cli [deploy] [--dir <folder>] | migrate-cli resolve --rolled-back <migration_name>');
}

/** Returns the process exit code. */
export async function runMigrateCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const command = parseArgs(argv);
    const { DATABASE_URL } = envSchema.parse(env);
    if (command.kind === 'resolve') {
      await markMigrationRolledBack(DATABASE_URL, command.name);
      console.log(`Migration ${command.name} marked as rolled back.`);
      return 0;
    }
    const { applied } = await applyMigrations(DATABASE_URL, command.dir);
    console.log(applied.length ? `All migrations applied (${applied.length} new).` : 'Database is up to date.');
    return 0;
  } catch (err) {
    if (err instanceof z.ZodError) {
      console.error(`migrate: ${err.issues.map((issue) => issue.message).join('; ')}`);
    } else if (err instanceof MigrationError) {
      console.error(`migrate: Error ${err.code}: ${err.message}`);
    } else {
      console.error(`migrate: ${err instanceof Error ? err.message : String(err)}`);
    }
    return 1;
  }
}

if (require.main === module) {
  void runMigrateCli(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
