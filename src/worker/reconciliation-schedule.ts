import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';

export interface ReconciliationScheduleArgs {
  client: Client;
  taskQueue: string;
  intervalSeconds: number;
  /** false: the Schedule is created (or kept) paused. */
  enabled: boolean;
  /** The broker account it reconciles; absent: the workflow's default (the one account). */
  account?: string;
  /** The default account's schedule keeps its id from before accounts. */
  defaultAccount?: boolean;
  log?: (line: string) => void;
}

/** One Schedule per task queue and account, so several OMS instances on one namespace do not share (or fight over) it. */
export const reconciliationScheduleId = (taskQueue: string, account?: string) => `reconciliation-${taskQueue}${account ? `-${account}` : ''}`;

/**
 * Creates the reconciliation Schedule, or brings an existing one to the configured interval and state: safe to call
 * at every start. Overlap SKIP: a run still going when the next is due makes that one skip, so runs never overlap.
 */
export async function ensureReconciliationSchedule(a: ReconciliationScheduleArgs): Promise<string> {
  const scheduleId = reconciliationScheduleId(a.taskQueue, a.defaultAccount ? undefined : a.account);
  const options = {
    scheduleId,
    spec: { intervals: [{ every: `${a.intervalSeconds}s` }] },
    action: { type: 'startWorkflow', workflowType: 'reconciliationWorkflow', taskQueue: a.taskQueue, args: a.account ? [{ account: a.account }] : [], workflowExecutionTimeout: '5m' },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
    state: { paused: !a.enabled, note: a.enabled ? `broker vs OMS reconciliation${a.account ? ` of account ${a.account}` : ''}` : 'disabled in config/reconciliation.json' },
  } satisfies ScheduleOptions;
  try {
    await a.client.schedule.create(options);
    a.log?.(`reconciliation schedule ${scheduleId} created: every ${a.intervalSeconds}s${a.enabled ? '' : ' (paused)'}`);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = a.client.schedule.getHandle(scheduleId);
    await handle.update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: { ...prev.policies, overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' } }));
    const { state } = await handle.describe();
    // An operator's pause survives a restart; only the configuration's "disabled" pauses from here.
    if (!a.enabled && !state.paused) await handle.pause('disabled in config/reconciliation.json');
  }
  return scheduleId;
}
