import { z } from 'zod';
import { readJsonConfig } from './config-file';
import { BROKER_OPERATIONS, DEFAULT_RETRY, RETRY_STRATEGIES, type RetryConfig } from '../domain/retry-strategy';
import {
  DEFAULT_FALLBACK, FALLBACK_RUNGS, MANUAL_DEFAULT_ACTIONS, mergeFallback, REJECTION_CLASSES, type FallbackOverride, type FallbackPolicy,
} from '../domain/fallback';

/** config/execution.json: how broker calls are retried on transient faults, per operation. */
const StrategySchema = z.strictObject({
  strategy: z.enum(RETRY_STRATEGIES),
  attempts: z.number().int().min(1).max(100),
  baseDelayMs: z.number().int().min(0).max(600_000),
  maxDelayMs: z.number().int().min(0).max(600_000),
  multiplier: z.number().min(1).max(10),
});
/** Which rejections start which fallback rungs, and the rungs' settings; shared by the file and the order API. */
export const FallbackOverrideSchema = z.strictObject({
  onRejection: z.strictObject(Object.fromEntries(REJECTION_CLASSES.map((c) => [c, z.array(z.enum(FALLBACK_RUNGS)).max(4).optional()])) as Record<(typeof REJECTION_CLASSES)[number], z.ZodOptional<z.ZodArray<z.ZodEnum<{ [K in (typeof FALLBACK_RUNGS)[number]]: K }>>>>).optional(),
  reduce: z.strictObject({ stepLots: z.number().int().min(1).max(100).optional(), minLots: z.number().int().min(1).max(1000).optional() }).optional(),
  manual: z.strictObject({ timeoutMs: z.number().int().min(1_000).max(86_400_000).optional(), defaultAction: z.enum(MANUAL_DEFAULT_ACTIONS).optional() }).optional(),
  split: z.strictObject({ maxSlices: z.number().int().min(2).max(10).optional(), sliceQuantity: z.number().int().min(1).optional() }).optional(),
});
export const ExecutionConfigSchema = z.strictObject({
  retry: z.strictObject(Object.fromEntries(BROKER_OPERATIONS.map((op) => [op, StrategySchema.optional()])) as Record<(typeof BROKER_OPERATIONS)[number], z.ZodOptional<typeof StrategySchema>>),
  fallback: z.strictObject({
    defaults: FallbackOverrideSchema.optional(),
    strategies: z.record(z.string(), FallbackOverrideSchema).optional(),
  }).optional(),
});

export interface ExecutionConfig {
  retry: RetryConfig;
  /** The fallback ladder for a strategy, with an order's own override on top. */
  fallbackFor(strategyId: string, order?: FallbackOverride): FallbackPolicy;
}

export class ExecutionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionConfigError';
  }
}

/** The retry and fallback configuration, defaults filled in; throws naming the bad key. */
export function loadExecutionConfig(path: string): ExecutionConfig {
  const config = readJsonConfig(path, 'execution configuration', ExecutionConfigSchema, (m) => new ExecutionConfigError(m));
  const retry = { ...DEFAULT_RETRY };
  for (const op of BROKER_OPERATIONS) {
    const s = config.retry[op];
    if (s) retry[op] = s;
  }
  const base = mergeFallback(DEFAULT_FALLBACK, config.fallback?.defaults as FallbackOverride | undefined);
  const strategies = (config.fallback?.strategies ?? {}) as Record<string, FallbackOverride>;
  return {
    retry,
    fallbackFor: (strategyId, order) => mergeFallback(base, Object.hasOwn(strategies, strategyId) ? strategies[strategyId] : undefined, order),
  };
}
