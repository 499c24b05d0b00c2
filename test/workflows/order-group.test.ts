import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { OrderGroupState } from '../../src/domain/order-group-state';
import type { GroupRequest } from '../../src/domain/order-group-legs';
import { payloadHash } from '../../src/domain/hash';
import { orderGroupWorkflow } from '../../src/workflows';
import { cancelGroupUpdate, groupStateQuery } from '../../src/workflows/order-group-messages';
import { queryUntil } from '../support/poll';
import { REPLAY_DIR, replayAndRecord } from '../support/replay';
import { terminateIfRunning, useWorkflowTestServer } from '../support/workflow-suite';
import { bracketRequest, FakeBroker, groupStubActivities, ocoRequest } from './group-stubs';
import { uniqueId } from './order-stubs';

/** One server per test: a group's legs finish after it, which can leave the time-skipping clock locked for the next test. */
const suite = useWorkflowTestServer({ serverPerTest: true });

type Handle = WorkflowHandle<typeof orderGroupWorkflow>;
const REPLAY_NAME = 'group-oco-excess';
const REPLAY_FILE = path.join(REPLAY_DIR, `${REPLAY_NAME}.history.json`);

/** Starts one group on a fresh task queue over `broker` and runs `body` while a worker serves the group and its legs. */
async function withGroup<T>(broker: FakeBroker, request: (cid: string) => GroupRequest, body: (h: Handle, stubs: ReturnType<typeof groupStubActivities>) => Promise<T>, groupId?: string): Promise<T> {
  const stubs = groupStubActivities(broker);
  const taskQueue = uniqueId('group-tq');
  const cid = uniqueId('g');
  const r = request(cid);
  const id = groupId ?? `group-${cid}`;
  const handle = await suite.env.client.workflow.start(orderGroupWorkflow, {
    workflowId: id, taskQueue,
    args: [{ groupId: id, request: r, payloadHash: payloadHash(r), receivedAt: '2026-11-24T04:00:00.000Z', config: { pollMinMs: 1000, pollMaxMs: 5000 } }],
  });
  return suite.runWorker({ taskQueue, activities: stubs.activities }, async () => {
    try {
      return await body(handle, stubs);
    } finally {
      await terminateIfRunning(handle);
    }
  });
}

const episodes = (s: OrderGroupState, type: string) => s.episodes.filter((e) => e.type === type).map((e) => e.detail);

