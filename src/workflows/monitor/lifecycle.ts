import { allHandlersFinished, condition, continueAsNew, log, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PositionMonitorState } from '../../domain/position-monitor';
import type { PositionMonitorInput } from '../position-monitor-messages';
import { OrderStatus } from '../search-attributes';
import { spoken, waitUntil } from '../timers';
import type { MonitorRun } from './run';

/** Sleeps until `ms` pass (null: forever) or a cancel arrives; continues as new first when the history has grown long. */
export async function idle(run: MonitorRun, ms: number | null): Promise<void> {
  // Never while a cancel is being answered: its update handler would be dropped with the run.
  if (!run.state.cancelRequested && workflowInfo().historyLength > (run.input.maxHistoryEvents ?? 5_000)) {
    await run.legs.settled();
    await continueAsNew<(input: PositionMonitorInput) => Promise<PositionMonitorState>>({ ...run.input, resume: run.state });
  }
  if (ms === null) await condition(() => run.state.cancelRequested);
  else if (ms > 0) await waitUntil(() => run.state.cancelRequested, ms, `wait ${spoken(ms)}, then close the position (timeout or square-off)`);
}

/** Ends the run: its status on the search attribute, no command signal on its way to a leg, every handler answered. */
export async function closeMonitor(run: MonitorRun): Promise<PositionMonitorState> {
  upsertSearchAttributes([{ key: OrderStatus, value: run.state.status }]);
  await run.legs.settled();
  await condition(allHandlersFinished);
  log.info('position monitor finished', { monitorId: run.state.monitorId, status: run.state.status, open: run.state.openQuantity });
  return run.state;
}
