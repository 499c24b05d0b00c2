import {
  allHandlersFinished, condition, continueAsNew, log, proxyActivities, setHandler, uuid4, workflowInfo,
} from '@temporalio/workflow';
import type { KillSwitchActivities } from '../activities/kill-switch-activities';
import type { KillSwitchState } from '../domain/kill-switch';
import {
  engageKillSwitchSignal, killSwitchStateQuery, killSwitchUpdate, releaseKillSwitchSignal,
  type KillSwitchOutcome, type KillSwitchRequest,
} from './kill-switch-messages';
import { spoken, waitUntil } from './timers';

const store = proxyActivities<KillSwitchActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});
/** Cancelling waits for each broker's confirmation; placing flatten orders waits for each admission. */
const sweep = proxyActivities<KillSwitchActivities>({
  // Each cancel has its own deadline, so a sweep of many hanging orders may take long; it heartbeats while it runs
  // (worker/heartbeats.ts), so a killed worker is noticed in seconds all the same.
  startToCloseTimeout: '15m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

export interface KillSwitchWorkflowInput {
  account: string;
  /** Carried over by continue-as-new. */
  state?: KillSwitchState;
  pending?: Job[];
}

type Job = KillSwitchRequest & { action: 'engage' | 'release'; id: string };

/** The account's kill switch: engages and releases one at a time, and releases a halt by itself when it expires. */
export async function killSwitchWorkflow(input: KillSwitchWorkflowInput): Promise<void> {
  const { account } = input;
  // Handlers first: signals sent while the state loads (Postgres may be down) are queued, and a query says why it waits.
  let state: KillSwitchState | null = input.state ?? null;
  const queue: Job[] = [...(input.pending ?? [])];
  const done = new Map<string, KillSwitchOutcome>();

  setHandler(killSwitchStateQuery, () => {
    if (!state) throw new Error(`the kill switch of ${account} is still reading its state from the database; ask again shortly`);
    return state;
  });
  setHandler(engageKillSwitchSignal, (r) => { queue.push({ ...r, source: r.source ?? 'temporal-signal', action: 'engage', id: uuid4() }); });
  setHandler(releaseKillSwitchSignal, (r) => { queue.push({ ...r, source: r.source ?? 'temporal-signal', action: 'release', id: uuid4() }); });
  setHandler(killSwitchUpdate, async (r) => {
    const id = uuid4();
    queue.push({ ...r, source: r.source ?? 'api', id });
    await condition(() => done.has(id));
    const outcome = done.get(id)!;
    done.delete(id);
    return outcome;
  }, {
    validator: (r) => {
      if (r.action !== 'engage' && r.action !== 'release') throw new Error(`action must be engage or release, not ${String(r.action)}`);
      if (!r.reason?.trim()) throw new Error('a reason is required');
    },
  });

  state = state ?? (await store.readKillSwitch({ account }));
  for (;;) {
    const job = queue.shift();
    if (job) {
      const outcome = job.action === 'engage' ? await runEngage(job) : await runRelease(job);
      state = outcome.state;
      done.set(job.id, outcome);
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof killSwitchWorkflow>({ account, state, pending: queue });
    }
    const resetIn = state.status === 'HALTED' && state.resetAtMs !== null ? state.resetAtMs - Date.now() : null;
    if (resetIn !== null && resetIn <= 0) {
      queue.push({ action: 'release', reason: 'a new trading day', by: 'calendar', source: 'next-trading-day', id: uuid4() });
      continue;
    }
    // The workflow clock: the reset timer is durable, and replays the same.
    const wake = () => queue.length > 0 || workflowInfo().continueAsNewSuggested;
    if (resetIn === null) await condition(wake);
    else await waitUntil(wake, resetIn, `halted: released by itself in ${spoken(resetIn)} (the next trading day), sooner by an operator`);
  }

  async function runEngage(job: Job): Promise<KillSwitchOutcome> {
    const engagementId = job.id;
    const r = await store.engageKillSwitch({ account, engagementId, reason: job.reason, by: job.by ?? job.source ?? 'unknown', source: job.source ?? 'temporal-signal' });
    if (!r.changed) return r;
    state = r.state;
    // New risk is refused from here on; now take the entries off the book (protective exits stay), then (if configured) flatten.
    const cancelled = await sweep.cancelOrdersForKillSwitch({ account, engagementId });
    const flattened = await sweep.flattenPositionsForKillSwitch({ account, engagementId });
    log.error('kill switch engaged; orders cancelled, protective exits kept', {
      account, engagementId, asked: cancelled.asked, kept: cancelled.kept?.length ?? 0, flattened: flattened.results.length,
    });
    return { ...r, cancelled, flattened };
  }

  async function runRelease(job: Job): Promise<KillSwitchOutcome> {
    return store.releaseKillSwitch({ account, reason: job.reason, by: job.by ?? job.source ?? 'unknown', source: job.source ?? 'temporal-signal' });
  }
}

export interface DailyLossCheckInput { account: string }

/** One run of the scheduled daily loss check: today's net P&L against the limit; a breach engages the kill switch. */
export async function dailyLossCheckWorkflow(input: DailyLossCheckInput) {
  const check = await store.checkDailyLoss({ account: input.account });
  if (check.engage) {
    await store.requestKillSwitch({ account: input.account, action: 'engage', reason: check.message, by: 'daily-loss-check', source: 'daily-loss-check' });
  }
  return check;
}
