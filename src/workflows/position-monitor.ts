import { dueDeadline, type CloseReason, type PositionMonitorState } from '../domain/position-monitor';
import { waitForEntry } from './monitor/entry';
import { closePosition } from './monitor/exit';
import { registerMonitorHandlers } from './monitor/handlers';
import { closeMonitor } from './monitor/lifecycle';
import { placeOco, superviseOco } from './monitor/oco';
import { MonitorRun } from './monitor/run';
import { watch } from './monitor/watch';
import type { PositionMonitorInput } from './position-monitor-messages';

/**
 * One entry order's position: once the entry is final, its take profit / stop loss rest at the broker as an OCO group
 * (a child orderGroupWorkflow) or are watched here on the LTP; the MIS square-off and the position timeout close what is
 * left with a reduce-only MARKET exit (a child order workflow), OCO legs cancelled first.
 */
export async function positionMonitorWorkflow(input: PositionMonitorInput): Promise<PositionMonitorState> {
  const run = new MonitorRun(input);
  registerMonitorHandlers(run);
  const reason = await superviseUntilDue(run);
  if (reason) await closePosition(run, reason);
  return closeMonitor(run);
}

/** Waits for the entry, then supervises the position (OCO or watched) until it must be closed for `reason`, or is done. */
async function superviseUntilDue(run: MonitorRun): Promise<CloseReason | null> {
  if (run.state.status === 'WATCHING') return watch(run); // resumed after continue-as-new
  if (run.state.status !== 'WAITING_FOR_ENTRY' || !(await waitForEntry(run))) return null;
  const dueAtOpen = dueDeadline(run.nowMs(), run.state); // e.g. an MIS entry that filled after the square-off time
  if (dueAtOpen) return dueAtOpen;
  if (run.state.watching !== 'oco') return watch(run);
  return (await placeOco(run)) ? superviseOco(run) : null;
}
