import type { AppliedRun, Finding, ResolvedFinding, RunRecord } from './reconciliation';

/** What one reconciliation pass needs done; the workflow passes activities, the account supervisor plain calls. */
export interface ReconciliationSteps {
  detect(args: { runId: string; account?: string }): Promise<{ skipped: true; reason: string } | { skipped: false; counts: RunRecord['counts']; findings: Finding[] }>;
  settleDuplicate(args: { orderId: string; brokerOrderId: string; cancel: boolean; account?: string }): Promise<{ cancelled: boolean; tradesBooked: number; final: boolean }>;
  /** Tells an order workflow the broker has news; throws when the workflow is not running. */
  wake(orderId: string, update: { source: 'reconciler'; brokerOrderId: string; status: string; filledQuantity: number }): Promise<void>;
  apply(run: RunRecord): Promise<AppliedRun>;
  warn(message: string, detail: Record<string, unknown>): void;
}

export type ReconciliationOutcome = { runId: string; status: 'SKIPPED'; reason: string } | ({ status: 'APPLIED' } & AppliedRun);

/**
 * One reconciliation pass: detect (read-only), wake the order workflows the broker is ahead of, settle duplicates,
 * then record every finding and apply every correction in one transaction keyed by `runId`.
 */
export async function reconciliationPass(
  steps: ReconciliationSteps, run: { runId: string; account?: string; startedAt: string },
): Promise<ReconciliationOutcome> {
  const { runId, account } = run;
  const detection = await steps.detect({ runId, account });
  if (detection.skipped) return { runId, status: 'SKIPPED', reason: detection.reason };
  const findings: ResolvedFinding[] = [];
  for (const f of detection.findings) {
    if (f.kind === 'DUPLICATE_ORDER' && f.orderId) {
      findings.push({ ...f, ...(await settleDuplicate(steps, f, account)) });
    } else if (f.kind === 'ORDER_STATUS_MISMATCH' && f.policy === 'signal-workflow' && f.orderId) {
      findings.push({ ...f, ...(await wake(steps, f.orderId, f.broker ?? {})) });
    } else if (f.kind === 'ORDER_STATUS_MISMATCH' || f.kind === 'UNKNOWN_ORDER') {
      findings.push({ ...f, resolution: 'ALERTED' });
    } else {
      findings.push(f);
    }
  }
  const applied = await steps.apply({ runId, ...(account ? { account } : {}), startedAt: run.startedAt, counts: detection.counts, findings });
  return { status: 'APPLIED', ...applied };
}

/** Cancels what is unfilled of a duplicate (policy cancel-extra) and books its fills; alerted until it is settled. */
async function settleDuplicate(steps: ReconciliationSteps, f: ResolvedFinding, account: string | undefined): Promise<Pick<ResolvedFinding, 'resolution' | 'detail'>> {
  try {
    const r = await steps.settleDuplicate({ orderId: f.orderId!, brokerOrderId: f.key, cancel: f.policy === 'cancel-extra', account });
    // Known and settled (final at the broker, every fill booked by an earlier run): no news, no alert.
    return { resolution: r.cancelled || r.tradesBooked > 0 || !r.final ? 'ALERTED' : 'DUPLICATE_SETTLED', detail: r };
  } catch (err) {
    steps.warn('reconciliation: could not settle a duplicate broker order', { orderId: f.orderId, brokerOrderId: f.key, error: String(err) });
    return { resolution: 'ALERTED', detail: { error: (err as Error).message } };
  }
}

/** Tells an order workflow the broker has news (it then polls the broker and settles itself). */
async function wake(steps: ReconciliationSteps, orderId: string, broker: Record<string, unknown>): Promise<Pick<ResolvedFinding, 'resolution' | 'detail'>> {
  try {
    await steps.wake(orderId, {
      source: 'reconciler', brokerOrderId: String(broker.brokerOrderId ?? ''), status: String(broker.status ?? ''), filledQuantity: Number(broker.filledQuantity ?? 0),
    });
    return { resolution: 'SIGNALLED' };
  } catch (err) {
    // Terminated, timed out or gone: nobody will settle this order but an operator.
    steps.warn('reconciliation: order workflow not running', { orderId, error: String(err) });
    return { resolution: 'WORKFLOW_NOT_RUNNING', detail: { error: (err as Error).message } };
  }
}
