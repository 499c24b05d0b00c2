import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { OrderState } from '../../src/domain/order-state';
import type { OrderRequest } from '../../src/domain/order-types';
import type { OrderWorkflowConfig } from '../../src/workflows/order-config';
import { admissionUpdate, brokerUpdateSignal, cancelOrderUpdate, interventionUpdate, modifyOrderUpdate, orderStateQuery } from '../../src/workflows/order-messages';
import { pollUntil } from '../support/poll';
import { replayAndRecord } from '../support/replay';
import { useWorkflowTestServer } from '../support/workflow-suite';
import { waitForOrder, withOrderWorkflow, type OrderHandle } from './order-harness';
import { limitBuy, snapshot, stubActivities, trade, type StubOptions } from './order-stubs';

const suite = useWorkflowTestServer();

type Handle = OrderHandle;

/** Starts one order on a fresh task queue with stubbed activities and runs `body` while a worker serves it. */
function withOrder<T>(
  stubOptions: StubOptions,
  body: (handle: Handle, stubs: ReturnType<typeof stubActivities>) => Promise<T>,
  request: OrderRequest = limitBuy(),
  config: Partial<OrderWorkflowConfig> = {},
): Promise<T> {
  const stubs = stubActivities(stubOptions);
  return withOrderWorkflow(suite, stubs.activities, request, config, (handle) => body(handle, stubs));
}

const waitForStatus = (handle: Handle, wanted: (s: OrderState) => boolean) => waitForOrder(handle, wanted, { attempts: 200 });

