import type { PendingSave } from '../../activities/record-outcome';
import { sleep } from '@temporalio/workflow';
import { spoken } from '../timers';
import { admissionPlacing, finding, placingOnce } from './activities';
import { brokerCall, withRetry } from './broker-calls';
import { ABANDONED, brokerRefusal, failureMessage, isAbandoned, isTokenExpired } from './failures';
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

/**
 * The placement's outcome is still unknown when its retries are spent: the broker may hold the order. Only its order
 * book can say, so ask by the tag until the answer is final: found (adopted), or not found once no attempt can still
 * act at the broker (the send ticket's promise plus the settle window): then it was never placed, and the order fails.
 * While the broker cannot answer at all, the order waits for an operator — never FAILED while the broker may hold it.
 */
async function findAfterUnknownOutcome(run: OrderRun, error: string): Promise<void> {
  const { tag, orderId } = run.state;
  for (;;) {
    let found: Awaited<ReturnType<typeof finding.findBrokerOrderByTag>> | typeof ABANDONED;
    try {
      found = await brokerCall(run, 'finding the order by its tag', () => finding.findBrokerOrderByTag({ tag, orderId, strategyId: run.state.request.strategyId }));
    } catch (err) {
      await pauseFor(run, 'PLACEMENT_UNKNOWN', `the broker may hold this order (tag ${tag}) but does not answer: ${failureMessage(err)}. Resume to ask again once it is back.`, ['resume']);
      continue;
    }
    if (isAbandoned(found)) return;
    if (found && 'settlesInMs' in found) {
      run.apply({ type: 'PLACEMENT_IN_DOUBT', waitMs: found.settlesInMs, message: `not at the broker yet; an attempt may still act for ${found.settlesInMs} ms`, at: run.now() });
      run.publishStatus();
      await sleep(found.settlesInMs, { summary: `wait ${spoken(found.settlesInMs)} until no earlier attempt can still act, then ask the broker again` });
      continue;
    }
    if (found) run.apply({ type: 'SUBMITTED', brokerOrderId: found.brokerOrderId, recovered: true, at: run.now() });
    else run.apply({ type: 'SUBMIT_FAILED', message: `not placed: the broker holds no order tagged ${tag} after the settle window (last error: ${error})`, at: run.now() });
    return;
  }
}
