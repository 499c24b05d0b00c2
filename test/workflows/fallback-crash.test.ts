import { temporal } from '@temporalio/proto';
import { DEFAULT_FALLBACK, mergeFallback } from '../../src/domain/fallback';
import { brokerTagFor } from '../../src/domain/hash';
import type { AuditEvent, OrderAnswer, OrderState } from '../../src/domain/order-state';
import type { OrderRequest } from '../../src/domain/order-types';
import { orderLifecycleWorkflow } from '../../src/workflows';
import { interventionUpdate } from '../../src/workflows/order-messages';
import { pollUntil } from '../support/poll';
import { expectReplays as replaysAgainstBundle } from '../support/replay';
import { useWorkflowTestServer } from '../support/workflow-suite';
import { storedEvents, type SavedProgress } from './crash-broker';
import { crashAndTakeOver as takeOver, eventsOfType, expectCompleteAudit, waitForOrder, type OrderHandle as Handle } from './order-harness';
import { limitBuy } from './order-stubs';
import { TagBroker, tagBrokerActivities, type PlaceHold, type Refusal } from './tag-broker';

/**
 * A worker shut down in the middle of a fallback step (a re-placement under a new tag, a split's slice placement, a
 * manual review), and a fresh worker on the same task queue taking the order over from its history.
 */
const suite = useWorkflowTestServer();
// A crash and a takeover can take two bounded minute-long waits on a loaded machine (order-harness.ts).
jest.setTimeout(180_000);

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

/** Starts the order on a worker that is shut down once `dieWhen` resolves; a new worker (same broker and store) ends it. */
async function crashAndTakeOver(broker: TagBroker, s: Scenario): Promise<Takeover> {
  const saves: SavedProgress[] = [];
  const first = tagBrokerActivities(broker, saves, { hold: s.hold, freezeLimit: s.freezeLimit });
  const { result, handle } = await takeOver(suite, {
    name: 'fallback-crash', request: s.request, config: { fallback: mergeFallback(DEFAULT_FALLBACK) }, first: first.activities,
    dieWhen: (h) => s.dieWhen(h, first.held), dieWhat: 'the first worker never got to where it should die',
    second: () => tagBrokerActivities(broker, saves, { freezeLimit: s.freezeLimit }).activities,
    thenOnNewWorker: s.thenOnNewWorker,
  });
  return { result, handle, audit: (id) => storedEvents(saves.filter((x) => x.state.orderId === id)) };
}

/** The whole history of `workflowId`, run again by fresh workflow code: a determinism error fails the test. */
const expectReplays = (workflowId: string) => replaysAgainstBundle(suite.workflowBundle, suite.env.client.workflow.getHandle(workflowId));

/**
 * Idle in manual review: the review's timer is started after the last activity (the review's save) was scheduled,
 * and no workflow task is open, so nothing is in flight when the worker dies.
 */
async function waitingInReview(handle: Handle): Promise<void> {
  const { EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: ACTIVITY, EVENT_TYPE_TIMER_STARTED: TIMER, EVENT_TYPE_WORKFLOW_TASK_COMPLETED: TASK_DONE } = temporal.api.enums.v1.EventType;
  await waitForOrder(handle, (s) => s.intervention?.reason === 'MANUAL_REVIEW');
  const settled = (types: (number | null | undefined)[]) => {
    const last = types.at(-1);
    return types.lastIndexOf(TIMER) > types.lastIndexOf(ACTIVITY) && (last === TIMER || last === TASK_DONE);
  };
  await pollUntil(async () => ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType), settled, { what: 'the order never settled into its manual review' });
}

const countOf = (events: AuditEvent[], type: string) => eventsOfType(events, type).length;
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
      const slice = await suite.env.client.workflow.getHandle<typeof orderLifecycleWorkflow>(id).result();
      expect(slice).toMatchObject({ status: 'FILLED', link: { parentId: handle.workflowId, riskCovered: true } });
      expectCompleteAudit(slice, audit(id));
      await expectReplays(id);
    }
    await expectReplays(handle.workflowId);
  });

  test('when the worker dies while the order waits in manual review, then a new worker takes the operator\'s convert and re-places it once as MARKET, which fills', async () => {
    const broker = new TagBroker(firstRefused(RMS_BLOCK));
    let answered: OrderAnswer | undefined;
    const { result, handle, audit } = await crashAndTakeOver(broker, {
      request: limitBuy(),
      dieWhen: waitingInReview,
      thenOnNewWorker: async (h) => {
        await waitForOrder(h, (s) => !!s.intervention); // answered by the new worker, from the history
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
