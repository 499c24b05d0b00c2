import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM" (IST)');
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected "YYYY-MM-DD"');

export const matchingSchema = z.strictObject({
  mode: z.enum(['auto', 'manual']),
  fillDelayMs: z.number().int().min(0).max(600_000),
  partialSlices: z.number().int().min(1).max(50),
  sliceIntervalMs: z.number().int().min(0).max(600_000),
  slippageTicks: z.number().int().min(0).max(1000),
  /** 0 freezes prices: they then move only through POST /control/price. */
  tickIntervalMs: z.number().int().min(0).max(3_600_000),
});

export const rateLimitSchema = z.strictObject({
  enabled: z.boolean(),
  ordersPerSecond: z.number().int().min(1).max(100_000),
});

export const sessionSchema = z.strictObject({
  alwaysOpen: z.boolean(),
  open: hhmm,
  close: hhmm,
  timezone: z.literal('Asia/Kolkata'),
  holidays: z.array(isoDay).optional(),
  /**
   * The simulated broker's intraday (MIS) square-off time, which the OMS's position monitor follows in paper mode.
   * Unset/null: none in an always-open session (it has no end of day), the OMS's configured time otherwise.
   */
  squareOffTime: hhmm.nullable().optional(),
});

export type MatchingOptions = z.infer<typeof matchingSchema>;
export type RateLimitOptions = z.infer<typeof rateLimitSchema>;
export type SessionOptions = z.infer<typeof sessionSchema>;

/** Everything POST /control/config may change at runtime. */
export interface RuntimeConfig {
  matching: MatchingOptions;
  rateLimit: RateLimitOptions;
  session: SessionOptions & { holidays: string[] };
  postbackUrl: string | null;
  /** Where GET /connect/login sends the browser with a request token: the redirect URL an app registers at Kite. */
  loginRedirectUrl: string | null;
}

export const DEFAULT_MATCHING: MatchingOptions = {
  mode: 'auto',
  fillDelayMs: 200,
  partialSlices: 1,
  sliceIntervalMs: 100,
  slippageTicks: 0,
  tickIntervalMs: 1000,
};
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { enabled: true, ordersPerSecond: 10 };
export const DEFAULT_SESSION: RuntimeConfig['session'] = {
  alwaysOpen: true,
  open: '09:15',
  close: '15:30',
  timezone: 'Asia/Kolkata',
  holidays: [],
};

/** Body of POST /control/config: every part optional, each part a partial update. */
export const configPatchSchema = z.strictObject({
  matching: matchingSchema.partial().optional(),
  rateLimit: rateLimitSchema.partial().optional(),
  postbackUrl: z.url().nullable().optional(),
  loginRedirectUrl: z.url().nullable().optional(),
  session: sessionSchema.partial().optional(),
});
export type ConfigPatch = z.infer<typeof configPatchSchema>;

/** Applies a validated patch; throws ZodError when the merged result is invalid. */
export function applyConfigPatch(current: RuntimeConfig, patch: ConfigPatch): RuntimeConfig {
  const matching = matchingSchema.parse({ ...current.matching, ...patch.matching });
  const rateLimit = rateLimitSchema.parse({ ...current.rateLimit, ...patch.rateLimit });
  const session = sessionSchema.parse({ ...current.session, ...patch.session });
  return {
    matching,
    rateLimit,
    session: { ...session, holidays: session.holidays ?? [] },
    postbackUrl: patch.postbackUrl === undefined ? current.postbackUrl : patch.postbackUrl,
    loginRedirectUrl: patch.loginRedirectUrl === undefined ? current.loginRedirectUrl : patch.loginRedirectUrl,
  };
}

export function initialConfig(patch: ConfigPatch): RuntimeConfig {
  return applyConfigPatch(
    { matching: DEFAULT_MATCHING, rateLimit: DEFAULT_RATE_LIMIT, session: DEFAULT_SESSION, postbackUrl: null, loginRedirectUrl: null },
    configPatchSchema.parse(patch),
  );
}
