import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DEFAULT_FALLBACK, mergeFallback } from '../../src/domain/fallback';
import { brokerTagFor } from '../../src/domain/hash';
import type { AuditEvent, OrderState } from '../../src/domain/order-state';
import type { OrderRequest } from '../../src/domain/order-types';
import { orderLifecycleWorkflow } from '../../src/workflows';
import { interventionUpdate, orderStateQuery } from '../../src/workflows/order-messages';
import { storedEvents, type SavedProgress } from './crash-broker';
import { startOrderTestServer } from './order-env';
import { limitBuy, orderInput, uniqueId } from './order-stubs';
import { TagBroker, tagBrokerActivities, type PlaceHold, type Refusal } from './tag-broker';

/**
 * A worker shut down in the middle of a fallback step (a re-placement under a new tag, a split's slice placement, a
 * manual review), and a fresh worker on the same task queue taking the order over from its history.
 */
let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await startOrderTestServer();
});
afterAll(async () => {
  await env?.teardown();
});

type Handle = WorkflowHandle<typeof orderLifecycleWorkflow>;

interface Scenario {
  request: OrderRequest;
  hold?: PlaceHold;
  freezeLimit?: number;
  /** Resolves once the first worker is where it should die. */
  dieWhen: (handle: Handle, held: Promise<void>) => Promise<void>;
  /** Runs on the new worker before the order is awaited (an operator's decision). */
  thenOnNewWorker?: (handle: Handle) => Promise<void>;
}

interface Takeover {
  result: OrderState;
  handle: Handle;
  /** The audit of one order workflow (this order or one of its slices) as the store holds it. */
  audit: (orderId: string) => AuditEvent[];
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(what)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Starts the order on a worker that is shut down once `dieWhen` resolves; a new worker (same queue, same broker and
 * store) then runs it to its end. No workflow cache on the first worker: the test server never moves a task off a
 * dead worker's sticky queue (see ladder-crash.test.ts).
 */
async function crashAndTakeOver(broker: TagBroker, s: Scenario): Promise<Takeover> {
  const saves: SavedProgress[] = [];
  const taskQueue = uniqueId('fallback-crash-tq');
  const first = tagBrokerActivities(broker, saves, { hold: s.hold, freezeLimit: s.freezeLimit });
  const dying = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: first.activities, maxCachedWorkflows: 0 });
  const dyingRun = dying.run();
  const orderId = uniqueId('fallback-crash');
  const config = { pollMinMs: 1000, pollMaxMs: 5000, fallback: mergeFallback(DEFAULT_FALLBACK) };
  const handle = await env.client.workflow.start(orderLifecycleWorkflow, { workflowId: orderId, taskQueue, args: [orderInput(orderId, s.request, { config })] });
  try {
    await within(s.dieWhen(handle, first.held), 30_000, 'the first worker never got to where it should die');
    dying.shutdown();
    await dyingRun;

    const second = tagBrokerActivities(broker, saves, { freezeLimit: s.freezeLimit });
    const successor = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: second.activities });
    const result = await successor.runUntil(async () => {
      await s.thenOnNewWorker?.(handle);
      return within(handle.result(), 40_000, 'the new worker did not bring the order to a final status');
    });
    return { result, handle, audit: (id) => storedEvents(saves.filter((x) => x.state.orderId === id)) };
  } finally {
    if (dying.getState() === 'RUNNING') {
      dying.shutdown();
      await dyingRun.catch(() => undefined);
    }
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') await handle.terminate('test done');
  }
}

