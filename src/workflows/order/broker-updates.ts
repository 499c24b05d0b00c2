import type { PendingSave } from '../../activities/record-outcome';
import { refusedBeforeFill } from '../../domain/order-snapshot';
import { once } from './activities';
import { brokerCall, withRetry } from './broker-calls';
import { failureMessage, isAbandoned, isTransient } from './failures';
import { fallBack } from './fallback-ladder';
import type { OrderRun } from './order-run';

/**
 * Reads the broker's view of the order and feeds it to the state machine. An unreachable broker is recorded and
 * asked again at the next poll; a rejection before anything filled may be taken up by the fallback ladder.
 */
export async function sync(run: OrderRun, source: 'broker-poll' | 'broker-postback' | 'broker-websocket' | 'broker-book'): Promise<void> {
  const brokerOrderId = run.state.brokerOrderId;
  if (!brokerOrderId) return;
  const hintBefore = run.brokerHint; // a read answers every hint that came in before it was sent
  let fetched;
  let record!: PendingSave; // the read that answers saves what its snapshot does to the order
  try {
    fetched = await brokerCall(run, 'reading the order', () => withRetry(run, 'history', () => once.fetchBrokerOrder({ brokerOrderId, strategyId: run.state.request.strategyId, record: { ...(record = run.pendingSave()), source } })));
  } catch (err) {
    if (!isTransient(err)) throw err;
    run.apply({ type: 'BROKER_UNREACHABLE', operation: 'history', error: failureMessage(err), at: run.now() });
    return; // no news this time; the polling loop asks again
  }
  if (isAbandoned(fetched)) return;
  const { recorded, ...snapshot } = fetched;
  // Refused before it ever worked (an RMS rejection): the fallback ladder may re-place it instead of ending it.
  if (refusedBeforeFill(run.state.status, snapshot) && (await fallBack(run, null, snapshot.statusMessage ?? 'rejected by the broker'))) return;
  run.applyRecorded((at) => ({ type: 'BROKER_SNAPSHOT', snapshot, source, at }), record, recorded);
  if (run.brokerHint === hintBefore) run.brokerHint = null;
  else run.dropStaleHint(snapshot.status, snapshot.filledQuantity);
}
