import { modifiedRequest } from '../../domain/order-modification';
import type { Assessed } from '../../activities/risk-activities';
import type { OrderState } from '../../domain/order-state';
import { validateOrder, type ValidationReport } from '../../domain/order-validation';
import { gateUnavailable } from '../../domain/risk/gate-report';
import { FailureTypes, type ModifyRequest } from '../order-messages';
import { admissionGate, gate } from './activities';
import { failureMessage } from './failures';
import type { CommandError, OrderRun } from './order-run';

/**
 * The risk gate's report on a new order, applied (VALIDATED). The gate saves the order as it leaves it (`record`), so
 * admission needs no save of its own; a gate that cannot run rejects the order (fail closed), saved by the workflow.
 */
export async function admitThroughGate(run: OrderRun, s: OrderState, basic: ValidationReport): Promise<void> {
  const record = run.pendingSave();
  const { recorded, ...report }: Assessed = await failClosed(run, basic, () => admissionGate.assessOrderRisk({ state: s, basic, record }));
  run.applyRecorded((at) => ({ type: 'VALIDATED', report, instrument: s.instrument, at }), record, recorded);
}

/** The gate's report, or — when the gate cannot run within its budget — a rejection that says so. */
async function failClosed<R extends ValidationReport>(run: OrderRun, basic: ValidationReport, assess: () => Promise<R>): Promise<R | ValidationReport> {
  try {
    return await assess();
  } catch (err) {
    return gateUnavailable(basic, `the risk gate could not run: ${failureMessage(err)}`, { account: 'unknown', evaluatedAt: run.now() });
  }
}

/** Runs the risk gate on the order as the modify would leave it; the refusal to answer with, or null to go on. */
export async function recheckModification(run: OrderRun, changes: ModifyRequest): Promise<CommandError | null> {
  const request = modifiedRequest(run.state, changes);
  const basic = validateOrder(request, run.state.instrument);
  const report = await failClosed(run, basic, () => gate.assessModificationRisk({ state: { ...run.state, request }, basic }));
  run.apply({ type: 'MODIFY_RISK_CHECKED', report, at: run.now() }); // saved by the modify call, or before a refusal is answered
  if (report.passed) return null;
  const failure = report.failure;
  return { type: FailureTypes.riskRejected, message: `${failure?.check}: ${failure?.message ?? 'check failed'}`, details: [failure] };
}
