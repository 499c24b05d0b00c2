import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { brokerTagFor, payloadHash } from '../../src/domain/hash';
import { initialOrderState } from '../../src/domain/order-state';
import { OrderService, orderIdFor } from '../../src/services/order-service';
import { OrderStore } from '../../src/store/order-store';
import { limitBuy } from '../domain/fixtures';
import { useTestPrisma } from '../support/prisma';

let store: OrderStore;
useTestPrisma((p) => { store = new OrderStore(p); });

/** What the server answers when an update-with-start joined a running workflow that ended before the update ran. */
const race = () => Object.assign(new Error('9 FAILED_PRECONDITION: Update-with-Start could not be executed.'), {
  code: 9, details: 'Update-with-Start could not be executed.', metadata: {},
});

/** An OrderService over the real store and a Temporal client whose update-with-start answers `answers` in turn. */
function serviceAnswering(answers: (() => Error)[]) {
  let asks = 0;
  const client = {
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
    workflow: { executeUpdateWithStart: async () => { throw answers[Math.min(asks++, answers.length - 1)](); } },
  };
  return { service: new OrderService({ client: client as unknown as Client, store, taskQueue: 'q', apiSecret: 'secret' }), asks: () => asks };
}

/** A finished order of this request, as its workflow saved it. */
async function finished(clientOrderId: string) {
  const request = limitBuy({ clientOrderId });
  const orderId = orderIdFor(clientOrderId);
  const state = initialOrderState({ orderId, tag: brokerTagFor(orderId), payloadHash: payloadHash(request), request, at: '2026-11-24T05:00:00.000Z' });
  await store.saveProgress({ ...state, status: 'FILLED', filledQuantity: request.quantity }, []);
  return { request, orderId };
}

describe('a re-sent POST that meets its order\'s workflow ending (update-with-start race)', () => {
  it('is asked once more and answers the stored order instead of a 500', async () => {
    const { request, orderId } = await finished(`race-${process.pid}-${Date.now()}`);
    const { service, asks } = serviceAnswering([race, () => new WorkflowExecutionAlreadyStartedError('started', orderId, 'orderLifecycleWorkflow')]);

    const answer = await service.placeOrder(request);

    expect(asks()).toBe(2);
    expect(answer).toMatchObject({ created: false, order: { orderId, status: 'FILLED' } });
  });

  it('is not asked without end: a race that persists is answered 503 ADMISSION_TIMEOUT (re-send) after three asks', async () => {
    const { request } = await finished(`race-${process.pid}-${Date.now()}-b`);
    const { service, asks } = serviceAnswering([race]);

    await expect(service.placeOrder(request)).rejects.toMatchObject({ status: 503, code: 'ADMISSION_TIMEOUT', retryAfterSeconds: 1 });
    expect(asks()).toBe(3);
  });
});
