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

/** Real time one step may take: a hang fails with the step's name long before jest's timeout. */
const STEP_MS = 20_000;

// A server per test: nothing one test leaves on the time-skipping clock (a timer, a lock) reaches the next.
const suite = useWorkflowTestServer({ searchAttributes: false, serverPerTest: true });

type Handle = WorkflowHandle<typeof killSwitchWorkflow>;
type Stubs = ReturnType<typeof stubKillSwitchActivities>;

/** The IST day number (days since 1970-01-01 in IST) of the next Friday at least a minute after `nowMs`. */
function nextFridayIst(nowMs: number): number {
  for (let d = Math.floor((nowMs + IST) / DAY); ; d++) {
    if ((d + 4) % 7 === 5 && d * DAY - IST + 14 * HOUR > nowMs + 60_000) return d;
  }
}
const istInstant = (day: number, hours: number) => day * DAY - IST + hours * HOUR;

/** Moves the test server's clock to `targetMs` (`when`, for the failure message), firing the timers due on the way. */
function skipTo(targetMs: number, when: string): Promise<void> {
  return suite.step(`the clock never reached ${when}`, STEP_MS, async () => {
    const now = await suite.env.currentTimeMs();
    if (targetMs > now) await suite.env.sleep(targetMs - now);
  });
}

/**
 * Queries until `wanted` holds; once the clock has moved, the workflow needs a moment of real time to act. The query
 * handler exists only once the workflow has read its state (its first activity), so a refused query is asked again.
 * Fails with `what` and the last answer after STEP_MS, and stops asking once the step or the test has ended.
 */
