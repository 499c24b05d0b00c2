/**
 * `npm run fault-run`: issue 12's fault run at full size (test/e2e/fault-run.test.ts is the CI size of the same code).
 * FAULT_ORDERS orders (default 200) arrive at FAULT_RATE per second (default 5) through the API of a test stack whose
 * worker runs as its own process, while the paper broker injects faults and the worker is SIGKILLed FAULT_KILLS times
 * (default 4) and respawned; then every order is compared with the broker. Prints the figures; exits 1 unless lost,
 * duplicates, mismatches and 5xx are all 0.
 */
// worker-process.ts declares jest hooks in a function this script never calls; its types must still compile here.
/// <reference types="jest" />
import type { ChildProcess } from 'node:child_process';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { startStack, type Stack } from '../test/e2e/stack';
import { kill9, spawnWorker, workerEnvFor } from '../test/e2e/worker-process';
import { figuresOf, formatReport, passed } from '../test/e2e/fault-run-report';
import { runFaultRun } from '../test/e2e/fault-run-scenario';

const ORDERS = Number(process.env.FAULT_ORDERS ?? 200);
const RATE = Number(process.env.FAULT_RATE ?? 5);
const KILLS = Number(process.env.FAULT_KILLS ?? 4);

async function main(): Promise<number> {
  // The test suite's own infrastructure: one Postgres and one Temporal dev server (global-setup.ts), then a stack on it.
  await globalSetup();
  let stack: Stack | undefined;
  let worker: ChildProcess | undefined;
  const cleanUp = async () => {
    if (worker) await kill9(worker);
    await stack?.close().catch((err) => console.error(`closing the stack: ${String(err)}`));
    await globalTeardown();
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    // A paper account that cannot run out of margin at any size (the test's 30 orders fit in the default 10 lakh).
    stack = await startStack({ ORDER_POLL_MIN_MS: '300', ORDER_POLL_MAX_MS: '1000', PAPER_STARTING_CASH: '1000000000' }, { worker: false });
    const workerEnv = workerEnvFor(stack);
    const target = { stack, spawn: () => { worker = spawnWorker(workerEnv); }, kill: async () => { if (worker) await kill9(worker); } };
    const report = await runFaultRun(target, { orders: ORDERS, ratePerSecond: RATE, kills: KILLS, log: (line) => console.log(line) });
    console.log(formatReport(report));
    return passed(figuresOf(report)) ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(2);
});
