import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { KillSwitchState } from '../domain/kill-switch';
import type { KillSwitchStore } from '../store/kill-switch-store';
import type { killSwitchWorkflow } from '../workflows';
import { killSwitchUpdate, killSwitchWorkflowId, type KillSwitchOutcome } from '../workflows/kill-switch-messages';
import { AppError } from './app-errors';

export interface KillSwitchServiceDeps {
  client: Client;
  store: Pick<KillSwitchStore, 'get' | 'listEvents'>;
  taskQueue: string;
  account: string;
  now?: () => number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The kill switch as operators see it: ISO times, and whether it halts orders right now. */
export function killSwitchView(s: KillSwitchState, nowMs: number) {
  const halted = s.status === 'HALTED' && (s.resetAtMs === null || nowMs < s.resetAtMs);
  return {
    account: s.account, status: halted ? 'HALTED' : 'ACTIVE', reason: s.reason, source: s.source, by: s.by,
    engagedAt: iso(s.engagedAtMs), resetAt: halted ? iso(s.resetAtMs) : null, releasedAt: iso(s.releasedAtMs), engagementId: s.engagementId,
  };
}

/** Engage/release through the account's kill switch workflow (started if needed); reads from Postgres. */
export class KillSwitchService {
  constructor(private readonly d: KillSwitchServiceDeps) {}

  get workflowId(): string {
    return killSwitchWorkflowId(this.d.taskQueue, this.d.account);
  }

  async state() {
    const now = this.d.now?.() ?? Date.now();
    return { ...killSwitchView(await this.d.store.get(this.d.account), now), workflowId: this.workflowId, events: await this.d.store.listEvents(this.d.account, 20) };
  }

  /** Answers once the workflow has persisted the change and, for a fresh halt, cancelled the open orders. */
  async set(action: 'engage' | 'release', reason: string, by: string) {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof killSwitchWorkflow>('killSwitchWorkflow', {
      workflowId: this.workflowId, taskQueue: this.d.taskQueue, args: [{ account: this.d.account }], workflowIdConflictPolicy: 'USE_EXISTING',
    });
    let outcome: KillSwitchOutcome;
    try {
      outcome = await this.d.client.workflow.executeUpdateWithStart(killSwitchUpdate, { args: [{ action, reason, by, source: 'api' }], startWorkflowOperation });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new AppError(422, 'KILL_SWITCH_REFUSED', err.cause?.message ?? err.message);
      throw err;
    }
    const now = this.d.now?.() ?? Date.now();
    return { ...outcome, state: killSwitchView(outcome.state, now) };
  }
}
