import { getExternalWorkflowHandle, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReconciliationActivities } from '../activities/reconciliation-activities';
import type { AppliedRun, ResolvedFinding } from '../domain/reconciliation';
import { brokerUpdateSignal } from './order-messages';

const { detectDiscrepancies, settleDuplicateOrder } = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 4 },
});
// The apply is one transaction keyed by the run id: retrying it can only finish the run, never do a part twice.
const { applyReconciliation } = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 6 },
});

export type ReconciliationOutcome = { runId: string; status: 'SKIPPED'; reason: string } | ({ status: 'APPLIED' } & AppliedRun);

/**
 * One reconciliation run (started by the Schedule, or by hand): detect (read-only), wake the order workflows the broker
 * is ahead of, then record every finding and apply every correction in one transaction.
 */
export async function reconciliationWorkflow(input: { account?: string } = {}): Promise<ReconciliationOutcome> {
  const runId = workflowInfo().workflowId;
  const { account } = input;
  const startedAt = new Date(Date.now()).toISOString(); // the workflow clock
  const detection = await detectDiscrepancies({ runId, account });
  if (detection.skipped) return { runId, status: 'SKIPPED', reason: detection.reason };
  const findings: ResolvedFinding[] = [];
  for (const f of detection.findings) {
    if (f.kind === 'DUPLICATE_ORDER' && f.orderId) {
      findings.push({ ...f, ...(await settleDuplicate(f, account)) });
    } else if (f.kind === 'ORDER_STATUS_MISMATCH' && f.policy === 'signal-workflow' && f.orderId) {
      findings.push({ ...f, ...(await wake(f.orderId, f.broker ?? {})) });
    } else if (f.kind === 'ORDER_STATUS_MISMATCH' || f.kind === 'UNKNOWN_ORDER') {
      findings.push({ ...f, resolution: 'ALERTED' });
    } else {
      findings.push(f);
    }
  }
  const applied = await applyReconciliation({ runId, ...(account ? { account } : {}), startedAt, counts: detection.counts, findings });
  return { status: 'APPLIED', ...applied };
}

/** Cancels what is unfilled of a duplicate (policy cancel-extra) and books its fills; alerted until it is settled. */
async function settleDuplicate(f: ResolvedFinding, account: string | undefined): Promise<Pick<ResolvedFinding, 'resolution' | 'detail'>> {
  try {
    const r = await settleDuplicateOrder({ orderId: f.orderId!, brokerOrderId: f.key, cancel: f.policy === 'cancel-extra', account });
    // Known and settled (final at the broker, every fill booked by an earlier run): no news, no alert.
    return { resolution: r.cancelled || r.tradesBooked > 0 || !r.final ? 'ALERTED' : 'DUPLICATE_SETTLED', detail: r };
  } catch (err) {
    log.warn('reconciliation: could not settle a duplicate broker order', { orderId: f.orderId, brokerOrderId: f.key, error: String(err) });
    return { resolution: 'ALERTED', detail: { error: (err as Error).message } };
  }
}

/** Tells an order workflow the broker has news (it then polls the broker and settles itself). */
async function wake(orderId: string, broker: Record<string, unknown>): Promise<Pick<ResolvedFinding, 'resolution' | 'detail'>> {
  try {
    await getExternalWorkflowHandle(orderId).signal(brokerUpdateSignal, {
      source: 'reconciler', brokerOrderId: String(broker.brokerOrderId ?? ''), status: String(broker.status ?? ''), filledQuantity: Number(broker.filledQuantity ?? 0),
    });
    return { resolution: 'SIGNALLED' };
  } catch (err) {
    // Terminated, timed out or gone: nobody will settle this order but an operator.
    log.warn('reconciliation: order workflow not running', { orderId, error: String(err) });
    return { resolution: 'WORKFLOW_NOT_RUNNING', detail: { error: (err as Error).message } };
  }
}
