import { z } from 'zod';
import { toPaise } from '../domain/money';
import type { RiskLimits, SessionCalendar } from '../domain/risk/risk-types';
import { describeIssues } from './config-file';

/**
 * The risk configuration file (JSON): global defaults, per-strategy overrides, the live session calendar. Parsed by
 * zod; unknown keys and bad values fail with the path of the offending key. Operators write rupees and percentages;
 * the engine gets paise and basis points so its comparisons are exact.
 */
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM" (IST)');
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected "YYYY-MM-DD"');
const rupees = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const paise = toPaise(v);
  if (paise === null || paise < 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a non-negative rupee amount with at most 2 decimals' });
    return z.NEVER;
  }
  return paise;
});
const percent = z.number().min(0).max(10_000).refine((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-9, 'at most 2 decimals')
  .transform((p) => Math.round(p * 100));
const count = z.number().int().min(0);
const ratio = z.number().positive().max(1000).refine((r) => Math.abs(Math.round(r * 100) - r * 100) < 1e-9, 'at most 2 decimals');

const limitsSchema = z.strictObject({
  capitalRupees: rupees,
  parameters: z.strictObject({ maxTtlMinutes: z.number().int().min(1).max(1440), minDisclosedPercent: percent }),
  instrument: z.strictObject({ freezeQuantities: z.record(z.string().min(1), z.number().int().positive()) }),
  marketHours: z.strictObject({ enabled: z.boolean() }),
  price: z.strictObject({
    bandPercent: percent.nullable(), minPriceRupees: rupees.nullable(), maxPriceRupees: rupees.nullable(), circuitLimits: z.boolean(),
  }),
  marketConditions: z.strictObject({ maxSpreadPercent: percent.nullable(), minVolume: count.nullable(), minOpenInterest: count.nullable() }),
  size: z.strictObject({
    maxLots: count.nullable(), maxOrderValueRupees: rupees.nullable(),
    fatFinger: z.strictObject({ multiplier: ratio, minSamples: z.number().int().min(1).max(1000) }).nullable(),
  }),
  riskPerTrade: z.strictObject({ maxRiskPercentOfCapital: percent.nullable(), minRiskReward: ratio.nullable(), requireStopLoss: z.boolean() }),
  exposure: z.strictObject({ maxOpenPositions: count.nullable(), maxLotsPerSymbol: count.nullable(), maxConcentrationPercent: percent.nullable() }),
  daily: z.strictObject({ maxOrders: count.nullable(), maxTurnoverRupees: rupees.nullable(), maxLossRupees: rupees.nullable() }),
  margin: z.strictObject({ enabled: z.boolean(), bufferPercent: percent }),
  lists: z.strictObject({ restricted: z.array(z.string().min(1)), watch: z.array(z.string().min(1)) }),
  marketData: z.strictObject({ maxAgeMs: z.number().int().min(100).max(3_600_000) }),
});

export const RiskConfigSchema = z.strictObject({
  /** The broker account the limits apply to; also the serialisation key of the gate. */
  account: z.string().min(1).max(64),
  session: z.strictObject({ open: hhmm, close: hhmm, holidays: z.array(isoDay) }),
  marketData: z.strictObject({
    /** A cached quote younger than this is reused; Kite allows 1 quote request/s, so never below 1000. */
    ttlMs: z.number().int().min(1000).max(60_000),
  }),
  /** How often the file is checked for changes (mtime); 0 disables reloading. */
  reloadIntervalMs: z.number().int().min(0).max(3_600_000),
  defaults: limitsSchema,
  /** The daily-loss kill switch (docs/kill-switch.md); absent = these defaults. */
  killSwitch: z.strictObject({
    /** How often the scheduled check compares today's net P&L with daily.maxLossRupees (read at start-up). */
    checkIntervalMs: z.number().int().min(1000).max(3_600_000).default(15_000),
    /** On a halt, close every open position with reduce-only MARKET orders (after cancelling the open orders). */
    flattenPositions: z.boolean().default(false),
    /** A halt ends by itself at 00:00 IST of the next trading day; false = only an operator releases it. */
    resetAtNextTradingDay: z.boolean().default(true),
  }).default({ checkIntervalMs: 15_000, flattenPositions: false, resetAtNextTradingDay: true }),
  /** Overrides: any subset of `defaults`, each section itself partial; checked by parsing the merged result. */
  strategies: z.record(z.string().min(1), z.record(z.string(), z.unknown())),
});

export type RiskConfigInput = z.input<typeof RiskConfigSchema>;

/** The parsed configuration plus what an operator needs to tell versions apart. */
export interface RiskConfig {
  account: string;
  session: SessionCalendar;
  quoteTtlMs: number;
  reloadIntervalMs: number;
  killSwitch: { checkIntervalMs: number; flattenPositions: boolean; resetAtNextTradingDay: boolean };
  /** The file as written (rupees, percentages), for GET /api/v1/risk/config. */
  raw: RiskConfigInput;
  /** Limits per strategy, fully resolved; `defaults` for strategies without an override. */
  resolve(strategyId: string): RiskLimits;
}

export class RiskConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RiskConfigError';
  }
}

