import { msToDeadline, dueDeadline, priceExit, type CloseReason } from '../../domain/position-monitor';
import { idle } from './lifecycle';
import { market, type MonitorRun } from './run';

/** Watch mode (and "deadlines only"): poll the LTP until a level is crossed or a deadline falls due. */
export async function watch(run: MonitorRun): Promise<CloseReason | null> {
  run.state = { ...run.state, status: 'WATCHING' };
  for (;;) {
    const due = dueDeadline(run.nowMs(), run.state);
    if (due) return due;
    if (run.state.cancelRequested) { run.finish('CANCELLED'); return null; }
    if (run.state.watching === 'watch') {
      const hit = await pricePassedALevel(run);
      if (hit) return hit;
    } else if (msToDeadline(run.nowMs(), run.state) === null) {
      run.finish('ENDED_OPEN', { message: 'the OCO ended with the position open and no square-off or timeout applies' });
      return null;
    }
    await idle(run, nextWakeMs(run));
  }
}

/** Reads the LTP (a failed read is skipped) and says which level, if any, it has crossed. */
async function pricePassedALevel(run: MonitorRun): Promise<'target' | 'stop' | null> {
  const e = run.entry;
  const ltp = await market.getLastPrice({ exchange: e.exchange, tradingsymbol: e.tradingsymbol, strategyId: e.strategyId }).catch(() => null);
  if (ltp !== null) run.state = { ...run.state, lastPricePaise: ltp };
  return priceExit(e.side, e, ltp);
}

/** The next price poll or the next deadline, whichever comes first (null: only a cancel wakes the monitor). */
function nextWakeMs(run: MonitorRun): number | null {
  const toDeadline = msToDeadline(run.nowMs(), run.state);
  const poll = run.state.watching === 'watch' ? run.policy.pricePollMs : null;
  if (toDeadline === null) return poll;
  return poll === null ? toDeadline : Math.min(poll, toDeadline);
}
