import { proxyActivities } from '@temporalio/workflow';
import type { MonitorActivities } from '../../activities/monitor-activities';
import type { OrderActivities } from '../../activities/create-activities';
import type { OrderGroupState } from '../../domain/order-group-state';
import type { OrderRequest } from '../../domain/order-types';
import { initialMonitorState, withMonitorEpisode, type MonitorPolicy, type MonitorStatus, type PositionMonitorState } from '../../domain/position-monitor';
import { LegBook } from '../child-orders';
import type { PositionMonitorInput } from '../position-monitor-messages';

export const reads = proxyActivities<MonitorActivities>({
  heartbeatTimeout: '8s', // heartbeats while it runs: a killed worker is noticed in seconds (worker/heartbeats.ts)
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});
/** A price poll that fails is skipped, not retried: the next poll asks again. */
export const market = proxyActivities<Pick<OrderActivities, 'getLastPrice'>>({ startToCloseTimeout: '15s', retry: { maximumAttempts: 2 } });

/** One monitor's run: its state (plain JSON, carried over continue-as-new), its exit legs and its OCO group's result. */
export class MonitorRun {
  state: PositionMonitorState;
  readonly legs: LegBook;
  /** The OCO group's result once it has ended (OCO mode only). */
  groupResult: OrderGroupState | null = null;

  constructor(readonly input: PositionMonitorInput) {
    this.state = input.resume ?? initialMonitorState({ monitorId: input.monitorId, entryOrderId: input.entryOrderId, entry: input.entry, policy: input.policy, at: input.receivedAt });
    this.legs = new LegBook(this.state.monitorId, input.config);
  }

  get entry(): OrderRequest {
    return this.state.entry;
  }

  get policy(): MonitorPolicy {
    return this.state.policy;
  }

  /** The workflow clock: deterministic on replay, skipped by the test server. */
  nowMs(): number {
    return Date.now();
  }

  now(): string {
    return new Date(this.nowMs()).toISOString();
  }

  record(type: string, detail: Record<string, unknown> = {}): void {
    this.state = withMonitorEpisode(this.state, type, detail, this.now());
  }

  finish(status: MonitorStatus, detail: Record<string, unknown> = {}): void {
    this.state = { ...this.state, status };
    this.record('MONITOR_FINISHED', { status, openQuantity: this.state.openQuantity, ...detail });
  }

  positionKey(): { strategyId: string; tradingsymbol: string; exchange: string; product: string } {
    const e = this.entry;
    return { strategyId: e.strategyId, tradingsymbol: e.tradingsymbol, exchange: e.exchange, product: e.product };
  }
}

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
