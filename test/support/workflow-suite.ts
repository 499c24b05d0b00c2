import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { within } from './poll';
import { bundleWorkflows, createOrderTestEnv, createTimeSkippingEnv } from './time-skipping';
import { WorkerTracker, type RunningWorker, type TestWorkerOptions } from './workers';

export interface WorkflowSuiteOptions {
  /** Register the order search attributes on the server (default true; the order, group and monitor workflows set them). */
  searchAttributes?: boolean;
  /**
   * A fresh test server for every test instead of one per file: a workflow whose child finishes after it can leave the
   * time-skipping clock locked for whatever runs next on the same server.
   */
  serverPerTest?: boolean;
}

export interface WorkflowSuite {
  /** The time-skipping test server of the running test. */
  readonly env: TestWorkflowEnvironment;
  /** src/workflows bundled once for the file. */
  readonly workflowBundle: WorkflowBundleWithSourceMap;
  /** Starts a worker on the suite's server (workflow bundle included); stopped at the latest when the test ends. */
  startWorker(options: TestWorkerOptions): Promise<RunningWorker>;
  /** Runs `body` while a worker serves `options.taskQueue`; the worker is stopped and awaited however `body` ends. */
  runWorker<T>(options: TestWorkerOptions, body: () => Promise<T>): Promise<T>;
  /**
   * One labelled step of a test: rejects with `what` when `body` has not settled within `ms` (a hang fails with its
   * reason, not with jest's timeout). The client calls `body` makes are cancelled when it fails or times out, and in any
   * case when the test ends, before the workers stop and the server goes: a call still waiting on the server (an
   * env.sleep the clock never reaches) would otherwise be retried against the closed connection and throw
   * `Channel has been shut down` into whatever suite runs next. `body` gets the signal, to end a polling loop with.
   */
  step<T>(what: string | (() => string), ms: number, body: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

const HOOK_TIMEOUT_MS = 60_000;

/**
 * Declares the jest hooks of a workflow test file: the test server and the bundle before the tests, and a clean end
 * after each test and after the file. Order matters at the end: every worker is shut down and awaited first, then the
 * server is torn down (also when a test failed or timed out), so no worker is left polling a closed server and the next
 * file starts clean.
 */
export function useWorkflowTestServer(opts: WorkflowSuiteOptions = {}): WorkflowSuite {
  const createEnv = opts.searchAttributes === false ? createTimeSkippingEnv : createOrderTestEnv;
  let env: TestWorkflowEnvironment | undefined;
  let workflowBundle: WorkflowBundleWithSourceMap | undefined;
  const workers = new WorkerTracker(() => ({ connection: suite.env.nativeConnection, workflowBundle: suite.workflowBundle }));
  // Aborted when the test ends: every step's client calls listen to it.
  let testRun = new AbortController();
  const endTest = () => testRun.abort(new Error('the test has ended'));

  const tearDown = async () => {
    endTest();
    try {
      await workers.stopAll();
    } finally {
      const closing = env;
      env = undefined;
      await closing?.teardown();
    }
  };

  beforeAll(async () => {
    await Promise.all([
      bundleWorkflows().then((b) => { workflowBundle = b; }),
      opts.serverPerTest ? undefined : createEnv().then((e) => { env = e; }),
    ]);
  }, HOOK_TIMEOUT_MS);
  beforeEach(() => { testRun = new AbortController(); });
  if (opts.serverPerTest) {
    beforeEach(async () => { env = await createEnv(); }, HOOK_TIMEOUT_MS);
    afterEach(tearDown, HOOK_TIMEOUT_MS);
  } else {
    afterEach(() => { endTest(); return workers.stopAll(); }, HOOK_TIMEOUT_MS);
  }
  afterAll(tearDown, HOOK_TIMEOUT_MS);

  const suite: WorkflowSuite = {
    get env() {
      if (!env) throw new Error('the test server is not running (used outside a test, or after its teardown)');
      return env;
    },
    get workflowBundle() {
      if (!workflowBundle) throw new Error('the workflow code is not bundled yet (used outside a test)');
      return workflowBundle;
    },
    startWorker: (options) => workers.start(options),
    runWorker: (options, body) => workers.runUntil(options, body),
    step: async (what, ms, body) => {
      const failed = new AbortController();
      const signal = AbortSignal.any([failed.signal, testRun.signal]);
      try {
        return await within(suite.env.connection.withAbortSignal(signal, () => body(signal)), ms, what);
      } catch (err) {
        failed.abort(err);
        throw err;
      }
    },
  };
  return suite;
}

/** Ends a workflow a test left running, so no worker is left waiting on it. */
export async function terminateIfRunning(handle: { describe(): Promise<{ status: { name: string } }>; terminate(reason?: string): Promise<unknown> }): Promise<void> {
  const { status } = await handle.describe();
  if (status.name === 'RUNNING') await handle.terminate('test done');
}
