import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { OrderGroupState } from '../../src/domain/order-group-state';
import type { GroupRequest } from '../../src/domain/order-group-legs';
import { payloadHash } from '../../src/domain/hash';
import { orderGroupWorkflow } from '../../src/workflows';
import { cancelGroupUpdate, groupStateQuery } from '../../src/workflows/order-group-messages';
import { startOrderTestServer } from './order-env';
import { bracketRequest, FakeBroker, groupStubActivities, ocoRequest } from './group-stubs';
import { uniqueId } from './order-stubs';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await startOrderTestServer();
});

afterAll(async () => {
  await env?.teardown();
});

type Handle = WorkflowHandle<typeof orderGroupWorkflow>;
const REPLAY_FILE = path.resolve(__dirname, '../replay/group-oco-excess.history.json');

/** Starts one group on a fresh task queue over `broker` and runs `body` while a worker serves the group and its legs. */
async function withGroup<T>(broker: FakeBroker, request: (cid: string) => GroupRequest, body: (h: Handle, stubs: ReturnType<typeof groupStubActivities>) => Promise<T>, groupId?: string): Promise<T> {
  const stubs = groupStubActivities(broker);
  const taskQueue = uniqueId('group-tq');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: stubs.activities });
  const cid = uniqueId('g');
  const r = request(cid);
  const id = groupId ?? `group-${cid}`;
  const handle = await env.client.workflow.start(orderGroupWorkflow, {
    workflowId: id, taskQueue,
    args: [{ groupId: id, request: r, payloadHash: payloadHash(r), receivedAt: '2026-11-24T04:00:00.000Z', config: { pollMinMs: 1000, pollMaxMs: 5000 } }],
  });
  return worker.runUntil(async () => {
    try {
      return await body(handle, stubs);
    } finally {
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test done');
    }
  });
}

const episodes = (s: OrderGroupState, type: string) => s.episodes.filter((e) => e.type === type).map((e) => e.detail);

async function waitFor(handle: Handle, wanted: (s: OrderGroupState) => boolean): Promise<OrderGroupState> {
  for (let i = 0; i < 300; i++) {
    const s = await handle.query(groupStateQuery);
    if (wanted(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the group never reached the wanted state');
}

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
    const record = process.env.RECORD_REPLAY === '1' && !fs.existsSync(REPLAY_FILE);
    const groupId = record ? path.basename(REPLAY_FILE, '.history.json') : undefined;
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
      if (record) fs.writeFileSync(REPLAY_FILE, JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 2) + '\n');
      // The history just made replays against the same code (the committed one is replayed by test/workflows/replay.test.ts too).
      await Worker.runReplayHistory({ workflowBundle }, await handle.fetchHistory(), handle.workflowId);
    }, groupId);
  });

  test('when the recorded OCO excess history is replayed against the current workflow code, then there is no determinism error', async () => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(REPLAY_FILE, 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle }, history, path.basename(REPLAY_FILE, '.history.json'))).resolves.toBeUndefined();
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
      expect(broker.role('stop')?.request).toMatchObject({ orderType: 'SL-M', triggerPricePaise: 9_000 });
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
      await waitFor(handle, (s) => ['target', 'stop'].every((r) => s.legs.some((l) => l.role === r && l.brokerOrderId !== null)));
      const answered = await handle.executeUpdate(cancelGroupUpdate, { args: [{ reason: 'strategy stopped' }] });
      expect(answered.cancelRequested).toBe(true);
      const result = await handle.result();
      expect(broker.orders.map((o) => [o.role, o.status, o.filled])).toEqual([['entry', 'CANCELLED', 30], ['target', 'CANCELLED', 0], ['stop', 'CANCELLED', 0]]);
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
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: scripted, activities: stubs.activities });
    const r = ocoRequest(uniqueId('g'));
    const id = `group-${r.clientOrderId}`;
    const handle = await env.client.workflow.start(orderGroupWorkflow, {
      workflowId: id, taskQueue, args: [{ groupId: id, request: r, payloadHash: payloadHash(r), receivedAt: '2026-11-24T04:00:00.000Z' }],
    });
    const result = await worker.runUntil(handle.result());
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
