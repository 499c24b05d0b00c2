import { z } from 'zod';
import { readJsonConfig } from './config-file';
import { MONITOR_MODES, sessionSquareOff, type MonitorPolicy, type SquareOffSession } from '../domain/position-monitor';
import { PRODUCTS, type OrderRequest } from '../domain/order-types';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '"HH:MM" (IST, 24-hour)');
const hours = z.number().positive().max(24 * 30);

/** What a strategy may override. */
const StrategyMonitor = z.strictObject({
  mode: z.enum(MONITOR_MODES).optional(),
  /** Close a monitored position this many hours after it opened; null = never. */
  timeoutHours: hours.nullable().optional(),
  squareOffTime: hhmm.optional(),
});

/** config/monitor.json: per-position target/stop handling, position timeout and the intraday square-off. */
export const MonitorConfigSchema = z.strictObject({
  note: z.string().optional(),
  /** Off: no monitor is ever started. */
  enabled: z.boolean().default(true),
  /** `oco`: take profit / stop loss rest at the broker as an OCO group; `watch`: the OMS polls the LTP and exits at MARKET. */
  mode: z.enum(MONITOR_MODES).default('oco'),
  pricePollMs: z.number().int().min(500).max(3_600_000).default(2_000),
  entryPollMs: z.strictObject({ min: z.number().int().min(200).max(600_000), max: z.number().int().min(200).max(3_600_000) }).default({ min: 2_000, max: 30_000 }),
  timeoutHours: hours.nullable().default(null),
  squareOff: z.strictObject({
    enabled: z.boolean().default(true),
    /** IST; a few minutes before the broker's own auto square-off (Zerodha: 15:25 for F&O MIS). */
    time: hhmm.default('15:15'),
    products: z.array(z.enum(PRODUCTS)).default(['MIS']),
    /** Also monitor orders of these products that carry no take profit / stop loss, only for the square-off. */
    allOrders: z.boolean().default(true),
  }).default({ enabled: true, time: '15:15', products: ['MIS'], allOrders: true }),
  maxExitAttempts: z.number().int().min(1).max(10).default(3),
  /** The OCO stop is an SL order with its limit this far beyond the trigger (never SL-M: the exchange blocks it for options). */
  stopLimitOffsetPercent: z.number().min(0.01).max(50).default(5),
  strategies: z.record(z.string(), StrategyMonitor).default({}),
}).refine((c) => c.entryPollMs.max >= c.entryPollMs.min, { message: 'entryPollMs.max must be >= entryPollMs.min', path: ['entryPollMs', 'max'] });
export type MonitorConfig = z.infer<typeof MonitorConfigSchema>;

export class MonitorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MonitorConfigError';
  }
}

/**
 * The policy for one order, or null when it gets no monitor (no levels, no square-off, no timeout, or monitors off).
 * `session`: in paper mode, the paper broker's session, which decides whether and when MIS is squared off.
 */
export function monitorPolicyFor(c: MonitorConfig, order: OrderRequest, session?: SquareOffSession): MonitorPolicy | null {
  if (!c.enabled) return null;
  const s = c.strategies[order.strategyId] ?? {};
  const timeoutHours = s.timeoutHours === undefined ? c.timeoutHours : s.timeoutHours;
  const configured = c.squareOff.enabled && c.squareOff.products.includes(order.product) ? s.squareOffTime ?? c.squareOff.time : null;
  const squareOffAt = sessionSquareOff(configured, session);
  const hasLevels = order.takeProfitPaise !== undefined || order.stopLossPaise !== undefined;
  if (!hasLevels && !(squareOffAt !== null && c.squareOff.allOrders) && timeoutHours === null) return null;
  return {
    mode: s.mode ?? c.mode, pricePollMs: c.pricePollMs, entryPollMinMs: c.entryPollMs.min, entryPollMaxMs: c.entryPollMs.max,
    timeoutMs: timeoutHours === null ? null : Math.round(timeoutHours * 3_600_000),
    squareOffAt, maxExitAttempts: c.maxExitAttempts,
    stopLimitOffsetBps: Math.round(c.stopLimitOffsetPercent * 100),
  };
}

/** Reads and validates the monitor file; throws naming the bad key. */
export function loadMonitorConfig(path: string): MonitorConfig {
  return readJsonConfig(path, 'monitor configuration', MonitorConfigSchema, (m) => new MonitorConfigError(m));
}
