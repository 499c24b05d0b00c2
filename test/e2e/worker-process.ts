import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/infra/binaries';
import type { Stack } from './stack';

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

/** What a spawned worker needs to serve a stack started with `{ worker: false }`. */
export const workerEnvFor = (stack: Stack): Record<string, string> => ({
  DATABASE_URL: stack.sys.databaseUrl, TEMPORAL_ADDRESS: stack.sys.temporalAddress, TEMPORAL_TASK_QUEUE: stack.taskQueue,
  KITE_API_ROOT: stack.sys.paperBrokerUrl!, KITE_TIMEOUT_MS: '1500', RISK_CONFIG_FILE: stack.riskConfigFile,
});
