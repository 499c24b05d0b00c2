import { deadlinesFor } from '../../domain/position-monitor';
import { idle } from './lifecycle';
import { iso, reads, type MonitorRun } from './run';

type EntryRead = Awaited<ReturnType<typeof reads.readEntryOrder>>;

/** Polls the entry order until it is final: true once a position is open, false when the monitor has finished instead. */
export async function waitForEntry(run: MonitorRun): Promise<boolean> {
  const p = run.policy;
  let delay = p.entryPollMinMs;
  for (;;) {
    const entry = await reads.readEntryOrder({ orderId: run.state.entryOrderId });
    delay = noteEntry(run, entry) ? p.entryPollMinMs : Math.min(delay * 2, p.entryPollMaxMs);
    if (entry?.final) return openPosition(run, entry);
    if (run.state.cancelRequested) { run.finish('CANCELLED', { entryStatus: entry?.status ?? null }); return false; }
    await idle(run, delay);
    if (run.state.cancelRequested) { run.finish('CANCELLED', { entryStatus: run.state.entryStatus }); return false; }
  }
}

/** Keeps the entry's status and fills; true when they changed (the poll speeds up again). */
function noteEntry(run: MonitorRun, entry: EntryRead): boolean {
  if (!entry || (entry.status === run.state.entryStatus && entry.filledQuantity === run.state.entryFilled)) return false;
  run.state = { ...run.state, entryStatus: entry.status, entryFilled: entry.filledQuantity };
  return true;
}

/** The entry is final: what it filled is the position to watch, and the deadlines start now. */
function openPosition(run: MonitorRun, entry: NonNullable<EntryRead>): boolean {
  if (entry.filledQuantity === 0) { run.finish('ENTRY_NOT_FILLED', { entryStatus: entry.status }); return false; }
  const opened = run.nowMs();
  run.state = { ...run.state, openQuantity: entry.filledQuantity, openedAt: run.now(), ...deadlinesFor(opened, run.policy) };
  const s = run.state;
  run.record('POSITION_OPENED', {
    side: run.entry.side, quantity: entry.filledQuantity, entryStatus: entry.status, watching: s.watching,
    squareOffDueAt: iso(s.squareOffDueMs), timeoutDueAt: iso(s.timeoutDueMs),
  });
  return true;
}
