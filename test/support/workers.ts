import { Worker, type NativeConnection, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { heartbeatWhileRunning } from '../../src/worker/heartbeats';

/** Worker options a test chooses; the connection and the workflow bundle come from the suite. */
export type TestWorkerOptions = Omit<WorkerOptions, 'connection'>;

export interface RunningWorker {
  worker: Worker;
  /** Settles once the worker has stopped (rejects with the error that stopped it). */
  finished: Promise<void>;
  /** Shuts the worker down if it still runs and waits until it has stopped: nothing of it polls afterwards. */
  stop(): Promise<void>;
}

/**
 * Every worker a suite starts, so that none is left polling when the test server goes away (a worker outliving its
 * server retries it forever and keeps jest from exiting). A worker whose activity ignores its cancellation is
 * forced down after `shutdownForceTime`, so a stop always ends.
 */
export class WorkerTracker {
  private readonly running = new Set<RunningWorker>();

  constructor(private readonly suite: () => { connection: NativeConnection; workflowBundle?: WorkflowBundleWithSourceMap }) {}

  /** Creates and runs a worker; stop it with `stop()`, or `stopAll()` does at the end of the test. */
  async start(options: TestWorkerOptions): Promise<RunningWorker> {
    const { connection, workflowBundle } = this.suite();
    const worker = await Worker.create({ connection, shutdownForceTime: '20s', interceptors: { activity: [heartbeatWhileRunning] }, ...(options.workflowsPath ? {} : { workflowBundle }), ...options });
    const finished = worker.run();
    const running: RunningWorker = {
      worker,
      finished,
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await finished;
      },
    };
    this.running.add(running);
    const forget = () => { this.running.delete(running); };
    finished.then(forget, forget);
    return running;
  }

  /** Runs `body` while a worker serves; the worker is stopped and awaited however `body` ends (as Worker.runUntil). */
  async runUntil<T>(options: TestWorkerOptions, body: () => Promise<T>): Promise<T> {
    const running = await this.start(options);
    const stoppedEarly = running.finished.then((): never => { throw new Error('the worker stopped before the test was done'); });
    try {
      return await Promise.race([body(), stoppedEarly]);
    } finally {
      await running.stop();
    }
  }

  /** Stops every worker still running and waits for each; never throws (a stop that fails is reported). */
  async stopAll(): Promise<void> {
    const results = await Promise.allSettled([...this.running].map((w) => w.stop()));
    for (const r of results) if (r.status === 'rejected') console.warn('a test worker stopped with an error:', r.reason);
  }
}
