import { getExternalWorkflowHandle, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReconciliationActivities } from '../activities/reconciliation-activities';
import { reconciliationPass, type ReconciliationOutcome } from '../domain/reconciliation-pass';
import { brokerUpdateSignal } from './order-messages';

export type { ReconciliationOutcome } from '../domain/reconciliation-pass';

const { detectDiscrepancies, settleDuplicateOrder } = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 4 },
});
// The apply is one transaction keyed by the run id: retrying it can only finish the run, never do a part twice.
const { applyReconciliation } = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 6 },
});

/**
 * One reconciliation run started by hand (an operator, a test): the same pass the account supervisor runs on its
 * cadence, with each step an activity in this run's history.
 */
export async function reconciliationWorkflow(input: { account?: string } = {}): Promise<ReconciliationOutcome> {
  return reconciliationPass({
    detect: detectDiscrepancies,
    settleDuplicate: settleDuplicateOrder,
    wake: (orderId, update) => getExternalWorkflowHandle(orderId).signal(brokerUpdateSignal, update),
    apply: applyReconciliation,
    warn: (message, detail) => log.warn(message, detail),
  }, { runId: workflowInfo().workflowId, account: input.account, startedAt: new Date(Date.now()).toISOString() });
}
