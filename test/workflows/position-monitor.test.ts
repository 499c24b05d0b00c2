import type { WorkflowHandle } from '@temporalio/client';
import { istClock } from '../../src/domain/risk/ist-clock';
import { squareOffInstantMs, type MonitorPolicy, type PositionMonitorState } from '../../src/domain/position-monitor';
import type { OrderRequest } from '../../src/domain/order-types';
import { positionMonitorWorkflow } from '../../src/workflows';
import { cancelMonitorUpdate, positionMonitorQuery } from '../../src/workflows/position-monitor-messages';
import { queryUntil } from '../support/poll';
import { terminateIfRunning, useWorkflowTestServer } from '../support/workflow-suite';
import { monitorStubActivities, MonitorWorld, policy, protectedEntry } from './monitor-stubs';
import { uniqueId } from './order-stubs';

/*
 * One test server per test: a workflow whose child finishes after it (an OCO group's legs, a monitor's exit order) can
 * leave the time-skipping server's clock locked for whatever runs next on it.
 */
const suite = useWorkflowTestServer({ serverPerTest: true });

type Handle = WorkflowHandle<typeof positionMonitorWorkflow>;
const HOUR = 3_600_000;
/** Legs poll the fake broker slowly, so hours of skipped time stay a few hundred activities. */
const LEG_CONFIG = { pollMinMs: 1_000, pollMaxMs: 30 * 60_000 };

/** Moves the test server's clock to the next `hhmm` IST (time only moves forward). */
async function skipToIst(hhmm: string): Promise<void> {
  const now = await suite.env.currentTimeMs();
  let at = squareOffInstantMs(now, hhmm);
  if (at <= now) at += 24 * HOUR;
  await suite.env.sleep(at - now);
}

/** Starts a monitor for `entry` under `p` and runs `body` while a worker serves it, its OCO group and its exits. */
async function withMonitor<T>(world: MonitorWorld, entry: (cid: string) => OrderRequest, p: MonitorPolicy, body: (h: Handle) => Promise<T>): Promise<T> {
  const taskQueue = uniqueId('monitor-tq');
  const env = suite.env;
  const cid = uniqueId('m');
  const handle = await env.client.workflow.start(positionMonitorWorkflow, {
    workflowId: `monitor-${cid}`, taskQueue,
    args: [{ monitorId: `monitor-${cid}`, entryOrderId: `order-${cid}`, entry: entry(cid), policy: p, receivedAt: new Date(await env.currentTimeMs()).toISOString(), config: LEG_CONFIG }],
  });
  return suite.runWorker({ taskQueue, activities: monitorStubActivities(world, env.client) }, async () => {
    try {
      return await body(handle);
    } finally {
      await terminateIfRunning(handle);
    }
  });
}

const episode = (s: PositionMonitorState, type: string) => s.episodes.find((e) => e.type === type);
const istTimeOf = (iso: string | undefined) => istClock(Date.parse(iso ?? '')).time;

describe('position monitor: MIS square-off', () => {
  test('when 15:15 IST comes with an MIS position open under OCO legs, then the legs are cancelled first and one exit closes exactly the open quantity', async () => {
    await skipToIst('14:00');
    const world = new MonitorWorld();
    world.fillEntry(90);
    // The target fills 30 of 90 before the square-off: 60 are left open, and the stop follows to 60.
    world.broker.script = (b) => { const t = b.resting('target'); if (t && b.resting('stop') && t.filled === 0) b.fill(t, 30); };
    const p = policy({ mode: 'oco', squareOffAt: '15:15' });
    await withMonitor(world, (cid) => protectedEntry(cid, { product: 'MIS' }), p, async (handle) => {
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'CLOSED', closeReason: 'square-off', openQuantity: 0 });
      expect(istTimeOf(episode(result, 'CLOSE_STARTED')?.at)).toBe('15:15');
      const exits = world.exits();
      expect(exits).toHaveLength(1);
      expect(exits[0].request).toMatchObject({ side: 'SELL', orderType: 'MARKET', quantity: 60, product: 'MIS' });
      expect(world.book()).toBe(0);
      // Both legs were asked to cancel before the exit was placed, so the exit can never double with a leg.
      const exitAt = world.log.findIndex((l) => l.startsWith('place exit-1'));
      expect(world.log.slice(0, exitAt)).toEqual(expect.arrayContaining(['cancel target', 'cancel stop']));
      expect(world.log[exitAt]).toBe('place exit-1 SELL 60');
      expect(world.broker.role('target')).toMatchObject({ status: 'CANCELLED', filled: 30 });
      expect(world.broker.role('stop')).toMatchObject({ status: 'CANCELLED', filled: 0 });
    });
  });
});

