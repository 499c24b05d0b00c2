import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { dailyLossCheckWorkflow, killSwitchWorkflow } from '../workflows';
import { dailyLossScheduleId, killSwitchWorkflowId } from '../workflows/kill-switch-messages';

/**
 * Starts the account's kill switch workflow and creates the daily loss check Schedule (every `intervalMs`, overlapping
 * runs skipped), both idempotently: a second start finds them and brings the Schedule's interval and task queue up to
 * the configuration.
 */
export async function ensureKillSwitch(a: { client: Client; taskQueue: string; account: string; intervalMs: number }): Promise<{ workflowId: string; scheduleId: string }> {
  const workflowId = killSwitchWorkflowId(a.taskQueue, a.account);
  const scheduleId = dailyLossScheduleId(a.taskQueue, a.account);
  try {
    await a.client.workflow.start<typeof killSwitchWorkflow>('killSwitchWorkflow', {
      workflowId, taskQueue: a.taskQueue, args: [{ account: a.account }], workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const action = {
    type: 'startWorkflow' as const, workflowType: 'dailyLossCheckWorkflow', taskQueue: a.taskQueue, workflowId: `${scheduleId}-run`,
    args: [{ account: a.account }] as Parameters<typeof dailyLossCheckWorkflow>,
    // A run that cannot finish (no worker) must not hold the next ones back for long.
    workflowExecutionTimeout: Math.max(60_000, a.intervalMs * 4),
  };
  try {
    await a.client.schedule.create({ scheduleId, spec: { intervals: [{ every: a.intervalMs }] }, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await a.client.schedule.getHandle(scheduleId).update((prev) => ({
      ...prev, spec: { intervals: [{ every: a.intervalMs }] }, action, policies: { ...prev.policies, overlap: ScheduleOverlapPolicy.SKIP },
    }));
  }
  return { workflowId, scheduleId };
}
