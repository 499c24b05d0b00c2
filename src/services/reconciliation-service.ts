import type { ReconciliationStore } from '../store/reconciliation-store';

type Run = Awaited<ReturnType<ReconciliationStore['recentRuns']>>[number];
type LogRow = Awaited<ReturnType<ReconciliationStore['openFindings']>>[number];

/** What GET /api/v1/reconciliation shows: the latest runs and what is still open after the latest one. */
export class ReconciliationService {
  constructor(private readonly store: Pick<ReconciliationStore, 'recentRuns' | 'openFindings'>) {}

  async overview(limit: number) {
    const [runs, open] = await Promise.all([this.store.recentRuns(limit), this.store.openFindings()]);
    return { runs: runs.map(runView), openFindings: open.map(findingView) };
  }
}

function runView(r: Run) {
  const summary = (r.summary ?? {}) as { resolutions?: Record<string, number> };
  return {
    runId: r.id, status: r.status, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString(),
    compared: { brokerPositions: r.brokerPositions, internalPositions: r.internalPositions, brokerOrders: r.brokerOrders },
    findings: r.findings, corrections: r.corrections, resolutions: summary.resolutions ?? {},
  };
}

function findingView(f: LogRow) {
  return {
    runId: f.runId, kind: f.kind, key: f.key, tradingsymbol: f.tradingsymbol, exchange: f.exchange, product: f.product, orderId: f.orderId,
    broker: f.broker, internal: f.internal, policy: f.policy, resolution: f.resolution, detail: f.detail, detectedAt: f.createdAt.toISOString(),
  };
}
