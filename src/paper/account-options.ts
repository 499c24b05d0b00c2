import { z } from 'zod';

/**
 * An additional simulated Kite account (the primary one is the broker's top-level apiKey/apiSecret/accessToken).
 * Each has its own book, positions, funds, rate limit, faults, stats, postbacks, login and WebSocket; the market
 * (instruments and prices) is shared.
 */
export const paperAccountSchema = z.strictObject({
  apiKey: z.string().min(1),
  apiSecret: z.string().min(1),
  accessToken: z.string().min(1),
  /** Kite's user_id (default PAPER2, PAPER3, ... in the order given). */
  userId: z.string().min(1).optional(),
  /** Opening cash balance in rupees (default: the broker's startingCash). */
  startingCash: z.number().positive().optional(),
  postbackUrl: z.url().optional(),
  loginRedirectUrl: z.url().optional(),
});
export type PaperAccountOptions = z.infer<typeof paperAccountSchema>;

export const paperAccountsSchema = z.array(paperAccountSchema);

/** `PAPER_ACCOUNTS`-style JSON text -> accounts (zod issues keep their path, e.g. `1.apiKey`). */
export const paperAccountsJsonSchema = z
  .string()
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not valid JSON (${(err as Error).message})` });
      return z.NEVER;
    }
  })
  .pipe(paperAccountsSchema);

/**
 * Parses a JSON array of accounts (e.g. an environment variable) for `createPaperBroker({ accounts })`; undefined or
 * blank gives none. Throws an Error naming `source` and every bad field.
 */
export function parsePaperAccounts(json: string | undefined, source = 'PAPER_ACCOUNTS'): PaperAccountOptions[] {
  if (json === undefined || json.trim() === '') return [];
  const result = paperAccountsJsonSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${[source, ...i.path].join('.')}: ${i.message}`);
  throw new Error(`Invalid paper accounts:\n${lines.join('\n')}`);
}

/** Refuses two accounts with one api_key: requests are routed to an account by it. */
export function checkDistinctApiKeys(apiKeys: readonly string[]): void {
  const seen = new Set<string>();
  for (const key of apiKeys) {
    if (seen.has(key)) throw new Error(`paper broker: two accounts have the api_key ${key}; each account needs its own`);
    seen.add(key);
  }
}