async function until(handle: Handle, wanted: (s: OrderState) => boolean): Promise<OrderState> {
  for (let i = 0; i < 300; i++) {
    const s = await handle.query(orderStateQuery);
    if (wanted(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the order never reached the wanted state');
}

/**
 * Idle in manual review: the review's timer is started after the last activity (the review's save) was scheduled,
 * and no workflow task is open, so nothing is in flight when the worker dies.
 */
async function waitingInReview(handle: Handle): Promise<void> {
  const { EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: ACTIVITY, EVENT_TYPE_TIMER_STARTED: TIMER, EVENT_TYPE_WORKFLOW_TASK_COMPLETED: TASK_DONE } = temporal.api.enums.v1.EventType;
  await until(handle, (s) => s.intervention?.reason === 'MANUAL_REVIEW');
  for (let i = 0; i < 300; i++) {
    const types = ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
    const last = types.at(-1);
    if (types.lastIndexOf(TIMER) > types.lastIndexOf(ACTIVITY) && (last === TIMER || last === TASK_DONE)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the order never settled into its manual review');
}

/** The whole history, run again by fresh workflow code: a determinism error fails the test. */
async function expectReplays(workflowId: string): Promise<void> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  await expect(Worker.runReplayHistory({ workflowBundle }, history, workflowId)).resolves.toBeUndefined();
}

/** Everything the workflow recorded reached the store, each sequence number once, with no gap left by the crash. */
function expectCompleteAudit(state: OrderState, events: AuditEvent[]): void {
  expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: state.eventSequence }, (_, i) => i + 1));
}

const countOf = (events: AuditEvent[], type: string) => events.filter((e) => e.type === type).length;
const firstRefused = (refusal: Refusal) => (n: number) => (n === 1 ? refusal : null);
const MARGIN: Refusal = { errorType: 'MarginException', message: 'Insufficient funds. Required margin is 95000.00 but available margin is 70000.00.' };
const FREEZE: Refusal = { errorType: 'InputException', message: 'Quantity exceeds the freeze limit of 600. Slice the order.' };
const RMS_BLOCK: Refusal = { errorType: 'OrderException', message: 'RMS: blocked' };

describe('a worker shut down in the middle of a fallback step', () => {
  test('when the worker dies after the broker accepted the reduced re-placement, then the re-sent place finds it by its new tag: one broker order, FILLED at the reduced quantity, each fallback event recorded once', async () => {
    const broker = new TagBroker(firstRefused(MARGIN));
    const { result, handle, audit } = await crashAndTakeOver(broker, {
      request: limitBuy(),
      hold: { match: (a) => a.request.quantity === 60, at: 'after-broker' },
      dieWhen: (_h, held) => held,
    });
    const newTag = brokerTagFor(`${handle.workflowId}#1`);

    expect(result).toMatchObject({ status: 'FILLED', quantity: 60, filledQuantity: 60, tag: newTag, brokerOrderId: 'TB-1' });
    expect(broker.accepted).toEqual([expect.objectContaining({ tag: newTag, quantity: 60 })]);
    expect(broker.requests.map((r) => [r.tag, r.quantity, r.lookFirst, r.outcome])).toEqual([
      [brokerTagFor(handle.workflowId), 90, false, 'refused'],
      [newTag, 60, false, 'accepted'],
      [newTag, 60, true, 'recovered'],
    ]);
    expect(result.attempts?.map((a) => [a.quantity, a.rejection, a.rung])).toEqual([[90, 'margin', 'reduce']]);
    const events = audit(handle.workflowId);
    expect(['ATTEMPT_REJECTED', 'FALLBACK_STEP', 'REPLACING'].map((t) => countOf(events, t))).toEqual([1, 1, 1]);
    expect(events.filter((e) => e.toStatus === 'SUBMITTED').map((e) => e.payload)).toEqual([expect.objectContaining({ brokerOrderId: 'TB-1', recoveredByTag: true })]);
    expectCompleteAudit(result, events);
    await expectReplays(handle.workflowId);
  });

  test.each(['before-broker', 'after-broker'] as const)('when the worker dies while the second slice of a split (freeze rejection) is being placed (%s), then each slice tag holds exactly one broker order and the order fills as their sum', async (at) => {
    const broker = new TagBroker(firstRefused(FREEZE));
    const { result, handle, audit } = await crashAndTakeOver(broker, {
      request: limitBuy({ quantity: 1500 }),
      freezeLimit: 600,
      hold: { match: (a) => a.orderId.endsWith('-s2'), at },
      dieWhen: (_h, held) => held,
    });
    const sliceIds = [1, 2, 3].map((i) => `${handle.workflowId}-s${i}`);

    expect(result).toMatchObject({ status: 'FILLED', filledQuantity: 1500, averagePrice: '100.0000' });
    expect(result.slices?.map((x) => [x.orderId, x.status, x.filledQuantity])).toEqual([[sliceIds[0], 'FILLED', 510], [sliceIds[1], 'FILLED', 510], [sliceIds[2], 'FILLED', 480]]);
    const sliceOrders = sliceIds.map((id) => broker.accepted.filter((o) => o.orderId === id).map((o) => [o.tag, o.quantity]));
    expect(sliceOrders).toEqual([[[brokerTagFor(sliceIds[0]), 510]], [[brokerTagFor(sliceIds[1]), 510]], [[brokerTagFor(sliceIds[2]), 480]]]);
    expect(broker.accepted).toHaveLength(3); // the refused 1500 left nothing at the broker
    const secondSlice = broker.requests.filter((r) => r.orderId === sliceIds[1]).map((r) => [r.lookFirst, r.outcome]);
    expect(secondSlice).toEqual(at === 'before-broker' ? [[true, 'accepted']] : [[false, 'accepted'], [true, 'recovered']]);
    const events = audit(handle.workflowId);
    expect(['ATTEMPT_REJECTED', 'FALLBACK_STEP', 'SPLIT', 'REPLACING'].map((t) => countOf(events, t))).toEqual([1, 1, 1, 0]);
    expectCompleteAudit(result, events);
    for (const id of sliceIds) {
      const slice = await env.client.workflow.getHandle<typeof orderLifecycleWorkflow>(id).result();
      expect(slice).toMatchObject({ status: 'FILLED', link: { parentId: handle.workflowId, riskCovered: true } });
      expectCompleteAudit(slice, audit(id));
      await expectReplays(id);
    }
    await expectReplays(handle.workflowId);
  });

  test('when the worker dies while the order waits in manual review, then a new worker takes the operator\'s convert and re-places it once as MARKET, which fills', async () => {
    const broker = new TagBroker(firstRefused(RMS_BLOCK));
    let answered: OrderState | undefined;
    const { result, handle, audit } = await crashAndTakeOver(broker, {
      request: limitBuy(),
      dieWhen: waitingInReview,
      thenOnNewWorker: async (h) => {
        await until(h, (s) => !!s.intervention); // answered by the new worker, from the history
        answered = await h.executeUpdate(interventionUpdate, { args: [{ action: 'convert', by: 'ops' }] });
      },
    });
    const newTag = brokerTagFor(`${handle.workflowId}#1`);

    expect(answered).toMatchObject({ intervention: null, status: 'PENDING' });
    expect(result).toMatchObject({ status: 'FILLED', orderType: 'MARKET', filledQuantity: 90, tag: newTag, intervention: null });
    expect(broker.requests.map((r) => [r.tag, r.orderType, r.outcome])).toEqual([[brokerTagFor(handle.workflowId), 'LIMIT', 'refused'], [newTag, 'MARKET', 'accepted']]);
    expect(broker.accepted).toHaveLength(1);
    const events = audit(handle.workflowId);
    expect(events.filter((e) => e.type === 'INTERVENTION_RESOLVED').map((e) => e.payload)).toEqual([{ action: 'convert', by: 'ops' }]);
    expect(events.filter((e) => e.type === 'REPLACING').map((e) => e.payload)).toEqual([{ tag: newTag, orderType: 'MARKET' }]);
    expect(['ATTEMPT_REJECTED', 'FALLBACK_STEP', 'INTERVENTION_REQUIRED', 'ABANDONED'].map((t) => countOf(events, t))).toEqual([1, 1, 1, 0]);
    expectCompleteAudit(result, events);
    await expectReplays(handle.workflowId);
  });
});
