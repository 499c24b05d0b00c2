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
  /** The default account: the one a request names when it names none. */
  account: string;
  /** Every configured account (absent: only `account`); any other is not found. */
  accounts?: readonly string[];
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

  /** The account asked for (the default when none); 404 for an account this deployment does not trade. */
  accountOf(account: string | undefined): string {
    const id = account ?? this.d.account;
    if (!(this.d.accounts ?? [this.d.account]).includes(id)) throw new AppError(404, 'NOT_FOUND', `account ${id} is not configured`);
    return id;
  }

  async state(accountId?: string) {
    const account = this.accountOf(accountId);
    const now = this.d.now?.() ?? Date.now();
    return { ...killSwitchView(await this.d.store.get(account), now), workflowId: killSwitchWorkflowId(this.d.taskQueue, account), events: await this.d.store.listEvents(account, 20) };
  }

  /** Answers once the workflow has persisted the change and, for a fresh halt, cancelled the account's open orders. */
  async set(action: 'engage' | 'release', reason: string, by: string, accountId?: string) {
    const account = this.accountOf(accountId);
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof killSwitchWorkflow>('killSwitchWorkflow', {
      workflowId: killSwitchWorkflowId(this.d.taskQueue, account), taskQueue: this.d.taskQueue, args: [{ account }], workflowIdConflictPolicy: 'USE_EXISTING',
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
