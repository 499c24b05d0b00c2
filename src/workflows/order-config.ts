import type { RetryByErrorClass, RetryConfig } from '../domain/retry-strategy';
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