describe('OCO group workflow', () => {
  test('when the target fills completely, then the stop is cancelled, the position is flat and the group COMPLETED', async () => {
    const broker = new FakeBroker();
    broker.script = (b) => { const t = b.resting('target'); if (t && b.resting('stop') && t.filled === 0) b.fill(t, 90); };
    await withGroup(broker, ocoRequest, async (handle, stubs) => {
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'COMPLETED', triggeredBy: 'target', position: { base: 90, exitsFilled: 90, open: 0 } });
      expect(broker.role('stop')).toMatchObject({ status: 'CANCELLED', filled: 0, cancelRequests: 1 });
      expect(broker.role('target')?.request).toMatchObject({ side: 'SELL', orderType: 'LIMIT', pricePaise: 12_000, quantity: 90 });
      expect(broker.role('stop')?.request).toMatchObject({ side: 'SELL', orderType: 'SL', triggerPricePaise: 9_000, pricePaise: 8_950 });
      expect(broker.net('BUY', 90)).toBe(0);
      expect(broker.orders.map((o) => o.role).sort()).toEqual(['stop', 'target']);
      expect(episodes(result, 'OCO_TRIGGERED')).toEqual([expect.objectContaining({ by: 'target', filledQuantity: 90 })]);
      expect(episodes(result, 'LEG_CANCEL_REQUESTED')).toEqual([expect.objectContaining({ role: 'stop', reason: 'oco' })]);
      expect(stubs.riskChecked).toEqual([]); // exits close a position that is already there: no second reservation
      expect(stubs.groupSaves.at(-1)).toMatchObject({ status: 'COMPLETED' });
    });
  });

  test('when the target fills 30 of 90, then the stop is resized to the remaining 60, and when the target completes the stop is cancelled', async () => {
    const broker = new FakeBroker();
    broker.script = (b) => {
      const t = b.resting('target');
      const s = b.resting('stop');
      if (t && s && t.filled === 0) b.fill(t, 30);
      else if (t && s && t.filled === 30 && s.quantity === 60) b.fill(t, 60);
    };
    await withGroup(broker, ocoRequest, async (handle) => {
      const result = await handle.result();
      expect(broker.role('stop')).toMatchObject({ quantityHistory: [90, 60], status: 'CANCELLED', filled: 0 });
      expect(broker.role('target')).toMatchObject({ quantityHistory: [90], status: 'COMPLETE', filled: 90 });
      expect(episodes(result, 'EXIT_RESIZED')).toEqual([expect.objectContaining({ role: 'stop', from: 90, to: 60 })]);
      expect(result).toMatchObject({ status: 'COMPLETED', position: { open: 0 } });
      expect(broker.net('BUY', 90)).toBe(0);
    });
  });

  test('when both legs fill before the cancel lands, then the excess is flattened by one reduce-only order of exactly the excess and the episode is recorded', async () => {
    const broker = new FakeBroker();
    broker.script = (b) => { const t = b.resting('target'); if (t && b.resting('stop') && t.filled === 0) b.fill(t, 90); };
    broker.beforeCancel = (o, b) => { if (o.role === 'stop') b.fill(o, 90, 9_000); }; // the stop triggers and fills first
    const groupId = process.env.RECORD_REPLAY === '1' && !fs.existsSync(REPLAY_FILE) ? REPLAY_NAME : undefined;
    await withGroup(broker, ocoRequest, async (handle) => {
      const result = await handle.result();
      const flattens = broker.orders.filter((o) => o.role.startsWith('flatten'));
      expect(flattens).toHaveLength(1);
      expect(flattens[0].request).toMatchObject({ side: 'BUY', orderType: 'MARKET', quantity: 90 });
      expect(broker.net('BUY', 90)).toBe(0);
      expect(result).toMatchObject({ status: 'COMPLETED', triggeredBy: 'target', position: { base: 90, exitsFilled: 180, flattenNet: 90, open: 0 } });
      expect(episodes(result, 'EXCESS_DETECTED')).toEqual([{ quantity: 90, exitsFilled: 180, position: 90 }]);
      expect(episodes(result, 'FLATTEN_PLACED')).toEqual([expect.objectContaining({ role: 'flatten-1', side: 'BUY', quantity: 90, reason: 'excess' })]);
      expect(result.legs.map((l) => [l.role, l.status, l.filledQuantity])).toEqual([['target', 'FILLED', 90], ['stop', 'FILLED', 90], ['flatten-1', 'FILLED', 90]]);
      // The history just made replays against the same code (the committed one is replayed by test/workflows/replay.test.ts too).
      await replayAndRecord(suite.workflowBundle, handle, REPLAY_NAME);
    }, groupId);
  });

  test('when the recorded OCO excess history is replayed against the current workflow code, then there is no determinism error', async () => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(REPLAY_FILE, 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: suite.workflowBundle }, history, REPLAY_NAME)).resolves.toBeUndefined();
  });
});

