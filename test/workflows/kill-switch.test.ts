import type { WorkflowHandle } from '@temporalio/client';
import type { KillSwitchState } from '../../src/domain/kill-switch';
import { killSwitchWorkflow } from '../../src/workflows';
import { engageKillSwitchSignal, killSwitchStateQuery, releaseKillSwitchSignal } from '../../src/workflows/kill-switch-messages';
import { replayAndRecord } from '../support/replay';
import { useWorkflowTestServer } from '../support/workflow-suite';
import { stubKillSwitchActivities } from './kill-switch-stubs';
import { uniqueId } from './order-stubs';

/**
 * The kill switch workflow on the time-skipping test server: engage and release by signal, the state query, and the
 * durable timer that releases a halt at 00:00 IST of the next trading day (or never, when configured so).
 * `RECORD_REPLAY=1` writes the weekend's history to test/replay/kill-switch.history.json for replay.test.ts.
 */
const DAY = 86_400_000;
const IST = 330 * 60_000;
const HOUR = 3_600_000;

const suite = useWorkflowTestServer({ searchAttributes: false });

type Handle = WorkflowHandle<typeof killSwitchWorkflow>;
type Stubs = ReturnType<typeof stubKillSwitchActivities>;

/** The IST day number (days since 1970-01-01 in IST) of the next Friday at least a minute after `nowMs`. */
function nextFridayIst(nowMs: number): number {
  for (let d = Math.floor((nowMs + IST) / DAY); ; d++) {
    if ((d + 4) % 7 === 5 && d * DAY - IST + 14 * HOUR > nowMs + 60_000) return d;
  }
}
const istInstant = (day: number, hours: number) => day * DAY - IST + hours * HOUR;

/** Moves the test server's clock to `targetMs`, firing whatever timers fall due on the way. */
async function skipTo(targetMs: number): Promise<void> {
  const now = await suite.env.currentTimeMs();
  if (targetMs > now) await suite.env.sleep(targetMs - now);
}

/**
 * Queries until `wanted` holds; once the clock has moved, the workflow needs a moment of real time to act. The query
 * handler exists only once the workflow has read its state (its first activity), so a refused query is asked again.
 */
