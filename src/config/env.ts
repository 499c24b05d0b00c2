import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const ms = z.coerce.number().int().min(10).max(3_600_000);
const optionalUrl = z.string().url().optional();

/** The whole environment, parsed once at start-up. Unknown values fail fast with the variable's name. */
export const EnvSchema = z.object({
  BROKER_MODE: z.enum(['paper', 'live']).default('paper'),
  DATA_DIR: z.string().min(1).default('.data'),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),

  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('oms-orders'),
  TEMPORAL_DEV_IP: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_UI_URL: optionalUrl,

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL').optional(),
  PG_PORT: port.default(5433),

  KITE_API_KEY: z.string().min(1).optional(),
  KITE_API_SECRET: z.string().min(1).optional(),
  KITE_ACCESS_TOKEN: z.string().min(1).optional(),
  KITE_API_ROOT: optionalUrl,
  KITE_TIMEOUT_MS: ms.default(7000),
  /** How long the broker may take to act on a request it got (see broker_send_tickets); default 2 x KITE_TIMEOUT_MS. */
  BROKER_SETTLE_MS: ms.optional(),

  PAPER_HOST: z.string().min(1).default('127.0.0.1'),
  PAPER_PORT: port.default(8090),
  PAPER_SEED: z.coerce.number().int().default(42),
  PAPER_RATE_LIMIT: z.enum(['on', 'off']).default('on'),
  /** The paper account's opening cash in rupees. */
  PAPER_STARTING_CASH: z.coerce.number().positive().default(1_000_000),
  /**
   * Keep the in-process paper broker's book (orders, trades, positions) in DATA_DIR/paper/state.json across restarts.
   * auto: when the OMS's own book is under DATA_DIR too (embedded Postgres, DATABASE_URL unset), so both live and go
   * together; with an external database set `on` (the file must then last as long as that database) or `off`.
   */
  PAPER_PERSIST: z.enum(['auto', 'on', 'off']).default('auto'),

  /** Where the broker sends postbacks: this API's webhook as the broker can reach it. */
  POSTBACK_URL: optionalUrl,
  /** Kite's per-account order request limits (place, modify, cancel); requests queue instead of meeting 429s. */
  BROKER_ORDERS_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(10),
  BROKER_ORDERS_PER_MINUTE: z.coerce.number().int().min(1).max(60000).default(400),
  /** New orders admitted at once; one more is answered 429 OVERLOADED with Retry-After instead of queueing. */
  ADMISSION_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100000).default(64),
  /** How long a POST of a new order waits for its admission before it answers 503 ADMISSION_TIMEOUT (re-send to learn the outcome). */
  ADMISSION_TIMEOUT_MS: ms.default(10_000),
  /** Requests per second one API key may send on average; past it (and its burst) 429 RATE_LIMITED with Retry-After. */
  API_KEY_RATE_PER_SECOND: z.coerce.number().min(0.1).max(100000).default(500),
  /** How many requests one API key may send at once above its rate. */
  API_KEY_BURST: z.coerce.number().int().min(1).max(1000000).default(1000),
  /** Requests of one API key answered at the same time; one more is 429 CONCURRENCY_LIMITED with Retry-After. */
  API_KEY_MAX_CONCURRENT: z.coerce.number().int().min(1).max(100000).default(128),
  /** API keys and roles (JSON, keys as SHA-256), relative to the project root unless absolute. */
  ACCESS_CONFIG_FILE: z.string().min(1).default('config/access.json'),
  /** Retry strategies of broker calls (JSON), relative to the project root unless absolute. */
  EXECUTION_CONFIG_FILE: z.string().min(1).default('config/execution.json'),
  /** Brokerage and statutory charges per executed order (JSON), relative to the project root unless absolute. */
  CHARGES_CONFIG_FILE: z.string().min(1).default('config/charges.json'),
  /** Reconciliation schedule and policies (JSON), relative to the project root unless absolute. */
  RECONCILIATION_CONFIG_FILE: z.string().min(1).default('config/reconciliation.json'),
  /** Position monitor: OCO or OMS-watched target/stop, position timeout, MIS square-off (JSON), relative to the project root unless absolute. */
  MONITOR_CONFIG_FILE: z.string().min(1).default('config/monitor.json'),
  /** The risk configuration file (JSON), relative to the project root unless absolute. */
  RISK_CONFIG_FILE: z.string().min(1).default('config/risk.json'),
  /** host:port where `npm start` has the Temporal SDK export its worker metrics; GET /metrics appends them. */
  TEMPORAL_METRICS_BIND: z.string().regex(/^[\w.-]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464').optional(),
  /** A process without the API (--worker-only) serves GET /metrics and GET /health on this port (bound on API_HOST). */
  METRICS_PORT: port.optional(),
  /** The least severe log records written (silent: none). */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json: one JSON record a line; pretty: for a person at a terminal. Unset: pretty when stdout is a terminal, else json. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Several broker accounts and which strategies trade through each (JSON); absent file: one account from KITE_*. */
  ACCOUNTS_CONFIG_FILE: z.string().min(1).default('config/accounts.json'),
  /** Strategy webhooks and alert channels (JSON), relative to the project root unless absolute. */
  EVENTS_CONFIG_FILE: z.string().min(1).default('config/events.json'),
  /** Event readers (the SSE stream, webhooks) wake on each commit (LISTEN/NOTIFY); this poll is the safety net. */
  EVENTS_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /**
   * Each order's own read of the broker, backing off from min to max while nothing changes: the safety net under
   * postbacks and the order-book watcher. Defaults: 15 min / 1 h with the watcher on, 2 s / 2 min with it off.
   */
  ORDER_POLL_MIN_MS: ms.optional(),
  ORDER_POLL_MAX_MS: ms.optional(),
  /** The account's order book is read this often and each changed order is signalled (0: off; postbacks and polls only). */
  ORDER_BOOK_POLL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1500),
  /** Order updates over Kite's WebSocket (KiteTicker), one connection per worker process; the paper broker serves one too. */
  KITE_WEBSOCKET: z.enum(['on', 'off']).default('on'),
  /**
   * One supervisor workflow per account and IST day runs the daily-loss check (killSwitch.checkIntervalMs) and the
   * reconciliation (config/reconciliation.json) on their cadences; off: neither runs unless started by hand.
   */
  ACCOUNT_SUPERVISOR: z.enum(['on', 'off']).default('on'),
  /** The WebSocket's address: Kite's (wss://ws.kite.trade/) live, the paper broker's own port in paper mode. */
  KITE_WEBSOCKET_ROOT: z.string().regex(/^wss?:\/\/\S+$/, 'a ws:// or wss:// URL').optional(),
}).strict().superRefine((env, ctx) => {
  // Live credentials are checked with the accounts (config/accounts-config.ts): KITE_API_KEY and KITE_API_SECRET are
  // required only when no accounts file names others.
  const poll = pollDefaults(env);
  if (poll.ORDER_POLL_MAX_MS < poll.ORDER_POLL_MIN_MS) ctx.addIssue({ code: 'custom', path: ['ORDER_POLL_MAX_MS'], message: 'must be >= ORDER_POLL_MIN_MS' });
});
export type Env = Omit<z.infer<typeof EnvSchema>, 'ORDER_POLL_MIN_MS' | 'ORDER_POLL_MAX_MS'> & { ORDER_POLL_MIN_MS: number; ORDER_POLL_MAX_MS: number };