/** Validates a configuration object; throws RiskConfigError naming every bad key. */
export function parseRiskConfig(input: unknown): RiskConfig {
  const parsed = RiskConfigSchema.safeParse(input);
  if (!parsed.success) throw new RiskConfigError(describeIssues(parsed.error));
  const raw = input as RiskConfigInput;
  const cache = new Map<string, RiskLimits>();
  const session: SessionCalendar = { alwaysOpen: false, ...parsed.data.session };
  const resolveStrategy = (strategyId: string): RiskLimits => {
    const override = raw.strategies[strategyId] as Record<string, unknown> | undefined;
    const merged = override ? mergeSections(raw.defaults as Record<string, unknown>, override) : raw.defaults;
    const r = limitsSchema.safeParse(merged);
    if (!r.success) throw new RiskConfigError(`strategies.${strategyId}: ${describeIssues(r.error)}`);
    return toLimits(r.data, session);
  };
  for (const id of Object.keys(raw.strategies)) cache.set(id, resolveStrategy(id)); // a bad override fails at load, not at order time
  const defaults = toLimits(parsed.data.defaults, session);
  return {
    account: parsed.data.account, session, quoteTtlMs: parsed.data.marketData.ttlMs, reloadIntervalMs: parsed.data.reloadIntervalMs, killSwitch: parsed.data.killSwitch, raw,
    resolve: (strategyId) => cache.get(strategyId) ?? defaults,
  };
}

function mergeSections(defaults: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(override)) {
    const base = defaults[key];
    const isSection = value && typeof value === 'object' && !Array.isArray(value) && base && typeof base === 'object' && !Array.isArray(base);
    out[key] = isSection ? { ...(base as object), ...(value as object) } : value;
  }
  return out;
}

function toLimits(d: z.output<typeof limitsSchema>, session: SessionCalendar): RiskLimits {
  return {
    capitalPaise: d.capitalRupees,
    parameters: { maxTtlMinutes: d.parameters.maxTtlMinutes, minDisclosedBps: d.parameters.minDisclosedPercent },
    instrument: { freezeQuantities: d.instrument.freezeQuantities },
    marketHours: { enabled: d.marketHours.enabled, session },
    price: { bandBps: d.price.bandPercent, minPricePaise: d.price.minPriceRupees, maxPricePaise: d.price.maxPriceRupees, circuitLimits: d.price.circuitLimits },
    marketConditions: { maxSpreadBps: d.marketConditions.maxSpreadPercent, minVolume: d.marketConditions.minVolume, minOpenInterest: d.marketConditions.minOpenInterest },
    size: { maxLots: d.size.maxLots, maxOrderValuePaise: d.size.maxOrderValueRupees, fatFinger: d.size.fatFinger },
    riskPerTrade: { maxRiskBpsOfCapital: d.riskPerTrade.maxRiskPercentOfCapital, minRiskReward: d.riskPerTrade.minRiskReward, requireStopLoss: d.riskPerTrade.requireStopLoss },
    exposure: { maxOpenPositions: d.exposure.maxOpenPositions, maxLotsPerSymbol: d.exposure.maxLotsPerSymbol, maxConcentrationBps: d.exposure.maxConcentrationPercent },
    daily: { maxOrders: d.daily.maxOrders, maxTurnoverPaise: d.daily.maxTurnoverRupees, maxLossPaise: d.daily.maxLossRupees },
    margin: { enabled: d.margin.enabled, bufferBps: d.margin.bufferPercent },
    lists: { restricted: d.lists.restricted, watch: d.lists.watch },
    marketData: { maxAgeMs: d.marketData.maxAgeMs },
  };
}
