import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HaltCancelReason, KeepReason } from '../domain/halt-protection';
import type { KillSwitchSource, KillSwitchState } from '../domain/kill-switch';
/**
 * One order of a cancel sweep. outcome: cancelled (the broker confirmed), ended (it finished another way meanwhile:
 * filled, rejected), timed_out (its workflow did not answer within the sweep's per-cancel deadline; the cancel may still
 * complete), failed (see error). `haltReason`: why a kill switch sweep cancelled it (see domain/halt-protection).
 */
export interface CancelResult {
  orderId: string; clientOrderId: string; strategyId: string; tradingsymbol: string; statusBefore: string;
  outcome: 'cancelled' | 'ended' | 'timed_out' | 'failed'; status?: string; error?: { code: string; message: string }; haltReason?: HaltCancelReason;
}

/** An order a kill switch sweep left working because it protects an open position, and why. */
export interface KeptOrder {
  orderId: string; clientOrderId: string; strategyId: string; tradingsymbol: string; status: string;
  parentId: string | null; legRole: string | null; reason: KeepReason; message: string;
}

/** Signals, queries and updates of the kill switch workflow, declared once. One object argument each. */

/** `by`: who asks (shown in the event row); `source` is set by the OMS itself (operators leave it out). */
export interface KillSwitchRequest { reason: string; by?: string; source?: KillSwitchSource }
export const engageKillSwitchSignal = defineSignal<[KillSwitchRequest]>('engageKillSwitchSignal');
export const releaseKillSwitchSignal = defineSignal<[KillSwitchRequest]>('releaseKillSwitchSignal');

export const killSwitchStateQuery = defineQuery<KillSwitchState>('killSwitchStateQuery');

export interface FlattenResult { strategyId: string; tradingsymbol: string; exchange: string; product: string; side: string; quantity: number; orderId?: string; status?: string; error?: { code: string; message: string } }

/** What a sweep did: each order it asked to cancel, and (a kill switch sweep) each protective order it kept working. */
export interface SweepResult { asked: number; results: CancelResult[]; kept: KeptOrder[] }

/** What an engage or release did: the state after it, whether it changed, and for a fresh halt the sweep's results. */
export interface KillSwitchOutcome {
  state: KillSwitchState;
  changed: boolean;
  cancelled?: SweepResult;
  flattened?: { enabled: boolean; results: FlattenResult[] };
}
/** The API's engage/release: answered once the halt is persisted and the open orders are cancelled. */
export const killSwitchUpdate = defineUpdate<KillSwitchOutcome, [KillSwitchRequest & { action: 'engage' | 'release' }]>('killSwitchUpdate');

/** Workflow ids: one kill switch per broker account and OMS deployment (task queue) in a namespace. */
export const killSwitchWorkflowId = (taskQueue: string, account: string) => `kill-switch-${taskQueue}-${account}`;
export const dailyLossScheduleId = (taskQueue: string, account: string) => `daily-loss-check-${taskQueue}-${account}`;
