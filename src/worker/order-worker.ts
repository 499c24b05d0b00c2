import { NativeConnection, Worker } from '@temporalio/worker';
import type { OrderActivities } from '../activities/create-activities';
import { heartbeatWhileRunning } from './heartbeats';

/** A worker for the order task queue. Workflow code is bundled from src/workflows (or its compiled twin). */
export async function createOrderWorker(args: { address: string; namespace: string; taskQueue: string; activities: OrderActivities; workflowBundle?: { code: string } }) {
  const connection = await NativeConnection.connect({ address: args.address });
  const worker = await Worker.create({
    connection, namespace: args.namespace, taskQueue: args.taskQueue, activities: args.activities,
    // Activities are I/O-bound, and in a burst many wait in the broker rate-limit queue: do not let them starve the rest.
    maxConcurrentActivityTaskExecutions: 1000,
    interceptors: { activity: [heartbeatWhileRunning] },
    // A workflow task waits this long on a (possibly dead) worker's sticky queue before any worker may take it: with
    // the activities' heartbeats, an order on a SIGKILLed worker moves again within about ten seconds.
    stickyQueueScheduleToStartTimeout: '3s',
    ...(args.workflowBundle ? { workflowBundle: args.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
  return { worker, connection };
}
