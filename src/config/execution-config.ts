import { z } from 'zod';
import { readJsonConfig } from './config-file';
import { BROKER_OPERATIONS, DEFAULT_RETRY, RETRY_STRATEGIES, TRANSIENT_CLASSES, type RetryByErrorClass, type RetryConfig } from '../domain/retry-strategy';
import type { ChasePolicy, CompletionPolicy } from '../domain/execution-ladder';
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
const percent = z.number().positive().max(50).refine((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-9, 'at most 2 decimals');
/** Chasing a resting LIMIT towards the market (API and file use the same shape; percentages become basis points). */
export const ChaseSchema = z.strictObject({
  stepAfterMs: z.number().int().min(200).max(3_600_000),
  steps: z.number().int().min(1).max(20),
  maxMovePercent: percent,
  thenMarket: z.boolean().default(false),
});
/** What to do with the rest of a partly filled order. */
export const CompletionSchema = z.discriminatedUnion('policy', [
  z.strictObject({ policy: z.literal('immediate'), action: z.enum(['market', 'reprice']).default('market') }),
  z.strictObject({ policy: z.literal('cancel-remaining') }),
  z.strictObject({ policy: z.literal('time'), afterMs: z.number().int().min(0).max(86_400_000), action: z.enum(['cancel', 'market']) }),
  z.strictObject({ policy: z.literal('price'), movePercent: z.number().positive().max(100), action: z.enum(['cancel', 'market']) }),
]);
export const toChasePolicy = (c: z.infer<typeof ChaseSchema>): ChasePolicy =>
  ({ stepAfterMs: c.stepAfterMs, steps: c.steps, maxMoveBps: Math.round(c.maxMovePercent * 100), thenMarket: c.thenMarket });
export function toCompletionPolicy(c: z.infer<typeof CompletionSchema>): CompletionPolicy {
  switch (c.policy) {
    case 'immediate': return { policy: 'immediate', action: c.action };
    case 'cancel-remaining': return { policy: 'cancel-remaining', action: 'cancel' };
    case 'time': return { policy: 'time', action: c.action, afterMs: c.afterMs };
    case 'price': return { policy: 'price', action: c.action, moveBps: Math.round(c.movePercent * 100) };
  }
}
/** A strategy's default chase and completion, for orders that do not give their own. */
const LadderDefaultsSchema = z.strictObject({ chase: ChaseSchema.optional(), completion: CompletionSchema.optional() });

export const ExecutionConfigSchema = z.strictObject({
  retry: z.strictObject({
    ...(Object.fromEntries(BROKER_OPERATIONS.map((op) => [op, StrategySchema.optional()])) as Record<(typeof BROKER_OPERATIONS)[number], z.ZodOptional<typeof StrategySchema>>),
    /** Per transient error class, overriding the operation's strategy for that class. */
    byErrorClass: z.strictObject(Object.fromEntries(TRANSIENT_CLASSES.map((c) => [c, StrategySchema.optional()])) as Record<(typeof TRANSIENT_CLASSES)[number], z.ZodOptional<typeof StrategySchema>>).optional(),
  }),
  fallback: z.strictObject({
    defaults: FallbackOverrideSchema.optional(),
    strategies: z.record(z.string(), FallbackOverrideSchema).optional(),
  }).optional(),
  ladder: z.strictObject({
    defaults: LadderDefaultsSchema.optional(),
    strategies: z.record(z.string(), LadderDefaultsSchema).optional(),
  }).optional(),
});

/** What the order workflow gets for one order: its fallback ladder and its strategy's default chase and completion. */
export interface OrderLadder { fallback: FallbackPolicy; chase?: ChasePolicy; completion?: CompletionPolicy; retryByError?: RetryByErrorClass }

export interface ExecutionConfig {
  retry: RetryConfig;
  /** The ladder for a strategy, with an order's own fallback override on top (its own chase/completion win in the workflow). */
  ladderFor(strategyId: string, order?: FallbackOverride): OrderLadder;
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
  const ladders = config.ladder?.strategies ?? {};
  const byError = config.retry.byErrorClass as RetryByErrorClass | undefined;
  return {
    retry,
    ladderFor: (strategyId, order) => {
      const own = Object.hasOwn(ladders, strategyId) ? ladders[strategyId] : undefined;
      const chase = own?.chase ?? config.ladder?.defaults?.chase;
      const completion = own?.completion ?? config.ladder?.defaults?.completion;
      return {
        fallback: mergeFallback(base, Object.hasOwn(strategies, strategyId) ? strategies[strategyId] : undefined, order),
        ...(byError && Object.keys(byError).length > 0 ? { retryByError: byError } : {}),
        ...(chase ? { chase: toChasePolicy(chase) } : {}),
        ...(completion ? { completion: toCompletionPolicy(completion) } : {}),
      };
    },
  };
}
