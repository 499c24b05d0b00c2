import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { isFinalMonitorStatus, monitorAnswer, type MonitorAnswer } from '../../domain/position-monitor';
import { cancelMonitorUpdate, MonitorFailureTypes, positionMonitorQuery, type CancelMonitorRequest } from '../position-monitor-messages';
import type { MonitorRun } from './run';

/** The monitor's query and its cancel update (answered once the monitor has ended; the position is left as it is). */
export function registerMonitorHandlers(run: MonitorRun): void {
  setHandler(positionMonitorQuery, () => run.state);
  setHandler(cancelMonitorUpdate, (req) => cancelMonitor(run, req), { validator: (_req) => refuseCancelUnlessWatching(run) });
}

async function cancelMonitor(run: MonitorRun, req: CancelMonitorRequest): Promise<MonitorAnswer> {
  run.state = { ...run.state, cancelRequested: true };
  run.record('CANCEL_REQUESTED', { reason: req.reason ?? null });
  await condition(() => isFinalMonitorStatus(run.state.status));
  return monitorAnswer(run.state);
}

function refuseCancelUnlessWatching(run: MonitorRun): void {
  const s = run.state;
  const refuse = (why: string) => ApplicationFailure.create({ type: MonitorFailureTypes.monitorNotCancellable, nonRetryable: true, message: `monitor ${s.monitorId} ${why}` });
  if (isFinalMonitorStatus(s.status)) throw refuse(`has ended ${s.status}`);
  if (s.status === 'CLOSING') throw refuse('is closing the position');
  if (s.cancelRequested) throw refuse('is already being cancelled');
}
