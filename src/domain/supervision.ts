/**
 * The account supervisor's bookkeeping: one run per IST trading day watches an account in windows (the loss check and
 * the reconciliation on their cadences, src/activities/supervisor-activities.ts); this is what a run knows of its day.
 */

export interface LossCheckNote { at: string; net?: string; limit?: string | null; breached?: boolean; engaged?: boolean; error?: string }
export interface ReconciliationNote { at: string; runId?: string; status?: string; findings?: number; corrections?: number; error?: string }

/** What one watch window did (also its heartbeat details: a retried window goes on from there). */
export interface SupervisionReport {
  account: string;
  lossChecks: number;
  reconciliations: number;
  /** The cadences in force at the end of the window (null: off). */
  lossEveryMs: number | null;
  reconcileEveryMs: number | null;
  lastLossCheck?: LossCheckNote;
  lastReconciliation?: ReconciliationNote;
}

export const emptyReport = (account: string): SupervisionReport => ({ account, lossChecks: 0, reconciliations: 0, lossEveryMs: null, reconcileEveryMs: null });

/** A day's totals: the windows' reports added up, the latest notes kept. */
export interface SupervisionDay extends SupervisionReport { tradingDay: string; windows: number }

export function addWindow(day: SupervisionDay, window: SupervisionReport): SupervisionDay {
  return {
    ...day,
    windows: day.windows + 1,
    lossChecks: day.lossChecks + window.lossChecks,
    reconciliations: day.reconciliations + window.reconciliations,
    lossEveryMs: window.lossEveryMs,
    reconcileEveryMs: window.reconcileEveryMs,
    lastLossCheck: window.lastLossCheck ?? day.lastLossCheck,
    lastReconciliation: window.lastReconciliation ?? day.lastReconciliation,
  };
}

const every = (ms: number | null) => (ms === null ? 'off' : ms < 120_000 ? `every ${ms / 1000} s` : `every ${ms / 60_000} min`);

/** The supervisor run's current details in the Temporal UI (markdown). */
export function supervisionDetails(day: SupervisionDay): string {
  const loss = day.lastLossCheck;
  const rec = day.lastReconciliation;
  return [
    `**Account ${day.account}**, trading day ${day.tradingDay}: ${day.windows} window(s) watched`,
    `- daily-loss check (${every(day.lossEveryMs)}): ${day.lossChecks} run(s)${loss ? `; last at ${loss.at}: ${loss.error ? `failed (${loss.error})` : `net ${loss.net} against limit ${loss.limit ?? 'none'}${loss.engaged ? ', kill switch engaged' : ''}`}` : ''}`,
    `- reconciliation (${every(day.reconcileEveryMs)}): ${day.reconciliations} run(s)${rec ? `; last at ${rec.at}: ${rec.error ? `failed (${rec.error})` : `${rec.status}, ${rec.findings ?? 0} finding(s), ${rec.corrections ?? 0} correction(s)`}` : ''}`,
    'The running window shows the latest in its heartbeat details (Pending Activities).',
  ].join('\n');
}
