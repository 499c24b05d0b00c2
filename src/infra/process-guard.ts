import { spawn } from 'node:child_process';

export interface GuardOptions {
  /** Signal that asks the child to shut down cleanly. */
  signal: NodeJS.Signals;
  /** How long the child gets after `signal` before SIGKILL. */
  graceMs: number;
}

/**
 * Makes sure `pid` does not outlive this Node process, however it ends:
 * - a normal exit (or `process.exit`) sends `signal` synchronously from the 'exit' hook;
 * - SIGKILL, an OOM kill or a crash of this process is covered by a tiny detached `sh` watchdog that polls
 *   both pids once a second and stops the child when the parent is gone (Node has no PR_SET_PDEATHSIG).
 * The embedded Postgres and Temporal run detached (their own process group), so a Ctrl-C at the terminal reaches the
 * OMS alone and its shutdown stops them in order, after the worker has drained.
 * Returns a disposer to call once the child has been stopped on purpose.
 */
export function guardChildProcess(pid: number, options: GuardOptions): () => void {
  const onExit = (): void => {
    try {
      process.kill(pid, options.signal);
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);

  const graceSeconds = Math.max(1, Math.ceil(options.graceMs / 1000));
  const script = [
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done',
    `kill -0 "$2" 2>/dev/null || exit 0`,
    `kill -${options.signal.replace(/^SIG/, '')} "$2"`,
    `i=0; while kill -0 "$2" 2>/dev/null && [ "$i" -lt ${graceSeconds * 5} ]; do sleep 0.2; i=$((i + 1)); done`,
    'kill -KILL "$2" 2>/dev/null',
  ].join('\n');
  let watchdogPid: number | undefined;
  try {
    const watchdog = spawn('sh', ['-c', script, 'oms-guard', String(process.pid), String(pid)], {
      detached: true,
      stdio: 'ignore',
    });
    watchdog.on('error', () => undefined);
    watchdog.unref();
    watchdogPid = watchdog.pid;
  } catch {
    // Without a watchdog the 'exit' hook still covers ordinary exits.
  }

  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    process.removeListener('exit', onExit);
    if (watchdogPid !== undefined) {
      try {
        process.kill(watchdogPid, 'SIGKILL');
      } catch {
        // it already noticed the child is gone
      }
    }
  };
}

/** True while a process with this pid exists (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves once `pid` is gone, or false after `timeoutMs`. Works for processes that are not our children. */
export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** True if `promise` settles within `ms`; the timer is cleared either way so it never holds the event loop. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
