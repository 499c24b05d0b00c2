import type { Admitted } from '../../activities/create-activities';
import type { Instrument } from '../../domain/order-types';
import { validateOrder } from '../../domain/order-validation';
import { gateUnavailable } from '../../domain/risk/gate-report';
import { admissionBroker, admissionGate } from './activities';
import { brokerCall } from './broker-calls';
import { failureMessage, isAbandoned } from './failures';
import type { OrderRun } from './order-run';
import { admitThroughGate } from './risk';

/**
 * Validation and the risk gate, persisted. A refused order answers the POST from here; an admitted one answers once
 * its first placement has an outcome (placeOrSplit), in the same workflow task.
 *
 * The common case is one local activity (admitOrder: the instrument, basic validation, the gate and its save). When
 * the broker could not say what the contract is, the instrument is looked up on its own (retried, and paused for an
 * operator on an expired session) and the gate runs after it.
 */
export async function admit(run: OrderRun): Promise<void> {
  // A leg whose exposure its parent already reserved gets the basic checks only (see OrderLink.riskCovered).
  const gate = !run.state.link?.riskCovered;
  const record = run.pendingSave();
  let admitted: Admitted | { gateFailed: string };
  try {
    admitted = await admissionGate.admitOrder({ state: run.state, gate, record });
  } catch (err) {
    admitted = { gateFailed: failureMessage(err) };
  }
  if ('report' in admitted) {
    const { recorded, ...report } = admitted.report;
    run.applyRecorded((at) => ({ type: 'VALIDATED', report, instrument: admitted.instrument, at }), record, recorded);
  } else {
    await admitStepByStep(run, gate, 'gateFailed' in admitted ? admitted.gateFailed : null);
  }
  await run.flush(); // saves what the gate did not
  if (run.state.status !== 'PENDING') run.markAdmitted();
}

/** The instrument on its own path, then the gate (or, when it already failed, the rejection that says so). */
async function admitStepByStep(run: OrderRun, gate: boolean, gateFailed: string | null): Promise<void> {
  const { exchange, tradingsymbol } = run.state.request;
  const instrument = await brokerCall(run, 'looking up the instrument', () => admissionBroker.lookupInstrument({ exchange, tradingsymbol, strategyId: run.state.request.strategyId }));
  if (isAbandoned(instrument)) return;
  const basic = validateOrder(run.state.request, instrument);
  if (!basic.passed || !gate) return run.apply({ type: 'VALIDATED', report: basic, instrument, at: run.now() });
  if (gateFailed === null) return admitThroughGate(run, { ...run.state, instrument: instrument as Instrument | null }, basic);
  const report = gateUnavailable(basic, `the risk gate could not run: ${gateFailed}`, { account: 'unknown', evaluatedAt: run.now() });
  run.apply({ type: 'VALIDATED', report, instrument, at: run.now() });
}
