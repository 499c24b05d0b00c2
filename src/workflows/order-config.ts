import { DEFAULT_RETRY, type RetryByErrorClass, type RetryConfig, type RetryStrategy } from '../domain/retry-strategy';
import type { FallbackPolicy } from '../domain/fallback';
import type { ChasePolicy, CompletionPolicy } from '../domain/execution-ladder';

/** Timing knobs of the order workflow. Passed in its input so a running workflow stays deterministic. */
export interface OrderWorkflowConfig {
  /** First poll of the broker after the last change; doubles while nothing changes, up to pollMaxMs. */
  pollMinMs: number;
  pollMaxMs: number;
  /** How long a modify/cancel waits for the broker to confirm before answering with what it knows. */
  confirmTimeoutMs: number;
  /** Continue-as-new once the history grows past this many events. */
  maxHistoryEvents: number;
  /** Retry strategy per broker operation for transient failures (config/execution.json); defaults when absent. */
  retry?: Partial<RetryConfig>;
  /** Strategies per transient error class (rate limit, server, network, timeout), over the operation's. */
  retryByError?: RetryByErrorClass;
  /** The fallback ladder after a broker rejection, resolved for the order's strategy (config/execution.json). */
  fallback?: FallbackPolicy;
  /** The strategy's default chase and completion (config/execution.json `ladder`), for orders that give none. */
  chase?: ChasePolicy;
  completion?: CompletionPolicy;
}

export const DEFAULT_ORDER_WORKFLOW_CONFIG: OrderWorkflowConfig = {
  pollMinMs: 2_000,
  pollMaxMs: 30_000,
  confirmTimeoutMs: 30_000,
  maxHistoryEvents: 8_000,
};

/**
 * The config as a workflow input carries it (recorded in the history): a retry strategy equal to the default is left
 * out, since the workflow fills the defaults in per operation (OrderRun).
 */
export function sparseConfig(c: Partial<OrderWorkflowConfig>): Partial<OrderWorkflowConfig> {
  if (!c.retry) return c;
  const retry: Partial<RetryConfig> = {};
  for (const [op, s] of Object.entries(c.retry) as [keyof RetryConfig, RetryStrategy][]) if (!sameStrategy(s, DEFAULT_RETRY[op])) retry[op] = s;
  const rest = { ...c };
  delete rest.retry;
  return Object.keys(retry).length > 0 ? { ...rest, retry } : rest;
}

const sameStrategy = (a: RetryStrategy, b: RetryStrategy | undefined): boolean =>
  !!b && a.strategy === b.strategy && a.attempts === b.attempts && a.baseDelayMs === b.baseDelayMs && a.maxDelayMs === b.maxDelayMs && a.multiplier === b.multiplier;
