import { Context } from '@temporalio/activity';
import type { SupervisionReport } from '../../src/domain/supervision';
import { istClock } from '../../src/domain/risk/ist-clock';
import { ensureAccountSupervisor, ensureKillSwitch } from '../../src/worker/background-workflows';
import { accountSupervisorWorkflowId, supervisionQuery } from '../../src/workflows/account-supervisor-messages';
import { useWorkflowTestServer } from '../support/workflow-suite';
import { stubKillSwitchActivities } from './kill-switch-stubs';
import { uniqueId } from './order-stubs';

/**
 * The account supervisor on the time-skipping test server: what the worker starts per account (its kill switch and
 * its supervisor), counted after a simulated hour and across an IST midnight. The supervisor's window activity is a
 * stub that reports the checks a real window would have run in that time (the real one, over a real stack, is
 * test/e2e/account-supervisor.test.ts).
 */
const DAY = 86_400_000;
const IST = 330 * 60_000;
const HOUR = 3_600_000;
const STEP_MS = 20_000;
const LOSS_EVERY_MS = 15_000;
const RECONCILE_EVERY_MS = 30_000;

const suite = useWorkflowTestServer({ searchAttributes: false, serverPerTest: true });

/** The stub window: it ends at once, reporting what its window's cadences would have run until `untilMs`. */
function stubWindows() {
  const windows: { fromMs: number; untilMs: number }[] = [];
  const superviseAccount = async (args: { account: string; untilMs: number }): Promise<SupervisionReport> => {
    const fromMs = Context.current().info.currentAttemptScheduledTimestampMs;
    windows.push({ fromMs, untilMs: args.untilMs });
    const span = Math.max(0, args.untilMs - fromMs);
    return {
      account: args.account, lossEveryMs: LOSS_EVERY_MS, reconcileEveryMs: RECONCILE_EVERY_MS,
      lossChecks: Math.round(span / LOSS_EVERY_MS), reconciliations: Math.round(span / RECONCILE_EVERY_MS),
      lastLossCheck: { at: new Date(args.untilMs).toISOString(), net: '0.00', limit: '5000.00', breached: false, engaged: false },
    };
  };
  return { windows, superviseAccount };
}

function skipTo(targetMs: number, when: string): Promise<void> {
  return suite.step(`the clock never reached ${when}`, STEP_MS, async () => {
    const now = await suite.env.currentTimeMs();
    if (targetMs > now) await suite.env.sleep(targetMs - now);
  });
}

describe('account supervisor workflow', () => {
  it('when an hour passes and a day turns, then an account has its kill switch and one supervisor run per day, not a workflow per check', async () => {
    const taskQueue = uniqueId('supervisor-tq');
    const stub = stubWindows();
    const killSwitch = stubKillSwitchActivities({ resetAtNextTradingDay: true });
    const client = suite.env.client;
    const a = { client, taskQueue, account: 'default' };
    // 10:00 IST tomorrow: an hour from there stays in one IST day.
    const today = Math.floor(((await suite.env.currentTimeMs()) + IST) / DAY);
    const t0 = (today + 1) * DAY - IST + 10 * HOUR;
    await skipTo(t0, '10:00 IST');

    const runs = new Set<string>();
    const activities = Object.fromEntries(Object.entries({ ...killSwitch.activities, superviseAccount: stub.superviseAccount }).map(([name, fn]) => [name, (...args: unknown[]) => {
      const { workflowId, runId } = Context.current().info.workflowExecution!;
      runs.add(`${workflowId}/${runId}`);
      return (fn as (...a: unknown[]) => Promise<unknown>)(...args);
    }]));
    await suite.runWorker({ taskQueue, activities }, async () => {
      await suite.step('the worker start did not start the background workflows', STEP_MS, async () => {
        await ensureKillSwitch(a);
        await ensureAccountSupervisor({ ...a, enabled: true });
        await ensureAccountSupervisor({ ...a, enabled: true }); // a second worker, or a restart: the same run
      });
      const handle = client.workflow.getHandle(accountSupervisorWorkflowId(taskQueue, 'default'));
      const firstRun = (await handle.describe()).runId;

      await skipTo(t0 + HOUR + 60_000, 'an hour later');
      const day = await suite.step('the supervisor did not report its first window', STEP_MS, async () => {
        for (;;) {
          const d = await handle.query(supervisionQuery);
          if (d.windows >= 1) return d;
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      // The stub reports a window when it starts; an hour and a minute in, the second hour's window is the one running.
      expect(day).toMatchObject({ account: 'default', tradingDay: istClock(t0).date, lossEveryMs: LOSS_EVERY_MS, reconcileEveryMs: RECONCILE_EVERY_MS });
      expect([day.windows, day.lossChecks, day.reconciliations]).toEqual([day.windows, 240 * day.windows, 120 * day.windows]);
      expect(day.windows).toBeLessThanOrEqual(2);
      expect((await handle.describe()).runId).toBe(firstRun);
      // The test server cannot list workflows: every workflow run that did any work in the hour called an activity.
      expect([...runs].sort()).toEqual([`${handle.workflowId}/${firstRun}`, `kill-switch-${taskQueue}-default/${(await client.workflow.getHandle(`kill-switch-${taskQueue}-default`).describe()).runId}`].sort());
      const history = await handle.fetchHistory();
      expect(history.events!.length).toBeLessThan(30);

      // Past 00:00 IST: the day's run hands over to the next day's, once.
      const midnight = (today + 2) * DAY - IST;
      await skipTo(midnight + 60_000, 'the next IST midnight');
      const next = await suite.step('the supervisor did not continue as new at midnight', STEP_MS, async () => {
        for (;;) {
          const d = await handle.describe();
          if (d.runId !== firstRun) return d;
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      expect(next.status.name).toBe('RUNNING');
      expect((await client.workflow.getHandle(handle.workflowId, firstRun).describe()).status.name).toBe('CONTINUED_AS_NEW');
      const windows = stub.windows.filter((w) => w.untilMs <= midnight);
      expect(windows.at(-1)!.untilMs).toBe(midnight); // the last window of the day ends at midnight, not past it
      const firstDay = await client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory();
      // 14 windows (10:00 to midnight) of about a dozen events each (the stub window ends early, so its rest is a timer);
      // a check every 15 s as workflow steps would have been thousands.
      expect(firstDay.events!.length).toBeLessThan(14 * 12 + 10);
      expect((await handle.query(supervisionQuery)).tradingDay).toBe(istClock(midnight).date);

      await client.workflow.getHandle(handle.workflowId).terminate('test done');
      await client.workflow.getHandle(`kill-switch-${taskQueue}-default`).terminate('test done').catch(() => undefined);
    });
  });
});
