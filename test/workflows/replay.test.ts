import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { orderLifecycleWorkflow } from '../../src/workflows';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { registerOrderSearchAttributes } from './order-env';
import { limitBuy, orderInput, stubActivities, uniqueId } from './order-stubs';

/**
 * Replays every committed order history against today's workflow code: a change that would break running orders
 * (non-determinism) fails here. `RECORD_REPLAY=1` first records a happy-path history, once, if it is missing.
 */
const REPLAY_DIR = path.resolve(__dirname, '../replay');
const FILLED_HISTORY = path.join(REPLAY_DIR, 'order-filled.history.json'); // recorded before the risk gate existed
const GATED_HISTORY = path.join(REPLAY_DIR, 'order-risk-gated.history.json'); // recorded with the risk gate
const RECORD = process.env.RECORD_REPLAY === '1';

async function recordFilledOrderHistory(file: string): Promise<void> {
  const env = await createTimeSkippingEnv();
  try {
    await registerOrderSearchAttributes(env);
    const stubs = stubActivities();
    const taskQueue = uniqueId('replay-record');
    const worker = await Worker.create({
      connection: env.nativeConnection, taskQueue, activities: stubs.activities,
      workflowsPath: require.resolve('../../src/workflows'),
    });
    const workflowId = path.basename(file, '.history.json');
    const handle = await env.client.workflow.start(orderLifecycleWorkflow, {
      workflowId, taskQueue, args: [orderInput(workflowId, limitBuy(), { receivedAt: '2026-11-24T04:00:00.000Z' })],
    });
    const result = await worker.runUntil(handle.result());
    expect(result.status).toBe('FILLED');
    const history = await handle.fetchHistory();
    fs.mkdirSync(REPLAY_DIR, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(history)), null, 2) + '\n');
  } finally {
    await env.teardown();
  }
}

// Defined only when asked for, so a normal run has no skipped test.
if (RECORD && !fs.existsSync(GATED_HISTORY)) test('records a risk-gated filled order history for replay (RECORD_REPLAY=1, file missing)', async () => {
  await recordFilledOrderHistory(GATED_HISTORY);
  expect(fs.existsSync(GATED_HISTORY)).toBe(true);
});

test('every committed order history replays against the current workflow code without a determinism error', async () => {
  const files = fs.readdirSync(REPLAY_DIR).filter((f) => f.endsWith('.history.json')).sort();
  expect(files).toEqual(expect.arrayContaining([path.basename(FILLED_HISTORY), path.basename(GATED_HISTORY)]));
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.history\.json$/, ''),
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(REPLAY_DIR, f), 'utf8'))),
  }));

  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) results.push(result);

  expect(results.map((r) => r.workflowId)).toEqual(histories.map((h) => h.workflowId));
  for (const r of results) expect({ workflowId: r.workflowId, error: r.error }).toEqual({ workflowId: r.workflowId, error: undefined });
});
