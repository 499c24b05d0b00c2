import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** Where the committed histories live that test/workflows/replay.test.ts replays. */
export const REPLAY_DIR = path.resolve(__dirname, '../replay');

/** The workflow's whole history, run again by the current workflow code: a determinism error fails the test. */
export async function expectReplays(workflowBundle: WorkflowBundleWithSourceMap, handle: WorkflowHandle): Promise<void> {
  await expect(Worker.runReplayHistory({ workflowBundle }, await handle.fetchHistory(), handle.workflowId)).resolves.toBeUndefined();
}

/**
 * Replays the history (a determinism check) and, with RECORD_REPLAY=1, keeps it as test/replay/<name>.history.json so
 * later changes to the workflow are checked against it too (`overwrite`: also when the file exists).
 */
export async function replayAndRecord(workflowBundle: WorkflowBundleWithSourceMap, handle: WorkflowHandle, name: string, opts: { overwrite?: boolean } = {}): Promise<void> {
  const history = await handle.fetchHistory();
  await Worker.runReplayHistory({ workflowBundle }, history, handle.workflowId);
  const file = path.join(REPLAY_DIR, `${name}.history.json`);
  if (process.env.RECORD_REPLAY === '1' && (opts.overwrite || !fs.existsSync(file))) {
    fs.writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(history)), null, 2) + '\n');
  }
}
