import { z } from 'zod';
import { readJsonConfig } from './config-file';
import { BROKER_OPERATIONS, DEFAULT_RETRY, RETRY_STRATEGIES, type RetryConfig } from '../domain/retry-strategy';

/** config/execution.json: how broker calls are retried on transient faults, per operation. */
const StrategySchema = z.strictObject({
  strategy: z.enum(RETRY_STRATEGIES),
  attempts: z.number().int().min(1).max(100),
  baseDelayMs: z.number().int().min(0).max(600_000),
  maxDelayMs: z.number().int().min(0).max(600_000),
  multiplier: z.number().min(1).max(10),
});
export const ExecutionConfigSchema = z.strictObject({
  retry: z.strictObject(Object.fromEntries(BROKER_OPERATIONS.map((op) => [op, StrategySchema.optional()])) as Record<(typeof BROKER_OPERATIONS)[number], z.ZodOptional<typeof StrategySchema>>),
});

export class ExecutionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionConfigError';
  }
}

/** The retry configuration, defaults filled in; throws naming the bad key. */
export function loadExecutionConfig(path: string): { retry: RetryConfig } {
  const config = readJsonConfig(path, 'execution configuration', ExecutionConfigSchema, (m) => new ExecutionConfigError(m));
  const retry = { ...DEFAULT_RETRY };
  for (const op of BROKER_OPERATIONS) {
    const s = config.retry[op];
    if (s) retry[op] = s;
  }
  return { retry };
}