async function updateFailure(run: () => Promise<unknown>): Promise<ApplicationFailure> {
  const err = await run().then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('order lifecycle workflow', () => {
  test('an order that fails validation ends REJECTED without reaching the broker, and its VALIDATED audit is saved', async () => {
    await withOrder({}, async (handle, stubs) => {
      const result = await handle.result();

      expect(result.status).toBe('REJECTED');
      expect(result.validation?.failure?.code).toBe('QUANTITY_NOT_LOT_MULTIPLE');
      expect(stubs.calls.submitOrderToBroker).toBe(0);
      const validated = stubs.events().find((e) => e.type === 'VALIDATED');
      expect(validated?.payload).toMatchObject({ passed: false });
      expect(stubs.events().some((e) => e.type === 'STATUS_CHANGED' && e.toStatus === 'REJECTED')).toBe(true);
    }, limitBuy({ quantity: 45 }));
  });

  test('an order the risk gate refuses ends REJECTED with the failed check, and the broker is never asked', async () => {
    const refused = (basic: import('../../src/domain/order-validation').ValidationReport) => {
      const failure = { check: 'max_quantity', category: 'size', status: 'failed' as const, passed: false, code: 'MAX_QUANTITY_EXCEEDED', message: '3 lots is above the maximum of 2 lots', values: { lots: 3 }, limit: 2 };
      return { ...basic, passed: false, checks: [...basic.checks, failure], failure, flags: [], configVersion: 'v-test' };
    };
    await withOrder({ risk: refused }, async (handle, stubs) => {
      const result = await handle.result();
      expect(result.status).toBe('REJECTED');
      expect(result.validation?.failure).toMatchObject({ check: 'max_quantity', code: 'MAX_QUANTITY_EXCEEDED' });
      expect(result.statusMessage).toBe('3 lots is above the maximum of 2 lots');
      expect(stubs.calls.assessOrderRisk).toBe(1);
      expect(stubs.calls.submitOrderToBroker).toBe(0);
      expect(stubs.events().find((e) => e.type === 'VALIDATED')?.payload).toMatchObject({ passed: false, configVersion: 'v-test' });
    });
  });

  test('when the risk gate cannot run at all, then the order fails closed: REJECTED with RISK_ENGINE_UNAVAILABLE, nothing placed', async () => {
    const broken = () => { throw ApplicationFailure.create({ nonRetryable: true, message: 'database unreachable' }); };
    await withOrder({ risk: broken }, async (handle, stubs) => {
      const result = await handle.result();
      expect(result.status).toBe('REJECTED');
      expect(result.validation?.failure).toMatchObject({ check: 'risk_engine', code: 'RISK_ENGINE_UNAVAILABLE' });
      expect(result.validation?.failure?.message).toContain('database unreachable');
      expect(stubs.calls.submitOrderToBroker).toBe(0);
    });
  });

  test('a modify the risk gate refuses is answered RISK_REJECTED with the failed check, and the broker is never asked to modify', async () => {
    const refuse = (basic: import('../../src/domain/order-validation').ValidationReport, s: OrderState) => {
      const failure = { check: 'max_quantity', category: 'size', status: 'failed' as const, passed: false, code: 'MAX_QUANTITY_EXCEEDED', message: `${s.request.quantity / 30} lots is above the maximum of 3 lots` };
      return { ...basic, passed: false, checks: [...basic.checks, failure], failure, flags: [] };
    };
    await withOrder({ modifyRisk: refuse, snapshots: [snapshot()] }, async (handle, stubs) => {
      await waitForStatus(handle, (s) => s.status === 'OPEN');
      const failure = await updateFailure(() => handle.executeUpdate(modifyOrderUpdate, { args: [{ quantity: 120 }] }));
      expect(failure.type).toBe('RISK_REJECTED');
      expect(failure.message).toBe('max_quantity: 4 lots is above the maximum of 3 lots');
      expect(stubs.calls.assessModificationRisk).toBe(1);
      expect(stubs.calls.modifyBrokerOrder).toBe(0);
      expect(stubs.events().find((e) => e.type === 'MODIFY_RISK_CHECKED')?.payload).toMatchObject({ passed: false });
      expect((await handle.query(orderStateQuery)).quantity).toBe(90);
    });
  });

  test('when the broker session expires while the order works, then it pauses for an operator and goes on after a resume', async () => {
    let expired = true;
    const stubs = { snapshots: [snapshot(), snapshot({ status: 'COMPLETE', filledQuantity: 90, pendingQuantity: 0, averagePricePaise: 10_000, trades: [{ tradeId: 'T1', quantity: 90, pricePaise: 10_000, executedAt: '2026-11-24T04:00:01.000Z' }] })] };
    const fetchGate: StubOptions = { ...stubs, fetchFails: () => (expired ? ApplicationFailure.create({ type: 'TOKEN_EXPIRED', nonRetryable: true, message: 'broker session expired (TokenException)' }) : null) };
    await withOrder(fetchGate, async (handle) => {
      const paused = await waitForStatus(handle, (s) => s.intervention?.reason === 'TOKEN_EXPIRED');
      expect(paused.status).toBe('SUBMITTED');
      expect(paused.intervention?.actions).toEqual(['resume', 'abandon']);
      const refused = await updateFailure(() => handle.executeUpdate(interventionUpdate, { args: [{ action: 'retry' as never }] }));
      expect(refused.type).toBe('NO_INTERVENTION_PENDING');
      expired = false;
      const resumed = await handle.executeUpdate(interventionUpdate, { args: [{ action: 'resume', by: 'ops' }] });
      expect(resumed.intervention).toBeNull();
      const result = await handle.result();
      expect(result.status).toBe('FILLED');
      expect(result.history.map((h) => h.status)).toEqual(['RECEIVED', 'PENDING', 'SUBMITTED', 'OPEN', 'FILLED']);
    });
  });

  test('when the session expires before placing and the operator abandons, then the order ends CANCELLED and is never placed', async () => {
    const expired: StubOptions = { submit: () => { throw ApplicationFailure.create({ type: 'TOKEN_EXPIRED', nonRetryable: true, message: 'broker session expired (TokenException)' }); } };
    await withOrder(expired, async (handle, stubs) => {
      await waitForStatus(handle, (s) => s.intervention?.reason === 'TOKEN_EXPIRED');
      await handle.executeUpdate(interventionUpdate, { args: [{ action: 'abandon', note: 'no login today' }] });
      const result = await handle.result();
      expect(result.status).toBe('CANCELLED');
      expect(result.statusMessage).toContain('abandoned by an operator before it reached the broker');
      expect(stubs.placements).toEqual([]);
      expect(stubs.events().map((e) => e.type)).toEqual(expect.arrayContaining(['INTERVENTION_REQUIRED', 'INTERVENTION_RESOLVED']));
    });
  });

  test.each([
    { strategy: 'exponential' as const, delays: [1000, 2000] },
    { strategy: 'linear' as const, delays: [1000, 2000] },
    { strategy: 'fixed' as const, delays: [1000, 1000] },
    { strategy: 'immediate' as const, delays: [0, 0] },
  ])('when placing fails transiently twice under the $strategy strategy, then the waits are $delays ms, retries look up the tag first, and one order is placed', async ({ strategy, delays }) => {
    const submit = (call: number) => { if (call <= 2) throw ApplicationFailure.retryable(`gateway timeout #${call}`, 'NetworkException'); return 'B-1'; };
    const retry = { place: { strategy, attempts: 4, baseDelayMs: 1000, maxDelayMs: 10_000, multiplier: 2 } };
    const stubs = stubActivities({ submit });
    const result = await withOrderWorkflow(suite, stubs.activities, limitBuy(), { retry }, (handle) => handle.result());
    expect(result.status).toBe('FILLED');
    expect(stubs.placements).toEqual(['B-1']);
    expect(stubs.placeArgs.map((a) => a.lookFirst)).toEqual([false, true, true]);
    const retries = stubs.events().filter((e) => e.type === 'RETRY_SCHEDULED');
    expect(retries.map((e) => [e.payload.operation, e.payload.attempt, e.payload.delayMs])).toEqual([['place', 1, delays[0]], ['place', 2, delays[1]]]);
  });

  test('when placing meets a 429 and then a 500, then each wait follows its error class\'s strategy (rate limit fixed 3 s, server exponential from 500 ms), not the operation\'s', async () => {
    const submit = (call: number) => {
      if (call === 1) throw ApplicationFailure.retryable('Too many requests', 'NetworkException');
      if (call === 2) throw ApplicationFailure.retryable('Internal server error', 'GeneralException');
      return 'B-1';
    };
    const retry = { place: { strategy: 'exponential' as const, attempts: 4, baseDelayMs: 1000, maxDelayMs: 10_000, multiplier: 2 } };
    const retryByError = {
      rateLimit: { strategy: 'fixed' as const, attempts: 6, baseDelayMs: 3000, maxDelayMs: 3000, multiplier: 1 },
      server: { strategy: 'exponential' as const, attempts: 6, baseDelayMs: 500, maxDelayMs: 5000, multiplier: 3 },
    };
    const stubs = stubActivities({ submit });
    const result = await withOrderWorkflow(suite, stubs.activities, limitBuy(), { retry, retryByError }, (handle) => handle.result());
    expect(result.status).toBe('FILLED');
    expect(stubs.placements).toEqual(['B-1']);
    const retries = stubs.events().filter((e) => e.type === 'RETRY_SCHEDULED');
    expect(retries.map((e) => [e.payload.attempt, e.payload.delayMs])).toEqual([[1, 3000], [2, 1500]]);
  });

  test('when placing keeps failing past its attempts, then the workflow asks the broker by tag and adopts the order it finds', async () => {
    const submit = () => { throw ApplicationFailure.retryable('HTTP 503', 'NetworkException'); };
    const stubs = stubActivities({ submit, foundByTag: { brokerOrderId: 'B-9', status: 'OPEN' } });
    const retry = { place: { strategy: 'fixed' as const, attempts: 3, baseDelayMs: 500, maxDelayMs: 500, multiplier: 1 } };
    const result = await withOrderWorkflow(suite, stubs.activities, limitBuy(), { retry }, (handle) => handle.result());
    expect(stubs.calls.submitOrderToBroker).toBe(3);
    expect(result.brokerOrderId).toBe('B-9');
    expect(result.history.find((h) => h.status === 'SUBMITTED')).toBeDefined();
  });

  test('when a chased LIMIT buy does not fill, then each rung re-prices it towards the market up to its cap, and the last converts it to MARKET', async () => {
    const request = limitBuy({ execution: { chase: { stepAfterMs: 1000, steps: 2, maxMoveBps: 500, thenMarket: true } } });
    await withOrder({ snapshots: [snapshot()], brokerFollowsModifies: true, lastPrice: 11_000 }, async (handle, stubs) => {
      const result = await handle.result();
      expect(result.status).toBe('FILLED');
      expect(stubs.modifies).toEqual([{ pricePaise: 10_250 }, { pricePaise: 10_500 }, { orderType: 'MARKET' }]);
      const rungs = stubs.events().filter((e) => e.type === 'LADDER_STEP').map((e) => [e.payload.kind, e.payload.pricePaise]);
      expect(rungs).toEqual([['reprice', 10_250], ['reprice', 10_500], ['market', undefined]]);
      expect(stubs.calls.assessModificationRisk).toBe(3);
    }, request);
  });

  test('when the risk gate refuses a rung, then the ladder stops there and the order keeps its last accepted price', async () => {
    const request = limitBuy({ execution: { chase: { stepAfterMs: 1000, steps: 2, maxMoveBps: 500, thenMarket: true } } });
    const refuseSecond = (basic: import('../../src/domain/order-validation').ValidationReport, s: OrderState) => {
      if ((s.request.pricePaise ?? 0) < 10_500) return { ...basic, flags: [] };
      const failure = { check: 'price_band', category: 'price', status: 'failed' as const, passed: false, code: 'PRICE_OUTSIDE_BAND', message: 'price 105.00 is outside the band' };
      return { ...basic, passed: false, checks: [...basic.checks, failure], failure, flags: [] };
    };
    await withOrder({ snapshots: [snapshot()], brokerFollowsModifies: true, lastPrice: 11_000, modifyRisk: refuseSecond }, async (handle, stubs) => {
      await waitForStatus(handle, () => stubs.events().some((e) => e.type === 'LADDER_STOPPED'));
      expect(stubs.modifies).toEqual([{ pricePaise: 10_250 }]);
      expect(stubs.events().find((e) => e.type === 'LADDER_STOPPED')?.payload.reason).toContain('price_band');
      expect((await handle.query(orderStateQuery)).pricePaise).toBe(10_250);
    }, request);
  });

  test('when a partly filled order has a time completion policy, then after its delay the remainder is cancelled once and the fill is kept', async () => {
    const request = limitBuy({ execution: { completion: { policy: 'time', afterMs: 5000, action: 'cancel' } } });
    const partly = snapshot({ filledQuantity: 30, pendingQuantity: 60, averagePricePaise: 10_000, trades: [{ tradeId: 'T1', quantity: 30, pricePaise: 10_000, executedAt: '2026-11-24T04:00:01.000Z' }] });
    const afterCancel = { ...partly, status: 'CANCELLED', pendingQuantity: 0, cancelledQuantity: 60 };
    await withOrder({ snapshots: [snapshot(), partly], afterCancel }, async (handle, stubs) => {
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'CANCELLED', filledQuantity: 30 });
      expect(stubs.calls.cancelBrokerOrder).toBe(1);
      const triggered = stubs.events().filter((e) => e.type === 'COMPLETION_TRIGGERED');
      expect(triggered.map((e) => e.payload)).toEqual([{ policy: 'time', action: 'cancel', remaining: 60 }]);
      const partlyAt = Date.parse(result.history.find((h) => h.status === 'PARTIALLY_FILLED')!.at);
      const cancelAt = Date.parse(result.history.find((h) => h.status === 'CANCELLED')!.at);
      expect(cancelAt - partlyAt).toBeGreaterThanOrEqual(5000);
    }, request);
  });

  test.each([
    { action: 'market' as const, changes: { orderType: 'MARKET' } },
    { action: 'reprice' as const, changes: { pricePaise: 10_350 } },
  ])('when a partly filled order has an immediate completion policy ($action), then the remainder is re-placed at once on the same broker order, never as a second one', async ({ action, changes }) => {
    const request = limitBuy({ execution: { completion: { policy: 'immediate', action } } });
    const partly = snapshot({ filledQuantity: 30, pendingQuantity: 60, averagePricePaise: 10_000, trades: [{ tradeId: 'T1', quantity: 30, pricePaise: 10_000, executedAt: '2026-11-24T04:00:01.000Z' }] });
    const done = snapshot({ status: 'COMPLETE', filledQuantity: 90, pendingQuantity: 0, averagePricePaise: 10_100, trades: [partly.trades[0], { tradeId: 'T2', quantity: 60, pricePaise: 10_150, executedAt: '2026-11-24T04:00:02.000Z' }] });
    await withOrder({ snapshots: [snapshot(), partly, partly, done], lastPrice: 10_350 }, async (handle, stubs) => {
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'FILLED', filledQuantity: 90 });
      expect(stubs.modifies).toEqual([changes]);
      expect(stubs.calls.submitOrderToBroker).toBe(1);
      expect(stubs.events().filter((e) => e.type === 'COMPLETION_TRIGGERED').map((e) => e.payload)).toEqual([{ policy: 'immediate', action, remaining: 60 }]);
    }, request);
  });

  test.each([
    { title: 'cancel-remaining cancels it at once', completion: { policy: 'cancel-remaining' as const, action: 'cancel' as const }, lastPrice: 10_000 },
    { title: 'a price policy cancels it once the market has moved more than 1% from the first fill (LTP 103.50)', completion: { policy: 'price' as const, moveBps: 100, action: 'cancel' as const }, lastPrice: 10_350 },
  ])('when a partly filled order meets its completion policy: $title, keeping the fill', async ({ completion, lastPrice }) => {
    const request = limitBuy({ execution: { completion } });
    const partly = snapshot({ filledQuantity: 30, pendingQuantity: 60, averagePricePaise: 10_000, trades: [{ tradeId: 'T1', quantity: 30, pricePaise: 10_000, executedAt: '2026-11-24T04:00:01.000Z' }] });
    const afterCancel = { ...partly, status: 'CANCELLED', pendingQuantity: 0, cancelledQuantity: 60 };
    await withOrder({ snapshots: [snapshot(), partly], afterCancel, lastPrice }, async (handle, stubs) => {
      expect(await handle.result()).toMatchObject({ status: 'CANCELLED', filledQuantity: 30 });
      expect(stubs.calls.cancelBrokerOrder).toBe(1);
      expect(stubs.events().filter((e) => e.type === 'COMPLETION_TRIGGERED').map((e) => e.payload)).toEqual([{ policy: completion.policy, action: 'cancel', remaining: 60 }]);
    }, request);
  });

  test('when the order gives no completion policy but its strategy\'s configuration does (cancel-remaining), then a partial fill cancels the remainder', async () => {
    const partly = snapshot({ filledQuantity: 30, pendingQuantity: 60, averagePricePaise: 10_000, trades: [{ tradeId: 'T1', quantity: 30, pricePaise: 10_000, executedAt: '2026-11-24T04:00:01.000Z' }] });
    const afterCancel = { ...partly, status: 'CANCELLED', pendingQuantity: 0, cancelledQuantity: 60 };
    await withOrder({ snapshots: [snapshot(), partly], afterCancel }, async (handle, stubs) => {
      expect(await handle.result()).toMatchObject({ status: 'CANCELLED', filledQuantity: 30 });
      expect(stubs.events().filter((e) => e.type === 'COMPLETION_TRIGGERED').map((e) => e.payload)).toEqual([{ policy: 'cancel-remaining', action: 'cancel', remaining: 60 }]);
    }, limitBuy(), { completion: { policy: 'cancel-remaining', action: 'cancel' } });
  });

  test('when a price policy sees the market within its band, then the remainder keeps working untouched', async () => {
    const request = limitBuy({ execution: { completion: { policy: 'price', moveBps: 500, action: 'market' } } });
    const partly = snapshot({ filledQuantity: 30, pendingQuantity: 60, averagePricePaise: 10_000, trades: [{ tradeId: 'T1', quantity: 30, pricePaise: 10_000, executedAt: '2026-11-24T04:00:01.000Z' }] });
    await withOrder({ snapshots: [snapshot(), partly], lastPrice: 10_350 }, async (handle, stubs) => {
      await waitForStatus(handle, (s) => s.status === 'PARTIALLY_FILLED');
      await suite.env.sleep(8_000); // several polls, each re-checking the policy against the LTP
      expect((await handle.query(orderStateQuery)).status).toBe('PARTIALLY_FILLED');
      expect(stubs.modifies).toEqual([]);
      expect(stubs.calls.cancelBrokerOrder).toBe(0);
    }, request);
  });

  test('an order that fails basic validation never reaches the risk gate', async () => {
    await withOrder({}, async (handle, stubs) => {
      await handle.result();
      expect(stubs.calls.assessOrderRisk).toBe(0);
    }, limitBuy({ quantity: 45 }));
  });

  test('a submitted order follows the broker through OPEN and a partial fill to FILLED by polling alone, with no signal', async () => {
    await withOrder({}, async (handle, stubs) => {
      const result = await handle.result();
      await replayAndRecord(suite.workflowBundle, handle, 'order-filled');

      expect(result.status).toBe('FILLED');
      expect(result.filledQuantity).toBe(90);
      expect(result.fills.map((f) => [f.tradeId, f.quantity])).toEqual([['T1', 30], ['T2', 60]]);
      expect(result.averagePrice).not.toBeNull();
      expect(result.history.map((h) => h.status)).toEqual(['RECEIVED', 'PENDING', 'SUBMITTED', 'OPEN', 'PARTIALLY_FILLED', 'FILLED']);
      expect(result.history.slice(3).every((h) => h.source === 'broker-poll')).toBe(true);
      expect(stubs.calls.fetchBrokerOrder).toBe(3);
      expect(stubs.placements).toEqual(['B-1']);
      // Everything the workflow learned was handed to the store, in sequence and without gaps.
      const sequences = stubs.events().map((e) => e.sequence);
      expect(sequences).toEqual(Array.from({ length: result.eventSequence }, (_, i) => i + 1));
      expect(stubs.saves.at(-1)?.state.status).toBe('FILLED');
    });
  });

  test('a placement that fails with a retryable error twice is retried and places the order exactly once', async () => {
    const submit = (call: number) => {
      if (call <= 2) throw new Error(`gateway timeout #${call}`);
      return 'B-1';
    };
    await withOrder({ submit }, async (handle, stubs) => {
      const result = await handle.result();

      expect(result.status).toBe('FILLED');
      expect(stubs.calls.submitOrderToBroker).toBe(3);
      expect(stubs.placements).toEqual(['B-1']);
      expect(stubs.calls.findBrokerOrderByTag).toBe(0);
      expect(stubs.events().filter((e) => e.toStatus === 'SUBMITTED')).toHaveLength(1);
      expect(result.brokerOrderId).toBe('B-1');
    });
  });

  test('a broker rejection of the placement is not retried and ends the order REJECTED with the broker message', async () => {
    const submit = (): string => {
      throw ApplicationFailure.create({ type: 'BROKER_REJECTED', nonRetryable: true, message: 'Insufficient funds', details: ['MarginException'] });
    };
    await withOrder({ submit }, async (handle, stubs) => {
      const result = await handle.result();

      expect(result.status).toBe('REJECTED');
      expect(result.statusMessage).toBe('Insufficient funds');
      expect(result.brokerOrderId).toBeNull();
      expect(stubs.calls.submitOrderToBroker).toBe(1);
      expect(stubs.calls.fetchBrokerOrder).toBe(0);
      const rejected = stubs.events().find((e) => e.toStatus === 'REJECTED');
      expect(rejected?.payload).toMatchObject({ code: 'MarginException', message: 'Insufficient funds' });
    });
  });

  test('cancelling an OPEN order asks the broker to cancel and answers once the broker shows it CANCELLED', async () => {
    const afterCancel = snapshot({ status: 'CANCELLED', pendingQuantity: 0, cancelledQuantity: 90 });
    await withOrder({ snapshots: [snapshot()], afterCancel }, async (handle, stubs) => {
      await waitForStatus(handle, (s) => s.status === 'OPEN');

      const answer = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'test' }] });

      expect(answer.status).toBe('CANCELLED');
      expect(answer.cancelRequested).toBe(true);
      expect(stubs.calls.cancelBrokerOrder).toBe(1);
      expect(stubs.events().some((e) => e.type === 'CANCEL_REQUESTED')).toBe(true);
      expect((await handle.result()).status).toBe('CANCELLED');
    });
  });

  test('when an OPEN order is modified and then cancelled, then the broker shows the new price, the modify passed the risk gate, and the order ends CANCELLED', async () => {
    const afterCancel = snapshot({ status: 'CANCELLED', pendingQuantity: 0, cancelledQuantity: 90 });
    await withOrder({ snapshots: [snapshot()], brokerFollowsModifies: true, afterCancel }, async (handle, stubs) => {
      await waitForStatus(handle, (s) => s.status === 'OPEN');

      const modified = await handle.executeUpdate(modifyOrderUpdate, { args: [{ pricePaise: 10_100 }] });
      expect(modified).toMatchObject({ status: 'OPEN', price: '101.00' }); // the compact answer, in rupees as the API takes them
      expect(modified).not.toHaveProperty('history'); // not the whole state: the query has that
      const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'test' }] });
      expect(cancelled.status).toBe('CANCELLED');
      await handle.result();
      await replayAndRecord(suite.workflowBundle, handle, 'order-modify-cancel');

      expect(stubs.calls.modifyBrokerOrder).toBe(1);
      expect(stubs.calls.cancelBrokerOrder).toBe(1);
      expect(stubs.placements).toEqual(['B-1']);
      expect(stubs.events().map((e) => e.type)).toEqual(expect.arrayContaining(['MODIFY_REQUESTED', 'MODIFY_RISK_CHECKED', 'CANCEL_REQUESTED']));
    });
  });

  test('the risk gate, a placement and a read save the order with their outcome, so a filled order needs no save activity of its own', async () => {
    await withOrder({}, async (handle, stubs) => {
      const result = await handle.result();

      expect(result.status).toBe('FILLED');
      // The gate saved the admitted order (before the broker saw it); placing and each read saved what they did.
      expect(stubs.calls.saveOrderProgress).toBe(0);
      expect(stubs.saves[0].state).toMatchObject({ status: 'PENDING', brokerOrderId: null });
      const saved = stubs.events().map((e) => e.sequence);
      expect(new Set(saved).size).toBe(saved.length);
      expect(Math.max(...saved)).toBe(result.eventSequence);
      expect(stubs.saves.at(-1)?.state).toMatchObject({ status: 'FILLED', filledQuantity: 90, eventSequence: result.eventSequence });
    }, limitBuy({ quantity: 90 }));
  });

  test('when a broker hint arrives while a read is out, then the read\'s save stands (no save by the workflow) and the hint is recorded with the next save', async () => {
    let release!: () => void;
    const until = new Promise<void>((r) => { release = r; });
    let started!: () => void;
    const readStarted = new Promise<void>((r) => { started = r; });
    const filled = snapshot({ status: 'COMPLETE', filledQuantity: 90, pendingQuantity: 0, averagePricePaise: 10_000, trades: [trade('T-hint', 90, 10_000)] });
    await withOrder({ snapshots: [snapshot(), filled], holdFirstRead: { started, until } }, async (handle, stubs) => {
      await readStarted;
      await handle.signal(brokerUpdateSignal, { source: 'broker-postback', status: 'COMPLETE', filledQuantity: 90 });
      await signalHandled(handle); // the hint is in before the read answers
      const ownSaves = stubs.calls.saveOrderProgress;
      release();

      // The hint says more than the held read (OPEN, nothing filled): the order reads again and fills.
      const done = await waitForStatus(handle, (s) => s.status === 'FILLED');
      expect(stubs.calls.saveOrderProgress).toBe(ownSaves); // every save was made by the reads themselves
      const last = new Map(stubs.events().map((e) => [e.sequence, e]));
      const opened = [...last.values()].find((e) => e.toStatus === 'OPEN');
      const hint = [...last.values()].find((e) => e.type === 'BROKER_SIGNAL');
      const fill = [...last.values()].find((e) => e.toStatus === 'FILLED');
      expect(hint).toMatchObject({ source: 'broker-postback', payload: { status: 'COMPLETE', filledQuantity: 90 } });
      // Sequence follows time: the read's OPEN (stamped when it was sent), the hint (when it came in), the fill.
      expect(opened!.sequence).toBeLessThan(hint!.sequence);
      expect(hint!.sequence).toBeLessThan(fill!.sequence);
      expect(Date.parse(hint!.occurredAt)).toBeGreaterThanOrEqual(Date.parse(opened!.occurredAt));
      expect(done.eventSequence).toBe(fill!.sequence);
    });
  });

  test('when a hint the read already covers arrives while it is out, then the order does not read again for it', async () => {
    let release!: () => void;
    const until = new Promise<void>((r) => { release = r; });
    let started!: () => void;
    const readStarted = new Promise<void>((r) => { started = r; });
    const filled = snapshot({ status: 'COMPLETE', filledQuantity: 90, pendingQuantity: 0, averagePricePaise: 10_000, trades: [trade('T-covered', 90, 10_000)] });
    await withOrder({ snapshots: [filled], holdFirstRead: { started, until } }, async (handle, stubs) => {
      await readStarted;
      await handle.signal(brokerUpdateSignal, { source: 'broker-book', status: 'COMPLETE', filledQuantity: 90 });
      await signalHandled(handle);
      release();
      await waitForStatus(handle, (s) => s.status === 'FILLED');
      expect(stubs.calls.fetchBrokerOrder).toBe(1);
      expect(stubs.calls.saveOrderProgress).toBe(0);
    });
  });

  test('a cancel of an order that has reached a final status is refused as ORDER_NOT_CHANGEABLE', async () => {
    let release!: () => void;
    const until = new Promise<void>((r) => { release = r; });
    // Hold the final save (the workflow's own: the read does not save it) so the workflow still runs with its order FILLED.
    await withOrder({ recordWithOutcome: false, holdSave: { when: (s) => s.status === 'FILLED', until } }, async (handle, stubs) => {
      try {
        await waitForStatus(handle, (s) => s.status === 'FILLED');

        const failure = await updateFailure(() => handle.executeUpdate(cancelOrderUpdate, { args: [{}] }));

        expect(failure.type).toBe('ORDER_NOT_CHANGEABLE');
        expect(failure.message).toMatch(/is FILLED/);
        expect(stubs.calls.cancelBrokerOrder).toBe(0);
      } finally {
        release();
      }
      expect((await handle.result()).status).toBe('FILLED');
    });
  });

  test('a cancel before the order is at the broker is refused as ORDER_NOT_CHANGEABLE', async () => {
    let release!: () => void;
    const until = new Promise<void>((r) => { release = r; });
    await withOrder({ submit: async () => { await until; return 'B-1'; }, snapshots: [snapshot()] }, async (handle) => {
      try {
        await waitForStatus(handle, (s) => s.status === 'PENDING');

        const failure = await updateFailure(() => handle.executeUpdate(cancelOrderUpdate, { args: [{}] }));

        expect(failure.type).toBe('ORDER_NOT_CHANGEABLE');
        expect(failure.message).toMatch(/not yet at the broker/);
      } finally {
        release();
      }
    });
  });

  test('admission answers for the same payload and refuses a different payload for the same order as IDEMPOTENCY_CONFLICT', async () => {
    await withOrder({ snapshots: [snapshot()] }, async (handle) => {
      const admitted = await handle.executeUpdate(admissionUpdate, { args: [{ payloadHash: 'h' }] });
      expect(admitted.accepted).toBe(true);
      expect(admitted.status).not.toBe('RECEIVED');

      const failure = await updateFailure(() => handle.executeUpdate(admissionUpdate, { args: [{ payloadHash: 'other' }] }));

      expect(failure.type).toBe('IDEMPOTENCY_CONFLICT');
      // The refused update leaves the order running.
      expect((await handle.describe()).status.name).toBe('RUNNING');
    });
  });
});

/** Waits until a workflow task has completed after the last signal: the workflow has handled it. */
async function signalHandled(handle: OrderHandle): Promise<void> {
  await pollUntil(async () => (await handle.fetchHistory()).events ?? [], (events) => {
    const signaled = events.map((e) => !!e.workflowExecutionSignaledEventAttributes).lastIndexOf(true);
    return signaled >= 0 && events.slice(signaled).some((e) => e.workflowTaskCompletedEventAttributes);
  }, { what: 'the workflow never handled the signal' });
}
