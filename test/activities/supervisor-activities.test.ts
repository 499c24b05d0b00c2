import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSupervisorActivities, type LossCheck, type SupervisorActivityDeps } from '../../src/activities/supervisor-activities';
import type { ReconciliationOutcome } from '../../src/domain/reconciliation-pass';
import type { SupervisionReport } from '../../src/domain/supervision';

/** The supervisor's window with real timers and in-memory duties: what it runs, what it records, how it ends. */
function duties(opts: { loss?: (n: number) => LossCheck | Error | 'hang'; lossEveryMs?: number | null; reconcileEveryMs?: number | null; dutyTimeoutMs?: number } = {}) {
  const calls = { loss: [] as number[], engaged: [] as string[], reconciled: [] as string[], logged: [] as string[] };
  const deps: SupervisorActivityDeps = {
    cadence: () => ({ lossEveryMs: opts.lossEveryMs === undefined ? 100 : opts.lossEveryMs, reconcileEveryMs: opts.reconcileEveryMs === undefined ? 250 : opts.reconcileEveryMs }),
    checkDailyLoss: async () => {
      calls.loss.push(Date.now());
      const answer = opts.loss?.(calls.loss.length) ?? { engage: false, message: 'within', netPnl: '-10.00', limit: '100.00', breached: false };
      if (answer instanceof Error) throw answer;
      if (answer === 'hang') return new Promise<LossCheck>(() => undefined);
      return answer;
    },
    engageKillSwitch: async (_account, reason) => { calls.engaged.push(reason); },
    reconcile: async (account, runId): Promise<ReconciliationOutcome> => {
      calls.reconciled.push(runId);
      return { status: 'APPLIED', runId, alreadyApplied: false, findings: 1, corrections: 0, resolutions: {} };
    },
    log: (line) => calls.logged.push(line),
    dutyTimeoutMs: opts.dutyTimeoutMs,
  };
  return { calls, acts: createSupervisorActivities(deps) };
}

describe('the account supervisor window', () => {
  it('when a window runs, then the loss check runs at once and on its cadence, the reconciliation after its interval, and the report counts both', async () => {
    const { calls, acts } = duties();
    const started = Date.now();
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const report: SupervisionReport = await env.run(acts.superviseAccount, { account: 'default', untilMs: started + 700 });

    expect(calls.loss[0]! - started).toBeLessThan(100); // at once, not after an interval
    expect(calls.loss.length).toBeGreaterThanOrEqual(3);
    expect(calls.reconciled.length).toBeGreaterThanOrEqual(1);
    expect(calls.reconciled.every((id) => /^reconciliation-default-\d{4}-\d{2}-\d{2}T/.test(id))).toBe(true);
    expect(report).toMatchObject({ account: 'default', lossChecks: calls.loss.length, reconciliations: calls.reconciled.length, lossEveryMs: 100, reconcileEveryMs: 250 });
    expect(report.lastLossCheck).toMatchObject({ net: '-10.00', limit: '100.00', breached: false, engaged: false });
    expect(report.lastReconciliation).toMatchObject({ status: 'APPLIED', findings: 1, corrections: 0 });
    expect(beats.length).toBeGreaterThan(0);
    expect(beats.at(-1)).toMatchObject({ account: 'default' });
  });

  it('when the loss passes the limit, then the kill switch is engaged with the check\'s reason', async () => {
    const { calls, acts } = duties({ loss: (n) => ({ engage: n === 2, breached: n >= 2, message: `loss ${n}`, netPnl: '-150.00', limit: '100.00' }) });
    const report: SupervisionReport = await new MockActivityEnvironment().run(acts.superviseAccount, { account: 'default', untilMs: Date.now() + 400 });
    expect(calls.engaged).toEqual(['loss 2']);
    expect(report.lastLossCheck).toMatchObject({ breached: true, engaged: false });
  });

  it('when a check fails, then it is noted and logged and the window goes on checking', async () => {
    const { calls, acts } = duties({ loss: (n) => (n === 1 ? new Error('database unavailable') : { engage: false, message: 'ok', netPnl: '0.00', limit: null, breached: false }), reconcileEveryMs: null });
    const report: SupervisionReport = await new MockActivityEnvironment().run(acts.superviseAccount, { account: 'default', untilMs: Date.now() + 400 });
    expect(calls.loss.length).toBeGreaterThanOrEqual(2);
    expect(calls.logged[0]).toMatch(/daily-loss check failed .*database unavailable/);
    expect(report.lastLossCheck).not.toHaveProperty('error');
    expect(report).toMatchObject({ reconciliations: 0, reconcileEveryMs: null });
  });

  it('when a check hangs, then it is noted as failed after its timeout and the window goes on', async () => {
    const { calls, acts } = duties({ loss: (n) => (n === 1 ? 'hang' : { engage: false, message: 'ok', netPnl: '0.00', limit: null, breached: false }), reconcileEveryMs: null, dutyTimeoutMs: 150 });
    await new MockActivityEnvironment().run(acts.superviseAccount, { account: 'default', untilMs: Date.now() + 600 });
    expect(calls.loss.length).toBeGreaterThanOrEqual(2);
    expect(calls.logged[0]).toMatch(/the daily-loss check took longer than 0.15 s/);
  });

  it('when a window is retried, then it goes on from its last heartbeat\'s counts', async () => {
    const { calls, acts } = duties({ reconcileEveryMs: null });
    const before: SupervisionReport = { account: 'default', lossChecks: 40, reconciliations: 7, lossEveryMs: 100, reconcileEveryMs: null };
    const report: SupervisionReport = await new MockActivityEnvironment({ heartbeatDetails: before }).run(acts.superviseAccount, { account: 'default', untilMs: Date.now() + 250 });
    expect(report.lossChecks).toBe(40 + calls.loss.length);
    expect(report.reconciliations).toBe(7);
  });

  it('when the window is cancelled (its workflow ends, its worker stops), then it stops', async () => {
    const { acts } = duties();
    const env = new MockActivityEnvironment();
    const running = env.run(acts.superviseAccount, { account: 'default', untilMs: Date.now() + 60_000 });
    await new Promise((r) => setTimeout(r, 150));
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  });
});
