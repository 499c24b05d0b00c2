import { condition, sleep } from '@temporalio/workflow';

/**
 * Waits until `fn()` holds or `ms` pass; true when `fn` held. Unlike condition(fn, ms) it never cancels its timer: it
 * lets it fire. The time-skipping test server refuses a CancelTimer for a timer that fired while the workflow task was
 * at the worker and then strands the run for good (temporalio/sdk-java#2606, #3088), which made the suite hang now and
 * then. The real server handles the race; the price here is one TimerFired event (one workflow task) per early wake.
 */
export async function waitUntil(fn: () => boolean, ms: number): Promise<boolean> {
  let due = false;
  void sleep(ms).then(() => { due = true; }, () => { due = true; });
  await condition(() => due || fn());
  return fn();
}
