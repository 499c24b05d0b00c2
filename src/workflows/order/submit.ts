import type { PendingSave } from '../../activities/record-outcome';
import { admissionPlacing, broker, placingOnce } from './activities';
import { brokerCall, withRetry } from './broker-calls';
import { brokerRefusal, failureMessage, isAbandoned, isTokenExpired } from './failures';
import { fallBack, plannedSlices } from './fallback-ladder';
import { pauseFor } from './interventions';
import { splitInto } from './legs';
import type { OrderRun } from './order-run';

/** The first placement: as slices when the order is split above its freeze quantity, else as one order. */
export async function placeOrSplit(run: OrderRun): Promise<void> {
  const slices = plannedSlices(run);
  if (slices) {
    run.markAdmitted(); // a split order answers with its plan; each slice is placed by its own workflow
    await splitInto(run, slices);
  } else {
    await submit(run);
  }
  run.markAdmitted(); // the POST answers with the placement's outcome (the broker order id, a refusal, a pause)
  await run.flush();
}

/**
 * Places the order exactly once. A retry (after a timeout, a 5xx or an expired session) first asks the broker by the
 * order's tag whether an earlier attempt got there; a refusal goes to the fallback ladder or ends the order.
 */
export async function submit(run: OrderRun): Promise<void> {
  const s = run.state;
  let lookFirst = false;
  for (;;) {
    try {
      let record!: PendingSave; // the attempt that answers saves the order as SUBMITTED with its answer
      const r = await withRetry(run, 'place', (attempt) => {
        const again = lookFirst || attempt > 1;
        // The first attempt at admission runs in the admission's workflow task (local); every other one is regular.
        const placing = !run.admitted && !again ? admissionPlacing : placingOnce;
        return placing.submitOrderToBroker({ orderId: s.orderId, tag: s.tag, request: s.request, ...(again ? { lookFirst: true } : {}), record: (record = run.pendingSave()) });
      });
      run.applyRecorded((at) => ({ type: 'SUBMITTED', brokerOrderId: r.brokerOrderId, recovered: r.recovered, at }), record, r.recorded);
      return;
    } catch (err) {
      const refused = brokerRefusal(err);
      if (refused) {
        if (!(await fallBack(run, refused.code, refused.message))) run.apply({ type: 'SUBMIT_REJECTED', ...refused, at: run.now() });
        return;
      }
      if (!isTokenExpired(err)) return await findAfterUnknownOutcome(run, failureMessage(err));
      if ((await pauseFor(run, 'TOKEN_EXPIRED', `placing: ${failureMessage(err)}`)).action === 'abandon') return;
      lookFirst = true; // an earlier attempt may have reached the broker: after the pause, look before placing
    }
  }
}

/** The outcome is unknown: the broker may hold the order. Only its order book can say, so ask it until it answers. */
async function findAfterUnknownOutcome(run: OrderRun, error: string): Promise<void> {
  const found = await brokerCall(run, 'finding the order by its tag', () => broker.findBrokerOrderByTag({ tag: run.state.tag }));
  if (isAbandoned(found)) return;
  if (found) run.apply({ type: 'SUBMITTED', brokerOrderId: found.brokerOrderId, recovered: true, at: run.now() });
  else run.apply({ type: 'SUBMIT_FAILED', message: `broker unreachable while placing: ${error}`, at: run.now() });
}