describe('bracket group workflow', () => {
  test('when the entry fills in three slices of 30, then the exits are placed at 30 and resized to 60 and 90, never above the entry filled', async () => {
    const broker = new FakeBroker();
    const seen: { entry: number; target: number; stop: number }[] = [];
    broker.script = (b) => {
      const e = b.role('entry')!;
      const t = b.resting('target');
      const s = b.resting('stop');
      if (t && s) seen.push({ entry: e.filled, target: t.quantity, stop: s.quantity });
      if (e.filled === 0) b.fill(e, 30);
      else if (t && s && t.quantity === e.filled && s.quantity === e.filled && e.filled < 90) b.fill(e, 30);
      else if (t && s && e.filled === 90 && t.quantity === 90 && s.quantity === 90) b.fill(t, 90, 12_000);
    };
    await withGroup(broker, bracketRequest, async (handle, stubs) => {
      const result = await handle.result();
      expect(broker.role('target')?.quantityHistory).toEqual([30, 60, 90]);
      expect(broker.role('stop')?.quantityHistory).toEqual([30, 60, 90]);
      // No stop limit given: an SL (never SL-M, blocked for options), its limit the 5% band under the trigger.
      expect(broker.role('stop')?.request).toMatchObject({ orderType: 'SL', triggerPricePaise: 9_000, pricePaise: 8_550 });
      for (const v of seen) expect(Math.max(v.target, v.stop)).toBeLessThanOrEqual(v.entry);
      expect(episodes(result, 'EXITS_PLACED')).toEqual([{ quantity: 30, entryFilled: 30 }]);
      expect(episodes(result, 'EXIT_RESIZED').map((d) => [d.role, d.from, d.to])).toEqual(expect.arrayContaining([['target', 30, 60], ['stop', 30, 60], ['target', 60, 90], ['stop', 60, 90]]));
      expect(result).toMatchObject({ status: 'COMPLETED', triggeredBy: 'target', position: { base: 90, exitsFilled: 90, open: 0 } });
      expect(broker.role('stop')).toMatchObject({ status: 'CANCELLED', filled: 0 });
      expect(broker.net('BUY')).toBe(0);
      expect(stubs.riskChecked).toEqual([`${result.request.clientOrderId}-entry`]); // only the entry opens exposure
    });
  });

  test('when the bracket is cancelled while the entry is partly filled, then every live leg is cancelled and the position stays the 30 the entry filled', async () => {
    const broker = new FakeBroker();
    broker.script = (b) => { const e = b.resting('entry'); if (e && e.filled === 0) b.fill(e, 30); };
    await withGroup(broker, bracketRequest, async (handle) => {
      await queryUntil(handle, groupStateQuery, (s) => ['target', 'stop'].every((r) => s.legs.some((l) => l.role === r && l.brokerOrderId !== null)));
      const answered = await handle.executeUpdate(cancelGroupUpdate, { args: [{ reason: 'strategy stopped' }] });
      expect(answered.cancelRequested).toBe(true);
      expect(answered).not.toHaveProperty('episodes'); // the compact answer; the query has the whole state
      const result = await handle.result();
      // The two exits are placed together: the order they reach the broker in is not guaranteed, so compare by role.
      const byRole = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
      expect(broker.orders.map((o) => [o.role, o.status, o.filled]).sort(byRole)).toEqual([['entry', 'CANCELLED', 30], ['stop', 'CANCELLED', 0], ['target', 'CANCELLED', 0]]);
      expect(broker.net('BUY')).toBe(30);
      expect(broker.net('BUY')).toBeLessThanOrEqual(broker.role('entry')!.filled);
      expect(result).toMatchObject({ status: 'CANCELLED', position: { base: 30, open: 30 } });
      expect(episodes(result, 'GROUP_CANCELLED')).toEqual([{ reason: 'strategy stopped', liveLegs: ['entry', 'target', 'stop'] }]);
      expect(episodes(result, 'LEG_CANCEL_REQUESTED').map((d) => d.role).sort()).toEqual(['entry', 'stop', 'target']);
      await expect(handle.executeUpdate(cancelGroupUpdate, { args: [{}] })).rejects.toThrow();
    });
  });
});

describe('group workflow and its legs\' last moments', () => {
  test('when a leg ends at the moment the group sends it a resize, then the group finishes only with the answer in: nothing after GROUP_FINISHED, the last save is the result, no command signal left unanswered', async () => {
    const scripted = await bundleWorkflowCode({ workflowsPath: require.resolve('./group-scripted-legs') });
    const stubs = groupStubActivities(new FakeBroker());
    const taskQueue = uniqueId('group-scripted-tq');
    const r = ocoRequest(uniqueId('g'));
    const id = `group-${r.clientOrderId}`;
    const handle = await suite.env.client.workflow.start(orderGroupWorkflow, {
      workflowId: id, taskQueue, args: [{ groupId: id, request: r, payloadHash: payloadHash(r), receivedAt: '2026-11-24T04:00:00.000Z' }],
    });
    const result = await suite.runWorker({ taskQueue, workflowBundle: scripted, activities: stubs.activities }, () => handle.result());
    const types = result.episodes.map((e) => e.type);
    expect(result).toMatchObject({ status: 'COMPLETED', triggeredBy: 'stop', position: { base: 90, exitsFilled: 90, open: 0 } });
    expect(episodes(result, 'EXIT_RESIZED')).toEqual([expect.objectContaining({ role: 'stop', from: 90, to: 60 })]);
    expect(types.at(-1)).toBe('GROUP_FINISHED');
    expect(types.indexOf('EXIT_RESIZED')).toBeLessThan(types.indexOf('GROUP_FINISHED'));
    expect(stubs.groupSaves.at(-1)).toEqual(result);
    const events = (await handle.fetchHistory()).events ?? [];
    const initiated = events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length;
    const answered = events.filter((e) => e.externalWorkflowExecutionSignaledEventAttributes || e.signalExternalWorkflowExecutionFailedEventAttributes).length;
    expect(initiated).toBe(1);
    expect(answered).toBe(initiated);
  });
});