function stateWhen(handle: Handle, what: string, wanted: (s: KillSwitchState) => boolean = () => true): Promise<KillSwitchState> {
  let last: unknown = 'no answer yet';
  return suite.step(() => `${what}; last answer: ${JSON.stringify(last)}`, STEP_MS, async (signal) => {
    for (;;) {
      signal.throwIfAborted();
      const s = await handle.query(killSwitchStateQuery).catch((err: Error) => {
        if (/did not register a handler|still reading its state/.test(String(err.cause ?? err))) return undefined;
        throw err;
      });
      if (s && wanted(s)) return s;
      last = s ?? last;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
}

/** One query, as a step. */
const stateNow = (handle: Handle, when: string) => suite.step(`the state query did not answer ${when}`, STEP_MS, () => handle.query(killSwitchStateQuery));

/** A signal, as a step. */
const send = (what: string, call: () => Promise<void>) => suite.step(`${what} was not delivered`, STEP_MS, call);

/**
 * Waits until the workflow has armed its reset timer: the clock moves only once the halt's activities and workflow
 * tasks are done, so no skip races the sweep.
 */
function resetTimerArmed(handle: Handle): Promise<void> {
  return suite.step('the kill switch never armed its reset timer', STEP_MS, async (signal) => {
    for (;;) {
      signal.throwIfAborted();
      const { events } = await handle.fetchHistory();
      if (events?.some((e) => e.timerStartedEventAttributes)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
}

/** Lets the worker act on anything due (a timer that should not have fired would have released by now). */
const settle = () => new Promise((r) => setTimeout(r, 1000));

async function withKillSwitch<T>(stubs: Stubs, body: (handle: Handle) => Promise<T>): Promise<T> {
  const taskQueue = uniqueId('kill-switch-tq');
  return suite.runWorker({ taskQueue, activities: stubs.activities }, async () => {
    const handle = await suite.step('the kill switch workflow did not start', STEP_MS, () =>
      suite.env.client.workflow.start(killSwitchWorkflow, { workflowId: uniqueId('kill-switch'), taskQueue, args: [{ account: 'default' }] }));
    try {
      await stateWhen(handle, 'the kill switch never answered its state query');
      return await body(handle);
    } finally {
      await suite.step('terminate', STEP_MS, () => handle.terminate('test done')).catch(() => undefined);
    }
  });
}

describe('kill switch workflow', () => {
  it('when the switch engages on a Friday afternoon IST, then it is still HALTED on Saturday and Sunday night and releases itself at 00:00 IST Monday, recorded as the calendar\'s release', async () => {
    const stubs = stubKillSwitchActivities({ resetAtNextTradingDay: true });
    const friday = nextFridayIst(await suite.env.currentTimeMs());
    const mondayStart = istInstant(friday + 3, 0);
    await skipTo(istInstant(friday, 14.5), 'Friday 14:30 IST');

    await withKillSwitch(stubs, async (handle) => {
      await send('the engage signal', () => handle.signal(engageKillSwitchSignal, { reason: 'loss past the limit', by: 'ops-cli' }));
      const halted = await stateWhen(handle, 'the switch never showed HALTED after the engage signal', (s) => s.status === 'HALTED');
      expect(halted).toMatchObject({ status: 'HALTED', source: 'temporal-signal', by: 'ops-cli', resetAtMs: mondayStart });
      await resetTimerArmed(handle);

      await skipTo(istInstant(friday + 1, 12), 'Saturday noon IST');
      await settle();
      expect((await stateNow(handle, 'on Saturday noon')).status).toBe('HALTED');
      // A minute before midnight: while the test looks, the clock runs in real time.
      await skipTo(mondayStart - 60_000, 'Sunday 23:59 IST');
      await settle();
      expect((await stateNow(handle, 'on Sunday 23:59')).status).toBe('HALTED');
      expect(stubs.events.map((e) => e.type)).toEqual(['ENGAGED', 'ORDERS_CANCELLED']);

      await skipTo(mondayStart, 'Monday 00:00 IST');
      const released = await stateWhen(handle, 'the switch did not release itself at 00:00 IST Monday', (s) => s.status === 'ACTIVE');
      expect(released).toMatchObject({ status: 'ACTIVE', source: 'next-trading-day', by: 'calendar', resetAtMs: null, engagementId: halted.engagementId });
      // The timer fires at 00:00; the release activity is scheduled once its workflow task ran (real time, clock locked).
      expect(released.releasedAtMs).toBeGreaterThanOrEqual(mondayStart);
      expect(released.releasedAtMs).toBeLessThan(mondayStart + STEP_MS);
      expect(stubs.events.at(-1)).toMatchObject({ type: 'RELEASED', source: 'next-trading-day', engagementId: halted.engagementId });
      expect(stubs.alerts.map((a) => a.kind)).toEqual(['KILL_SWITCH_ENGAGED', 'KILL_SWITCH_RELEASED']);

      await suite.step('the weekend\'s history did not replay', 60_000, () => replayAndRecord(suite.workflowBundle, handle, 'kill-switch', { overwrite: true }));
    });
  });

  it('when the configuration says not to reset at the next trading day, then a halt outlasts the weekend and the next week until an operator releases it', async () => {
    const stubs = stubKillSwitchActivities({ resetAtNextTradingDay: false });
    const friday = nextFridayIst(await suite.env.currentTimeMs());
    await skipTo(istInstant(friday, 15), 'Friday 15:00 IST');

    await withKillSwitch(stubs, async (handle) => {
      await send('the engage signal', () => handle.signal(engageKillSwitchSignal, { reason: 'desk halt', by: 'ops-cli' }));
      expect(await stateWhen(handle, 'the switch never showed HALTED after the engage signal', (s) => s.status === 'HALTED')).toMatchObject({ status: 'HALTED', resetAtMs: null });
      // The halt is done (both sweeps ran) before the clock moves.
      await stateWhen(handle, 'the halt never finished its sweep', () => stubs.events.some((e) => e.type === 'ORDERS_CANCELLED') && stubs.alerts.length > 0);
      await settle();

      await skipTo(istInstant(friday + 10, 12), 'the Monday after next, noon IST');
      await settle();
      expect((await stateNow(handle, 'ten days on')).status).toBe('HALTED');
      expect(stubs.events.map((e) => e.type)).not.toContain('RELEASED');

      await send('the release signal', () => handle.signal(releaseKillSwitchSignal, { reason: 'reviewed', by: 'ops-cli' }));
      expect(await stateWhen(handle, 'the switch never showed ACTIVE after the release signal', (s) => s.status === 'ACTIVE'))
        .toMatchObject({ status: 'ACTIVE', source: 'temporal-signal', by: 'ops-cli', reason: 'reviewed' });
    });
  });

  it('when engage is signalled twice and release twice, then the query shows one engagement, one cancel sweep, and one release', async () => {
    const stubs = stubKillSwitchActivities({ resetAtNextTradingDay: true });
    await withKillSwitch(stubs, async (handle) => {
      expect(await stateNow(handle, 'before any signal')).toMatchObject({ status: 'ACTIVE', engagementId: null });

      await send('the first engage signal', () => handle.signal(engageKillSwitchSignal, { reason: 'first', by: 'a' }));
      await send('the second engage signal', () => handle.signal(engageKillSwitchSignal, { reason: 'second', by: 'b' }));
      await stateWhen(handle, 'the engage never alerted', () => stubs.alerts.length > 0);
      await settle();
      const halted = await stateNow(handle, 'after two engages');
      expect(halted).toMatchObject({ status: 'HALTED', reason: 'first', by: 'a', source: 'temporal-signal' });
      expect(stubs.sweeps.cancel).toBe(1);

      await send('the first release signal', () => handle.signal(releaseKillSwitchSignal, { reason: 'clear', by: 'a' }));
      await send('the second release signal', () => handle.signal(releaseKillSwitchSignal, { reason: 'clear again', by: 'b' }));
      await stateWhen(handle, 'the switch never showed ACTIVE after the release signals', (s) => s.status === 'ACTIVE');
      await settle();
      expect(await stateNow(handle, 'after two releases')).toMatchObject({ status: 'ACTIVE', reason: 'clear', by: 'a', engagementId: halted.engagementId });
      expect(stubs.events.map((e) => e.type)).toEqual(['ENGAGED', 'ORDERS_CANCELLED', 'RELEASED']);
    });
  });
});