/**
 * Per-order polling is a safety net. With the order-book watcher on (one read of the whole book every
 * ORDER_BOOK_POLL_MS), an order that rests reads the broker for itself rarely, so that a thousand resting orders cost
 * next to nothing; with the watcher off it is the pull channel and polls often.
 */
function pollDefaults(env: { ORDER_BOOK_POLL_MS: number; ORDER_POLL_MIN_MS?: number; ORDER_POLL_MAX_MS?: number }) {
  const watched = env.ORDER_BOOK_POLL_MS > 0;
  const min = env.ORDER_POLL_MIN_MS ?? (watched ? 900_000 : 2_000);
  return { ORDER_POLL_MIN_MS: min, ORDER_POLL_MAX_MS: env.ORDER_POLL_MAX_MS ?? Math.max(min, watched ? 3_600_000 : 120_000) };
}

/** The variables this schema knows; everything else in process.env is somebody else's and is ignored. */
const KNOWN = Object.keys(EnvSchema.shape);

export class ConfigError extends Error {}

/** Parses the relevant part of an environment; throws ConfigError naming each bad variable. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const relevant: Record<string, string> = {};
  for (const key of KNOWN) {
    const v = source[key];
    if (v !== undefined && v !== '') relevant[key] = v;
  }
  const result = EnvSchema.safeParse(relevant);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...result.data, ...pollDefaults(result.data) };
}

/** Broker credentials and address for the chosen mode. Paper mode uses fixed, harmless credentials. */
export function brokerSettings(env: Env) {
  if (env.BROKER_MODE === 'live') {
    // Without a token the first broker call meets a 403 and the gateway takes the stored one (the daily login's).
    return { apiKey: env.KITE_API_KEY!, apiSecret: env.KITE_API_SECRET!, accessToken: env.KITE_ACCESS_TOKEN ?? '', root: env.KITE_API_ROOT ?? 'https://api.kite.trade' };
  }
  return {
    apiKey: env.KITE_API_KEY ?? 'paper_key', apiSecret: env.KITE_API_SECRET ?? 'paper_secret', accessToken: env.KITE_ACCESS_TOKEN ?? 'paper_token',
    root: env.KITE_API_ROOT ?? `http://${env.PAPER_HOST}:${env.PAPER_PORT}`,
  };
}
