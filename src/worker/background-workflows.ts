import { ScheduleNotFoundError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { accountSupervisorWorkflow, killSwitchWorkflow } from '../workflows';
import { accountSupervisorWorkflowId } from '../workflows/account-supervisor-messages';
import { dailyLossScheduleId, killSwitchWorkflowId } from '../workflows/kill-switch-messages';

interface AccountArgs { client: Client; taskQueue: string; account: string }

/** Starts a long-lived per-account workflow unless it runs already (a second start, another worker: the same one). */
async function startOnce(a: AccountArgs, workflowType: string, workflowId: string, staticSummary: string): Promise<void> {
  try {
    await a.client.workflow.start<typeof killSwitchWorkflow | typeof accountSupervisorWorkflow>(workflowType, {
      workflowId, taskQueue: a.taskQueue, args: [{ account: a.account }], workflowIdConflictPolicy: 'USE_EXISTING', staticSummary,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** The account's kill switch workflow (engages, releases, ends a halt at the next trading day). */
export async function ensureKillSwitch(a: AccountArgs): Promise<string> {
  const workflowId = killSwitchWorkflowId(a.taskQueue, a.account);
  await startOnce(a, 'killSwitchWorkflow', workflowId, `kill switch · account ${a.account}`);
  return workflowId;
}

/**
 * The account's supervisor (daily-loss check and reconciliation on their cadences, one run per IST day). With
 * `enabled` false a running one is terminated: ACCOUNT_SUPERVISOR=off leaves the checks to operators.
 */
export async function ensureAccountSupervisor(a: AccountArgs & { enabled: boolean }): Promise<string> {
  const workflowId = accountSupervisorWorkflowId(a.taskQueue, a.account);
  if (a.enabled) {
    await startOnce(a, 'accountSupervisorWorkflow', workflowId, `supervisor · account ${a.account} · daily-loss check and reconciliation, one run per IST day`);
  } else {
    await a.client.workflow.getHandle(workflowId).terminate('ACCOUNT_SUPERVISOR=off').catch((err) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
  }
  return workflowId;
}

/** The Schedules of earlier versions: a workflow run every 15 s (daily loss) and 30 s (reconciliation) per account. */
export const legacyScheduleIds = (taskQueue: string, account: string, defaultAccount: boolean): string[] => [
  dailyLossScheduleId(taskQueue, account),
  `reconciliation-${taskQueue}${defaultAccount ? '' : `-${account}`}`,
];

/** Deletes the Schedules the supervisor replaces, if an earlier version made them; answers the ids it deleted. */
export async function removeLegacySchedules(a: AccountArgs & { defaultAccount: boolean }): Promise<string[]> {
  const removed: string[] = [];
  for (const id of legacyScheduleIds(a.taskQueue, a.account, a.defaultAccount)) {
    try {
      await a.client.schedule.getHandle(id).delete();
      removed.push(id);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  return removed;
}
