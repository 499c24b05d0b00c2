import type { AuditEvent, OrderState } from '../../src/domain/order-state';
import type { OrderRequest } from '../../src/domain/order-types';
import { expectReplays } from '../support/replay';
import { useWorkflowTestServer } from '../support/workflow-suite';
import { FakeBroker, storedEvents, workerActivities, type Hold, type SavedProgress } from './crash-broker';
import { crashAndTakeOver as takeOver, eventsOfType as ofType, expectCompleteAudit, type OrderHandle } from './order-harness';
import { limitBuy } from './order-stubs';

/**
 * A worker shut down in the middle of an execution-ladder step (a rung's modify, a completion's cancel or MARKET
 * conversion in flight), and a fresh worker on the same task queue taking the order over from its history.
 */
const suite = useWorkflowTestServer();
// A crash and a takeover can take two bounded minute-long waits on a loaded machine (order-harness.ts).
jest.setTimeout(180_000);

interface Takeover {
  result: OrderState;
  events: AuditEvent[];
  handle: OrderHandle;
}

/**
 * Starts the order on a worker whose `hold` call never answers; once the workflow is inside that call the worker is
 * shut down, and a new worker (same queue, same broker and store) runs the order to its end.
 */
async function crashAndTakeOver(broker: FakeBroker, request: OrderRequest, hold: Hold): Promise<Takeover> {
  const saves: SavedProgress[] = [];
  const first = workerActivities(broker, saves, hold);
  const { result, handle } = await takeOver(suite, {
    name: 'ladder-crash', request, first: first.activities,
    dieWhen: () => first.held, dieWhat: `the workflow never reached the held ${hold.activity} call #${hold.call}`,
    second: () => workerActivities(broker, saves).activities,
  });
  return { result, events: storedEvents(saves), handle };
}

const chased = () => limitBuy({ execution: { chase: { stepAfterMs: 1000, steps: 2, maxMoveBps: 500, thenMarket: true } } });
const completing = (action: 'cancel' | 'market') => limitBuy({ execution: { completion: { policy: 'time', afterMs: 1000, action } } });
/** 30 of 90 fill at the limit on the broker's second read: the order is seen OPEN, then PARTIALLY_FILLED. */
const partFillOnSecondRead = (broker: FakeBroker) => {
  broker.onFetch = (n, b) => { if (n === 2) b.fill(30, 10_000); };
};

