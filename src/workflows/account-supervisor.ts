import { continueAsNew, proxyActivities, setCurrentDetails, setHandler, sleep } from '@temporalio/workflow';
import type { SupervisorActivities } from '../activities/supervisor-activities';
import { istClock, nextIstMidnightMs } from '../domain/risk/ist-clock';
import { addWindow, emptyReport, supervisionDetails, type SupervisionDay } from '../domain/supervision';
import { supervisionQuery } from './account-supervisor-messages';
import { spoken } from './timers';

/** A window's activity heartbeats every few seconds; a killed worker is noticed within this and the window resumes. */
const { superviseAccount } = proxyActivities<SupervisorActivities>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** A window's length: the day's history grows by a handful of events per window. */
export const SUPERVISION_WINDOW_MS = 3_600_000;

export interface AccountSupervisorInput { account: string }

/**
 * The account's background duties for one IST day — the daily-loss check and the reconciliation with the broker,
 * each on its cadence — then continue-as-new for the next day: one run per account per day in the Temporal UI, in
 * place of a Schedule's workflow run every 15 and 30 seconds. The duties run inside one heartbeating activity per
 * hour-long window (src/activities/supervisor-activities.ts).
 */
export async function accountSupervisorWorkflow(input: AccountSupervisorInput): Promise<void> {
  const { account } = input;
  const dayEnd = nextIstMidnightMs(Date.now());
  let day: SupervisionDay = { ...emptyReport(account), tradingDay: istClock(Date.now()).date, windows: 0 };
  setHandler(supervisionQuery, () => day);
  setCurrentDetails(supervisionDetails(day));
  while (Date.now() < dayEnd) {
    const until = Math.min(dayEnd, Date.now() + SUPERVISION_WINDOW_MS);
    const ends = istClock(until).time;
    const report = await superviseAccount.executeWithOptions(
      { summary: `watch account ${account} until ${ends} IST: daily-loss check and reconciliation on their cadences` },
      [{ account, untilMs: until }],
    );
    day = addWindow(day, report);
    setCurrentDetails(supervisionDetails(day));
    // A window that ended early (its worker's clock ahead of this one) waits out the rest: never a busy loop.
    const left = until - Date.now();
    if (left > 0) await sleep(left, { summary: `rest of the window until ${ends} IST (${spoken(left)})` });
  }
  return continueAsNew<typeof accountSupervisorWorkflow>({ account });
}
