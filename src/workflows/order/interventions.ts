import { condition, upsertSearchAttributes } from '@temporalio/workflow';
import { compactAnswer, type InterventionAction } from '../../domain/order-state';
import { validateModification } from '../../domain/order-modification';
import { FailureTypes, type InterventionRequest } from '../order-messages';
import { OrderIntervention } from '../search-attributes';
import { spoken, waitUntil } from '../timers';
import { refusal } from './failures';
import type { OrderRun } from './order-run';

export interface DecisionTimeout { timeoutMs: number; defaultAction: InterventionAction }

/**
 * Waits for an operator's decision; an abandon ends the order here. With a timeout, nobody answering within it
 * counts as the configured default action, recorded as taken by `timeout`.
 */
export async function pauseFor(
  run: OrderRun, reason: string, message: string, actions: InterventionAction[] = ['resume', 'abandon'], timeout?: DecisionTimeout,
): Promise<InterventionRequest> {
  run.apply({ type: 'INTERVENTION_REQUIRED', reason, message, actions, at: run.now() });
  upsertSearchAttributes([{ key: OrderIntervention, value: reason }]);
  run.markAdmitted(); // the POST answers now, showing the order waiting
  await run.flush();
  if (!timeout) await condition(() => run.decision !== null);
  else if (!(await waitUntil(() => run.decision !== null, timeout.timeoutMs, `wait up to ${spoken(timeout.timeoutMs)} for an operator (${reason}), then ${timeout.defaultAction}`))) {
    run.decision = { action: timeout.defaultAction, by: 'timeout', note: `no operator decision within ${Math.round(timeout.timeoutMs / 1000)} s` };
  }
  const d = run.decision as unknown as InterventionRequest;
  run.apply({ type: 'INTERVENTION_RESOLVED', action: d.action, note: d.note, by: d.by, at: run.now() });
  if (d.action === 'abandon') run.apply({ type: 'ABANDONED', note: d.note, at: run.now() });
  upsertSearchAttributes([{ key: OrderIntervention, value: null }]);
  await run.flush();
  run.decision = null;
  return d;
}

/** The interventionUpdate's validator: only an offered action, only while the order waits, only valid new terms. */
export function checkDecision(run: OrderRun, req: InterventionRequest): void {
  const waiting = run.state.intervention;
  if (!waiting || run.decision !== null) throw refusal(FailureTypes.noInterventionPending, `order ${run.state.orderId} is not waiting for an operator`);
  if (!waiting.actions.includes(req.action)) throw refusal(FailureTypes.noInterventionPending, `${req.action} is not offered; choose one of ${waiting.actions.join(', ')}`);
  if (req.action !== 'modify') return;
  const invalid = req.changes
    ? validateModification({ ...run.state, filledQuantity: 0 }, req.changes)
    : { code: 'NOTHING_TO_CHANGE', field: 'changes', message: 'modify needs the new terms (quantity, price, triggerPrice or orderType)' };
  if (invalid) throw refusal(FailureTypes.invalidChange, invalid.message, [invalid]);
}

/** Hands the operator's decision to the waiting order and answers once the order has acted on it. */
export async function decide(run: OrderRun, req: InterventionRequest) {
  run.decision = req;
  await condition(() => run.decision === null);
  return compactAnswer(run.state);
}