describe('position monitor: timeout', () => {
  test('when a position is still open N hours after it opened, then it is closed by one exit at exactly that time', async () => {
    await skipToIst('10:00');
    const world = new MonitorWorld();
    const p = policy({ mode: 'watch', timeoutMs: 2 * HOUR, pricePollMs: 10 * 60_000 });
    await withMonitor(world, protectedEntry, p, async (handle) => {
      await queryUntil(handle, positionMonitorQuery, (s) => s.entryStatus === 'OPEN');
      world.fillEntry(90);
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'CLOSED', closeReason: 'timeout', openQuantity: 0 });
      const opened = Date.parse(result.openedAt ?? '');
      const closedAfter = Date.parse(episode(result, 'CLOSE_STARTED')?.at ?? '') - opened;
      expect(closedAfter).toBeGreaterThanOrEqual(2 * HOUR);
      expect(closedAfter).toBeLessThan(2 * HOUR + 60_000); // at the deadline, not at the next 10-minute price poll
      expect(world.exits().map((o) => [o.request.side, o.request.quantity, o.request.orderType])).toEqual([['SELL', 90, 'MARKET']]);
      expect(world.book()).toBe(0);
    });
  });
});

describe('position monitor: OMS-watched levels', () => {
  test('when the LTP reaches the take profit, then the OMS closes the whole position with a MARKET exit', async () => {
    await skipToIst('10:00');
    const world = new MonitorWorld();
    world.fillEntry(90);
    await withMonitor(world, protectedEntry, policy({ mode: 'watch' }), async (handle) => {
      await queryUntil(handle, positionMonitorQuery, (s) => s.status === 'WATCHING');
      world.ltpPaise = 12_050;
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'CLOSED', closeReason: 'target', lastPricePaise: 12_050 });
      expect(world.exits().map((o) => [o.request.side, o.request.quantity])).toEqual([['SELL', 90]]);
      expect(world.broker.orders).toHaveLength(1); // no OCO legs in watch mode
    });
  });

  test('when the LTP falls to the stop loss, then the OMS closes the whole position with a MARKET exit', async () => {
    await skipToIst('10:00');
    const world = new MonitorWorld();
    world.fillEntry(90);
    await withMonitor(world, protectedEntry, policy({ mode: 'watch' }), async (handle) => {
      await queryUntil(handle, positionMonitorQuery, (s) => s.status === 'WATCHING');
      world.ltpPaise = 8_990;
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'CLOSED', closeReason: 'stop', lastPricePaise: 8_990 });
      expect(world.exits().map((o) => [o.request.side, o.request.quantity, o.request.orderType])).toEqual([['SELL', 90, 'MARKET']]);
      expect(world.book()).toBe(0);
    });
  });

  test('when the position was closed by hand before the stop is hit, then the monitor places no exit', async () => {
    await skipToIst('10:00');
    const world = new MonitorWorld();
    world.fillEntry(90);
    await withMonitor(world, protectedEntry, policy({ mode: 'watch' }), async (handle) => {
      await queryUntil(handle, positionMonitorQuery, (s) => s.status === 'WATCHING');
      world.bookBase = 0; // sold by hand, outside the monitor
      world.ltpPaise = 8_500;
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'CLOSED_ELSEWHERE', closeReason: 'stop', openQuantity: 0, exits: [] });
      expect(world.broker.orders).toHaveLength(0);
    });
  });

  test('when the position was partly closed by hand, then the exit closes only what is still open', async () => {
    await skipToIst('10:00');
    const world = new MonitorWorld();
    world.fillEntry(90);
    await withMonitor(world, protectedEntry, policy({ mode: 'watch' }), async (handle) => {
      await queryUntil(handle, positionMonitorQuery, (s) => s.status === 'WATCHING');
      world.bookBase = 30;
      world.ltpPaise = 8_500;
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'CLOSED', closeReason: 'stop', openQuantity: 0 });
      expect(world.exits().map((o) => o.request.quantity)).toEqual([30]);
      expect(world.book()).toBe(0);
    });
  });
});

describe('position monitor: lifecycle', () => {
  test('when the entry ends without a fill, then the monitor ends ENTRY_NOT_FILLED and places nothing', async () => {
    const world = new MonitorWorld();
    world.entry = { status: 'CANCELLED', filledQuantity: 0 };
    await withMonitor(world, protectedEntry, policy({ mode: 'oco' }), async (handle) => {
      expect(await handle.result()).toMatchObject({ status: 'ENTRY_NOT_FILLED', openQuantity: 0 });
      expect(world.broker.orders).toHaveLength(0);
    });
  });

  test('when an operator cancels a monitor in OCO mode, then its OCO legs are cancelled and the position is left open', async () => {
    await skipToIst('10:00');
    const world = new MonitorWorld();
    world.fillEntry(90);
    await withMonitor(world, protectedEntry, policy({ mode: 'oco' }), async (handle) => {
      await queryUntil(handle, positionMonitorQuery, (s) => s.status === 'OCO_PLACED');
      await queryUntil(handle, positionMonitorQuery, () => world.broker.resting('target') !== undefined && world.broker.resting('stop') !== undefined);
      const answered = await handle.executeUpdate(cancelMonitorUpdate, { args: [{ reason: 'ops' }] });
      expect(answered).toMatchObject({ status: 'CANCELLED', openQuantity: 90 });
      expect(answered).not.toHaveProperty('episodes'); // the compact answer; the query has the whole state
      expect(world.broker.role('target')?.status).toBe('CANCELLED');
      expect(world.broker.role('stop')?.status).toBe('CANCELLED');
      expect(world.exits()).toHaveLength(0);
      await expect(handle.executeUpdate(cancelMonitorUpdate, { args: [{}] })).rejects.toThrow();
    });
  });
});
