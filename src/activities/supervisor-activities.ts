import { Context } from '@temporalio/activity';
import type { ReconciliationOutcome } from '../domain/reconciliation-pass';
import { emptyReport, type SupervisionReport } from '../domain/supervision';

/** The daily-loss check's answer (the kill switch activities' checkDailyLoss). */
export interface LossCheck { engage: boolean; message: string; netPnl?: string; limit?: string | null; breached?: boolean }

export interface SupervisorActivityDeps {
  /** The cadences now (read each round, so a reloaded configuration applies): null turns a duty off. */
  cadence(account: string): { lossEveryMs: number | null; reconcileEveryMs: number | null };
  checkDailyLoss(account: string): Promise<LossCheck>;
  /** Engages the account's kill switch (its workflow does the rest). */
  engageKillSwitch(account: string, reason: string): Promise<void>;
  reconcile(account: string, runId: string, startedAt: string): Promise<ReconciliationOutcome>;
  log(line: string): void;
  now?: () => number;
  /** A duty that takes longer is noted as failed (default 60 s). */
  dutyTimeoutMs?: number;
}

/** How often a window reports to the server at least: well inside the workflow's heartbeat timeout. */
const BEAT_MS = 5_000;
/** A check or a reconciliation that takes longer is noted as failed, and the window goes on with its cadences. */
const DUTY_TIMEOUT_MS = 60_000;

/** `work`, or a rejection naming `what` after `ms` (the work itself is left to finish or fail on its own). */
async function within<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms); });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The account supervisor's duties in one long activity per window: the daily-loss check and the reconciliation on
 * their cadences until `untilMs`, heartbeating its report. Frequent checks cost no workflow history this way (a check
 * every 15 s as timers and activities would be ~60,000 events a day), a killed worker is noticed within the heartbeat
 * timeout and a retried window goes on from its last report. A failed check is noted and tried again on its cadence;
 * it does not fail the window.
 */
export function createSupervisorActivities(d: SupervisorActivityDeps) {
  const now = d.now ?? Date.now;
  const dutyTimeoutMs = d.dutyTimeoutMs ?? DUTY_TIMEOUT_MS;
  return {
    async superviseAccount(args: { account: string; untilMs: number }): Promise<SupervisionReport> {
      const ctx = Context.current();
      const report: SupervisionReport = (ctx.info.heartbeatDetails as SupervisionReport | undefined) ?? emptyReport(args.account);
      // Beats while a duty runs too: a slow check is not a dead worker (each duty is bounded by DUTY_TIMEOUT_MS).
      const beat = setInterval(() => ctx.heartbeat(report), BEAT_MS);
      try {
        await watch(ctx, args, report);
      } finally {
        clearInterval(beat);
      }
      return report;
    },
  };

  /**
   * The window's loop. The loss check runs at once (a restart must not leave a breach unseen for a whole interval),
   * the reconciliation after one interval (as its Schedule did); the cadences are read each round.
   */
  async function watch(ctx: Context, args: { account: string; untilMs: number }, report: SupervisionReport): Promise<void> {
    const { account } = args;
    let nextLoss = now();
    let nextReconcile = now() + (d.cadence(account).reconcileEveryMs ?? 0);
    while (now() < args.untilMs) {
      const cadence = d.cadence(account);
      Object.assign(report, cadence);
      if (cadence.lossEveryMs !== null && now() >= nextLoss) {
        await lossCheck(account, report);
        nextLoss = now() + cadence.lossEveryMs;
      }
      if (cadence.reconcileEveryMs !== null && now() >= nextReconcile) {
        await reconciliation(account, report);
        nextReconcile = now() + cadence.reconcileEveryMs;
      }
      ctx.heartbeat(report);
      const due = Math.min(cadence.lossEveryMs === null ? Infinity : nextLoss, cadence.reconcileEveryMs === null ? Infinity : nextReconcile, args.untilMs);
      await ctx.sleep(Math.max(0, Math.min(due - now(), BEAT_MS))); // rejects when the window is cancelled
    }
  }

  async function lossCheck(account: string, report: SupervisionReport): Promise<void> {
    const at = new Date(now()).toISOString();
    try {
      const check = await within('the daily-loss check', dutyTimeoutMs, d.checkDailyLoss(account));
      if (check.engage) await d.engageKillSwitch(account, check.message);
      report.lastLossCheck = { at, net: check.netPnl, limit: check.limit, breached: check.breached, engaged: check.engage };
    } catch (err) {
      report.lastLossCheck = { at, error: (err as Error).message };
      d.log(`account ${account}: the daily-loss check failed (tried again on its cadence): ${(err as Error).message}`);
    }
    report.lossChecks += 1;
  }

  async function reconciliation(account: string, report: SupervisionReport): Promise<void> {
    const at = new Date(now()).toISOString();
    const runId = `reconciliation-${account}-${at}`;
    try {
      const outcome = await within(`reconciliation ${runId}`, dutyTimeoutMs, d.reconcile(account, runId, at));
      report.lastReconciliation = outcome.status === 'APPLIED'
        ? { at, runId, status: outcome.status, findings: outcome.findings, corrections: outcome.corrections }
        : { at, runId, status: `SKIPPED: ${outcome.reason}` };
    } catch (err) {
      report.lastReconciliation = { at, runId, error: (err as Error).message };
      d.log(`account ${account}: reconciliation ${runId} failed (tried again on its cadence): ${(err as Error).message}`);
    }
    report.reconciliations += 1;
  }
}

export type SupervisorActivities = ReturnType<typeof createSupervisorActivities>;
