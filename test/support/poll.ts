import type { QueryDefinition, WorkflowHandle } from '@temporalio/client';

export interface PollOptions {
  /** How many reads at the most (default 300). */
  attempts?: number;
  /** Real time between reads (default 100 ms). */
  intervalMs?: number;
  /** The error message when `wanted` never holds. */
  what?: string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads until `wanted` holds and returns that value; throws `what` after `attempts` reads. */
export async function pollUntil<T>(read: () => Promise<T>, wanted: (value: T) => boolean, opts: PollOptions = {}): Promise<T> {
  const { attempts = 300, intervalMs = 100, what = 'the wanted state never came' } = opts;
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (wanted(value)) return value;
    await pause(intervalMs);
  }
  throw new Error(what);
}

/** Queries a workflow until its answer satisfies `wanted` (workflows act in real time even while the clock skips). */
export function queryUntil<S>(
  handle: WorkflowHandle, query: QueryDefinition<S, []>, wanted: (state: S) => boolean, opts: PollOptions = {},
): Promise<S> {
  return pollUntil(() => handle.query(query), wanted, { what: `${handle.workflowId} never reached the wanted state`, ...opts });
}

/**
 * Rejects with `what` if `promise` has not settled within `ms` (a hang fails the test with a reason, not a timeout);
 * `what` may be a function, to say what was last seen.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${typeof what === 'function' ? what() : what} (not done within ${ms} ms)`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
