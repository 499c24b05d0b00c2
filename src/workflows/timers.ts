import { condition, sleep } from '@temporalio/workflow';

/**
 * Waits until `fn()` holds or `ms` pass; true when `fn` held. Unlike condition(fn, ms) it never cancels its timer: it
 * lets it fire. The time-skipping test server refuses a CancelTimer for a timer that fired while the workflow task was
 * at the worker and then strands the run for good (temporalio/sdk-java#2606, #3088), which made the suite hang now and
 * then. The real server handles the race; the price here is one TimerFired event (one workflow task) per early wake.
 */
export async function waitUntil(fn: () => boolean, ms: number, summary?: string): Promise<boolean> {
  let due = false;
  void sleep(ms, summary ? { summary } : undefined).then(() => { due = true; }, () => { due = true; });
  await condition(() => due || fn());
  return fn();
}

/** A wait as a person reads it in a timer's summary: "500 ms", "2 s", "1.5 min", "3 h". */
export function spoken(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${+(ms / 60_000).toFixed(1)} min`;
  return `${+(ms / 3_600_000).toFixed(1)} h`;
}
