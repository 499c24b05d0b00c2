import { validateOrder } from '../../domain/order-validation';
import { admissionBroker } from './activities';
import { brokerCall } from './broker-calls';
import { isAbandoned } from './failures';
import type { OrderRun } from './order-run';
import { assessRisk } from './risk';

/**
 * Validation and the risk gate, persisted. A refused order answers the POST from here; an admitted one answers once
 * its first placement has an outcome (placeOrSplit), in the same workflow task.
 */
export async function admit(run: OrderRun): Promise<void> {
  const { exchange, tradingsymbol } = run.state.request;
  const instrument = await brokerCall(run, 'looking up the instrument', () => admissionBroker.lookupInstrument({ exchange, tradingsymbol }));
  if (!isAbandoned(instrument)) {
    let report = validateOrder(run.state.request, instrument);
    // A leg whose exposure its parent already reserved gets the basic checks only (see OrderLink.riskCovered).
    if (report.passed && !run.state.link?.riskCovered) report = await assessRisk(run, { ...run.state, instrument }, report);
    run.apply({ type: 'VALIDATED', report, instrument, at: run.now() });
  }
  await run.flush();
  if (run.state.status !== 'PENDING') run.admitted = true;
}
