import { z } from 'zod';
import { paperAccountsJsonSchema } from './account-options';
import { createPaperBroker, type PaperBroker, type PaperBrokerOptions } from './paper-broker';
import { paperStateFile } from './persistence';

const blankToUndefined = (v: unknown): unknown => (v === '' ? undefined : v);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Environment of the standalone paper broker; reusable by the OMS entry point. */
export const paperEnvSchema = z.object({
  PAPER_PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535).default(8090)),
  PAPER_HOST: z.preprocess(blankToUndefined, z.string().min(1).default('127.0.0.1')),
  KITE_API_KEY: z.preprocess(blankToUndefined, z.string().min(1).default('paper_key')),
  KITE_ACCESS_TOKEN: z.preprocess(blankToUndefined, z.string().min(1).default('paper_token')),
  KITE_API_SECRET: z.preprocess(blankToUndefined, z.string().min(1).default('paper_secret')),
  PAPER_POSTBACK_URL: z.preprocess(blankToUndefined, z.url().optional()),
  /** Where the login page redirects with a request token (the OMS's /api/v1/accounts/<id>/session). */
  PAPER_LOGIN_REDIRECT_URL: z.preprocess(blankToUndefined, z.url().optional()),
  PAPER_SEED: z.preprocess(blankToUndefined, z.coerce.number().int().default(42)),
  PAPER_MATCHING_MODE: z.preprocess(blankToUndefined, z.enum(['auto', 'manual']).default('auto')),
  PAPER_RATE_LIMIT: z.preprocess(blankToUndefined, flag.default(true)),
  PAPER_STARTING_CASH: z.preprocess(blankToUndefined, z.coerce.number().positive().default(1_000_000)),
  /**
   * More Kite accounts than the primary (KITE_API_KEY...): a JSON array of {apiKey, apiSecret, accessToken, userId?,
   * startingCash? (rupees), postbackUrl?, loginRedirectUrl?}. Unset or blank: the primary only.
   */
  PAPER_ACCOUNTS: z.preprocess(blankToUndefined, paperAccountsJsonSchema.optional()),
  /** Keep the book across restarts in DATA_DIR/paper/state.json; unset: in memory only. */
  DATA_DIR: z.preprocess(blankToUndefined, z.string().min(1).optional()),
});
export type PaperEnv = z.infer<typeof paperEnvSchema>;

/** Parses the environment or throws an Error whose message lists every bad variable. */
export function parsePaperEnv(env: NodeJS.ProcessEnv): PaperEnv {
  const result = paperEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`Invalid paper broker configuration:\n${lines.join('\n')}`);
}

export function paperOptionsFromEnv(env: PaperEnv, logger?: (msg: string) => void): PaperBrokerOptions {
  return {
    apiKey: env.KITE_API_KEY,
    accessToken: env.KITE_ACCESS_TOKEN,
    apiSecret: env.KITE_API_SECRET,
    seed: env.PAPER_SEED,
    postbackUrl: env.PAPER_POSTBACK_URL,
    loginRedirectUrl: env.PAPER_LOGIN_REDIRECT_URL,
    matching: { mode: env.PAPER_MATCHING_MODE },
    rateLimit: { enabled: env.PAPER_RATE_LIMIT, ordersPerSecond: 10 },
    startingCash: env.PAPER_STARTING_CASH,
    ...(env.PAPER_ACCOUNTS?.length ? { accounts: env.PAPER_ACCOUNTS } : {}),
    logger,
    ...(env.DATA_DIR ? { stateFile: paperStateFile(env.DATA_DIR) } : {}),
  };
}

/** Starts the paper broker from an environment; resolves the broker and the port it listens on. */
export async function startPaperBroker(
  env: NodeJS.ProcessEnv = process.env,
  logger: (msg: string) => void = (msg) => console.log(`[paper] ${msg}`),
): Promise<{ broker: PaperBroker; port: number; host: string }> {
  const config = parsePaperEnv(env);
  const broker = createPaperBroker(paperOptionsFromEnv(config, logger));
  const port = await broker.listen(config.PAPER_PORT, config.PAPER_HOST);
  return { broker, port, host: config.PAPER_HOST };
}

async function main(): Promise<void> {
  let started: Awaited<ReturnType<typeof startPaperBroker>>;
  try {
    started = await startPaperBroker();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
  const { broker, port, host } = started;
  console.log(`[paper] Kite Connect simulator on http://${host}:${port} (control API under /control)`);
  const shutdown = (): void => {
    void broker.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) void main();
