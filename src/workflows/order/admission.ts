import { validateOrder } from '../../domain/order-validation';
import { admissionBroker } from './activities';
import { brokerCall } from './broker-calls';
import { isAbandoned } from './failures';
import type { OrderRun } from './order-run';
import { admitThroughGate } from './risk';

/**
 * Validation and the risk gate, persisted. A refused order answers the POST from here; an admitted one answers once
 * its first placement has an outcome (placeOrSplit), in the same workflow task.
 */
export async function admit(run: OrderRun): Promise<void> {
  const { exchange, tradingsymbol } = run.state.request;
  const instrument = await brokerCall(run, 'looking up the instrument', () => admissionBroker.lookupInstrument({ exchange, tradingsymbol }));
  if (!isAbandoned(instrument)) {
    const basic = validateOrder(run.state.request, instrument);
    // A leg whose exposure its parent already reserved gets the basic checks only (see OrderLink.riskCovered).
    if (basic.passed && !run.state.link?.riskCovered) await admitThroughGate(run, { ...run.state, instrument }, basic);
    else run.apply({ type: 'VALIDATED', report: basic, instrument, at: run.now() });
  }
  await run.flush(); // saves what the gate did not
  if (run.state.status !== 'PENDING') run.markAdmitted();
}