describe('a worker shut down in the middle of a ladder step', () => {
  test('when the worker dies while rung 2\'s modify is on its way to the broker, then a new worker sends it once, the ladder ends at MARKET and the order fills', async () => {
    const broker = new FakeBroker(11_000);
    const { result, events, handle } = await crashAndTakeOver(broker, chased(), { activity: 'modifyBrokerOrder', call: 2, at: 'before-broker' });

    expect(result).toMatchObject({ status: 'FILLED', filledQuantity: 90, orderType: 'MARKET' });
    expect(broker.placed).toHaveLength(1);
    expect(broker.modifyRequests).toEqual([{ pricePaise: 10_250 }, { pricePaise: 10_500 }, { orderType: 'MARKET' }]);
    const rungs = ofType(events, 'LADDER_STEP').map((e) => [e.payload.step, e.payload.kind, e.payload.pricePaise]);
    expect(rungs).toEqual([[1, 'reprice', 10_250], [2, 'reprice', 10_500], [3, 'market', undefined]]);
    expect(ofType(events, 'MODIFY_REQUESTED')).toHaveLength(3);
    expect(ofType(events, 'LADDER_STOPPED')).toEqual([]);
    expect(result.history.map((h) => h.status)).toEqual(['RECEIVED', 'PENDING', 'SUBMITTED', 'OPEN', 'FILLED']);
    expectCompleteAudit(result, events);
    await expectReplays(suite.workflowBundle, handle);
  });

  test('when the worker dies after the broker applied rung 2\'s modify but before it was recorded, then the re-sent modify changes nothing: one order, the right price, each rung recorded once', async () => {
    const broker = new FakeBroker(11_000);
    const { result, events, handle } = await crashAndTakeOver(broker, chased(), { activity: 'modifyBrokerOrder', call: 2, at: 'after-broker' });

    expect(result).toMatchObject({ status: 'FILLED', filledQuantity: 90, orderType: 'MARKET' });
    expect(broker.placed).toHaveLength(1);
    // At-least-once: rung 2 may reach the broker twice, but it is an absolute price, so the second one is a no-op.
    const distinctInOrder = broker.modifyRequests.filter((m, i, all) => i === 0 || JSON.stringify(m) !== JSON.stringify(all[i - 1]));
    expect(distinctInOrder).toEqual([{ pricePaise: 10_250 }, { pricePaise: 10_500 }, { orderType: 'MARKET' }]);
    expect(broker.modifyRequests.filter((m) => m.pricePaise === 10_500).length).toBeLessThanOrEqual(2);
    expect(broker.order).toMatchObject({ orderType: 'MARKET', status: 'COMPLETE', filledQuantity: 90 });
    const rungs = ofType(events, 'LADDER_STEP').map((e) => e.payload.step);
    expect(rungs).toEqual([1, 2, 3]);
    expect(ofType(events, 'MODIFY_REQUESTED')).toHaveLength(3);
    expectCompleteAudit(result, events);
    await expectReplays(suite.workflowBundle, handle);
  });

  test('when the worker dies after the broker cancelled the remainder for a time completion policy, then the order ends CANCELLED with its fill kept and the completion recorded once', async () => {
    const broker = new FakeBroker(10_000);
    partFillOnSecondRead(broker);
    const { result, events, handle } = await crashAndTakeOver(broker, completing('cancel'), { activity: 'cancelBrokerOrder', call: 1, at: 'after-broker' });

    expect(result).toMatchObject({ status: 'CANCELLED', filledQuantity: 30 });
    expect(broker.placed).toHaveLength(1);
    expect(broker.order).toMatchObject({ status: 'CANCELLED', filledQuantity: 30, cancelledQuantity: 60 });
    expect(ofType(events, 'COMPLETION_TRIGGERED').map((e) => e.payload)).toEqual([{ policy: 'time', action: 'cancel', remaining: 60 }]);
    expect(ofType(events, 'CANCEL_REQUESTED')).toHaveLength(1);
    // The re-sent cancel is refused as "already cancelled": that is the first send's success, not a failure.
    expect(ofType(events, 'CANCEL_FAILED')).toHaveLength(0);
    expect(ofType(events, 'LADDER_STOPPED')).toHaveLength(0);
    expect(result.history.map((h) => h.status)).toEqual(['RECEIVED', 'PENDING', 'SUBMITTED', 'OPEN', 'PARTIALLY_FILLED', 'CANCELLED']);
    expectCompleteAudit(result, events);
    await expectReplays(suite.workflowBundle, handle);
  });

  test('when the worker dies while a time completion\'s conversion to MARKET is on its way to the broker, then the remainder fills at market once and the completion is recorded once', async () => {
    const broker = new FakeBroker(10_100);
    partFillOnSecondRead(broker);
    const { result, events, handle } = await crashAndTakeOver(broker, completing('market'), { activity: 'modifyBrokerOrder', call: 1, at: 'before-broker' });

    expect(result).toMatchObject({ status: 'FILLED', filledQuantity: 90, orderType: 'MARKET' });
    expect(broker.placed).toHaveLength(1);
    expect(broker.modifyRequests).toEqual([{ orderType: 'MARKET' }]);
    expect(result.fills.map((f) => [f.quantity, f.pricePaise])).toEqual([[30, 10_000], [60, 10_100]]);
    expect(ofType(events, 'COMPLETION_TRIGGERED').map((e) => e.payload)).toEqual([{ policy: 'time', action: 'market', remaining: 60 }]);
    expect(ofType(events, 'LADDER_STOPPED')).toEqual([]);
    expectCompleteAudit(result, events);
    await expectReplays(suite.workflowBundle, handle);
  });
});