async function stateWhen(handle: Handle, wanted: (s: KillSwitchState) => boolean = () => true): Promise<KillSwitchState> {
  let s: KillSwitchState | undefined;
  for (let i = 0; i < 100; i++) {
    s = await handle.query(killSwitchStateQuery).catch((err: Error) => {
      if (/did not register a handler|still reading its state/.test(String(err.cause ?? err))) return undefined;
      throw err;
    });
    if (s && wanted(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!s) throw new Error('the kill switch never answered its state query');
  return s;
}

/** Lets the worker act on anything due (a timer that should not have fired would have released by now). */
const settle = () => new Promise((r) => setTimeout(r, 1000));

async function withKillSwitch<T>(stubs: Stubs, body: (handle: Handle) => Promise<T>): Promise<T> {
  const taskQueue = uniqueId('kill-switch-tq');
  return suite.runWorker({ taskQueue, activities: stubs.activities }, async () => {
    const handle = await suite.env.client.workflow.start(killSwitchWorkflow, { workflowId: uniqueId('kill-switch'), taskQueue, args: [{ account: 'default' }] });
    try {
      await stateWhen(handle);
      return await body(handle);
    } finally {
      await handle.terminate('test done').catch(() => undefined);
    }
  });
}

describe('kill switch workflow', () => {
  it('when the switch engages on a Friday afternoon IST, then it is still HALTED on Saturday and Sunday night and releases itself at 00:00 IST Monday, recorded as the calendar\'s release', async () => {
    const stubs = stubKillSwitchActivities({ resetAtNextTradingDay: true });
    const friday = nextFridayIst(await suite.env.currentTimeMs());
    const mondayStart = istInstant(friday + 3, 0);
    await skipTo(istInstant(friday, 14.5));

    await withKillSwitch(stubs, async (handle) => {
      await handle.signal(engageKillSwitchSignal, { reason: 'loss past the limit', by: 'ops-cli' });
      const halted = await stateWhen(handle, (s) => s.status === 'HALTED');
      expect(halted).toMatchObject({ status: 'HALTED', source: 'temporal-signal', by: 'ops-cli', resetAtMs: mondayStart });

      await skipTo(istInstant(friday + 1, 12)); // Saturday noon
      await settle();
      expect((await handle.query(killSwitchStateQuery)).status).toBe('HALTED');
      await skipTo(mondayStart - 1000); // Sunday 23:59:59
      await settle();
      expect((await handle.query(killSwitchStateQuery)).status).toBe('HALTED');
      expect(stubs.events.map((e) => e.type)).toEqual(['ENGAGED', 'ORDERS_CANCELLED']);

      await skipTo(mondayStart + 1000);
      const released = await stateWhen(handle, (s) => s.status === 'ACTIVE');
      expect(released).toMatchObject({ status: 'ACTIVE', source: 'next-trading-day', by: 'calendar', resetAtMs: null, engagementId: halted.engagementId });
      expect(released.releasedAtMs).toBeGreaterThanOrEqual(mondayStart);
      expect(released.releasedAtMs).toBeLessThan(mondayStart + 1000);
      expect(stubs.events.at(-1)).toMatchObject({ type: 'RELEASED', source: 'next-trading-day', engagementId: halted.engagementId });
      expect(stubs.alerts.map((a) => a.event)).toEqual(['KILL_SWITCH_ENGAGED', 'KILL_SWITCH_RELEASED']);

      await replayAndRecord(suite.workflowBundle, handle, 'kill-switch', { overwrite: true });
    });
  });

  it('when the configuration says not to reset at the next trading day, then a halt outlasts the weekend and the next week until an operator releases it', async () => {
    const stubs = stubKillSwitchActivities({ resetAtNextTradingDay: false });
    const friday = nextFridayIst(await suite.env.currentTimeMs());
    await skipTo(istInstant(friday, 15));

    await withKillSwitch(stubs, async (handle) => {
      await handle.signal(engageKillSwitchSignal, { reason: 'desk halt', by: 'ops-cli' });
      expect(await stateWhen(handle, (s) => s.status === 'HALTED')).toMatchObject({ status: 'HALTED', resetAtMs: null });

      await skipTo(istInstant(friday + 10, 12)); // the Monday after next, noon
      await settle();
      expect((await handle.query(killSwitchStateQuery)).status).toBe('HALTED');
      expect(stubs.events.map((e) => e.type)).not.toContain('RELEASED');

      await handle.signal(releaseKillSwitchSignal, { reason: 'reviewed', by: 'ops-cli' });
      expect(await stateWhen(handle, (s) => s.status === 'ACTIVE')).toMatchObject({ status: 'ACTIVE', source: 'temporal-signal', by: 'ops-cli', reason: 'reviewed' });
    });
  });

  it('when engage is signalled twice and release twice, then the query shows one engagement, one cancel sweep, and one release', async () => {
    const stubs = stubKillSwitchActivities({ resetAtNextTradingDay: true });
    await withKillSwitch(stubs, async (handle) => {
      expect(await stateWhen(handle)).toMatchObject({ status: 'ACTIVE', engagementId: null });

      await handle.signal(engageKillSwitchSignal, { reason: 'first', by: 'a' });
      await handle.signal(engageKillSwitchSignal, { reason: 'second', by: 'b' });
      await stateWhen(handle, () => stubs.alerts.length > 0);
      await settle();
      const halted = await handle.query(killSwitchStateQuery);
      expect(halted).toMatchObject({ status: 'HALTED', reason: 'first', by: 'a', source: 'temporal-signal' });
      expect(stubs.sweeps.cancel).toBe(1);

      await handle.signal(releaseKillSwitchSignal, { reason: 'clear', by: 'a' });
      await handle.signal(releaseKillSwitchSignal, { reason: 'clear again', by: 'b' });
      await stateWhen(handle, (s) => s.status === 'ACTIVE');
      await settle();
      expect(await handle.query(killSwitchStateQuery)).toMatchObject({ status: 'ACTIVE', reason: 'clear', by: 'a', engagementId: halted.engagementId });
      expect(stubs.events.map((e) => e.type)).toEqual(['ENGAGED', 'ORDERS_CANCELLED', 'RELEASED']);
    });
  });
});
