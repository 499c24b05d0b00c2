import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/infra/binaries';
import { startStack, type Stack } from './stack';

/** The worker as its own OS process (the compiled `npm start -- --worker-only`), so a test can SIGKILL it. */
export function spawnWorker(env: Record<string, string>): ChildProcess {
  const main = path.join(projectRoot(), 'dist', 'src', 'main.js');
  return spawn(process.execPath, [main, '--worker-only'], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

/** SIGKILL, resolved once the process is gone (at once if it already is). */
export const kill9 = (p: ChildProcess) => new Promise<void>((resolve) => {
  if (p.exitCode !== null || p.signalCode !== null) return resolve();
  p.once('exit', () => resolve());
  p.kill('SIGKILL');
});

/** What a spawned worker needs to serve a stack started with `{ worker: false }` (`overrides` on top). */
export const workerEnvFor = (stack: Stack, overrides: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_URL: stack.sys.databaseUrl, TEMPORAL_ADDRESS: stack.sys.temporalAddress, TEMPORAL_TASK_QUEUE: stack.taskQueue,
  KITE_API_ROOT: stack.sys.paperBrokerUrl!, KITE_TIMEOUT_MS: '1500', RISK_CONFIG_FILE: stack.riskConfigFile, KITE_WEBSOCKET: 'off', ...overrides,
});

export interface StackWithWorkerProcess {
  /** The stack (API, paper broker, database) without an in-process worker. */
  readonly stack: Stack;
  /** Starts a worker process for the stack (the previous one must be gone). */
  spawn(): void;
  /** SIGKILLs the current worker process, if any, and waits until it is gone. */
  kill(): Promise<void>;
}

/**
 * Declares the jest hooks of a crash test file: a stack whose worker runs as its own process, polling fast, and at the
 * end no worker process left behind.
 */
export function useStackWithWorkerProcess(): StackWithWorkerProcess {
  let stack: Stack | undefined;
  let workerEnv: Record<string, string> = {};
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    stack = await startStack({ ORDER_POLL_MIN_MS: '300', ORDER_POLL_MAX_MS: '1000' }, { worker: false });
    workerEnv = workerEnvFor(stack);
  }, 120_000);
  afterAll(async () => {
    if (worker) await kill9(worker);
    await stack?.close();
  }, 60_000);
  return {
    get stack() {
      if (!stack) throw new Error('the stack is not started (used outside a test)');
      return stack;
    },
    spawn: () => { worker = spawnWorker(workerEnv); },
    kill: async () => { if (worker) await kill9(worker); },
  };
}
