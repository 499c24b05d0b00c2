import { ScheduleNotFoundError } from '@temporalio/client';
import { ensureAccountSupervisor, legacyScheduleIds, removeLegacySchedules } from '../../src/worker/background-workflows';
import { accountSupervisorWorkflowId, supervisionQuery } from '../../src/workflows/account-supervisor-messages';
import { writeReconciliationConfig } from '../support/reconciliation-config';
import { permissiveRiskConfig, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';
import { liveSupervision } from './supervision';

/**
 * The account supervisor on a real stack: the daily-loss check (every second here) and the reconciliation (every 5 s)
 * run inside its window activity against Postgres and the paper broker, and the only workflows the account runs in
 * the background are its kill switch and this one run (the Temporal UI's list, by task queue).
 */
let stack: Stack;

beforeAll(async () => {
  const risk = permissiveRiskConfig();
  stack = await startStack({
    ACCOUNT_SUPERVISOR: 'on',
    RISK_CONFIG_FILE: writeRiskConfig({ ...risk, killSwitch: { checkIntervalMs: 1_000, flattenPositions: false, resetAtNextTradingDay: true } }),
    RECONCILIATION_CONFIG_FILE: writeReconciliationConfig({ enabled: true, intervalSeconds: 5 }),
  });
}, 120_000);
afterAll(() => stack?.close(), 60_000);

const supervisor = () => stack.client.workflow.getHandle(accountSupervisorWorkflowId(stack.taskQueue, 'default'));

it('when the worker has run a while, then the supervisor has checked the loss every second and reconciled every 5 s, recorded as reconciliation runs', async () => {
  const live = await eventually(() => liveSupervision(supervisor()), (r) => (r?.reconciliations ?? 0) >= 2 && (r?.lossChecks ?? 0) >= 5, 60_000);
  expect(live).toMatchObject({ account: 'default', lossEveryMs: 1_000, reconcileEveryMs: 5_000, lastLossCheck: { breached: false, engaged: false } });
  expect(live!.lastReconciliation).toMatchObject({ status: 'APPLIED', runId: expect.stringMatching(/^reconciliation-default-/) });
  const runs = await stack.sql<{ id: string; status: string }>("SELECT id, status FROM reconciliation_runs WHERE id LIKE 'reconciliation-default-%'");
  expect(runs.length).toBeGreaterThanOrEqual(2);
  expect(runs.every((r) => r.status === 'APPLIED')).toBe(true);
  // The run-level view (updated per hour-long window) and what the UI shows as its summary and details.
  const handle = supervisor();
  expect(await (await handle.describe()).staticSummary()).toMatch(/^supervisor · account default/);
  expect((await handle.query(supervisionQuery)).account).toBe('default');
  const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(meta.currentDetails).toMatch(/^\*\*Account default\*\*, trading day \d{4}-\d{2}-\d{2}/);
}, 90_000);

it('when the list of workflows is read by task queue, then the account runs two in the background (kill switch and supervisor), however many checks ran', async () => {
  await eventually(() => liveSupervision(supervisor()), (r) => (r?.reconciliations ?? 0) >= 3, 60_000);
  const types = async () => {
    const found: string[] = [];
    for await (const w of stack.client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` })) found.push(w.type);
    return found.sort();
  };
  expect(await eventually(types, (t) => t.length >= 2)).toEqual(['accountSupervisorWorkflow', 'killSwitchWorkflow']);
}, 90_000);

it('when the worker starts again, then it finds the running supervisor (no second run) and removes the Schedules of earlier versions', async () => {
  const before = (await supervisor().describe()).runId;
  await ensureAccountSupervisor({ client: stack.client, taskQueue: stack.taskQueue, account: 'default', enabled: true });
  expect((await supervisor().describe()).runId).toBe(before);

  const legacy = legacyScheduleIds(stack.taskQueue, 'default', true);
  for (const scheduleId of legacy) {
    await stack.client.schedule.create({
      scheduleId, spec: { intervals: [{ every: '1h' }] }, state: { paused: true },
      action: { type: 'startWorkflow', workflowType: 'dailyLossCheckWorkflow', taskQueue: stack.taskQueue, args: [{ account: 'default' }] },
    });
  }
  const args = { client: stack.client, taskQueue: stack.taskQueue, account: 'default', defaultAccount: true };
  expect(await removeLegacySchedules(args)).toEqual(legacy);
  for (const scheduleId of legacy) await expect(stack.client.schedule.getHandle(scheduleId).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  expect(await removeLegacySchedules(args)).toEqual([]);
}, 60_000);
