import { validateOrder } from '../../domain/order-validation';
import { broker } from './activities';
import { brokerCall } from './broker-calls';
import { isAbandoned } from './failures';
import type { OrderRun } from './order-run';
import { assessRisk } from './risk';

/** Validation and the risk gate, persisted: from here the POST that started the order gets its answer. */
export async function admit(run: OrderRun): Promise<void> {
  const { exchange, tradingsymbol } = run.state.request;
  const instrument = await brokerCall(run, 'looking up the instrument', () => broker.lookupInstrument({ exchange, tradingsymbol }));
  if (!isAbandoned(instrument)) {
    let report = validateOrder(run.state.request, instrument);
    // A leg whose exposure its parent already reserved gets the basic checks only (see OrderLink.riskCovered).
    if (report.passed && !run.state.link?.riskCovered) report = await assessRisk(run, { ...run.state, instrument }, report);
    run.apply({ type: 'VALIDATED', report, instrument, at: run.now() });
  }
  await run.flush();
  run.admitted = true;
}
