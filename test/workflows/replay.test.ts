import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { REPLAY_DIR } from '../support/replay';

/**
 * Replays every committed history against today's workflow code: a change that would break running workflows
 * (non-determinism) fails here. The histories are recorded by the feature tests themselves (`replayAndRecord` with
 * RECORD_REPLAY=1, see docs/versioning.md); until the first release they are re-recorded whenever a change alters
 * history, so there is one per feature, all from the current code.
 */
const FEATURE_HISTORIES = [
  'order-filled', // a LIMIT order placed once and filled
  'order-modify-cancel', // modified (re-checked by the risk gate), then cancelled
  'order-fallback-reduce', // margin rejections: re-placed reduced under new tags
  'order-split', // above the freeze quantity: child slices
  'order-manual-review', // the broker refused; an operator chose new terms
  'group-oco-excess', // both OCO legs filled: the excess flattened
  'kill-switch', // engaged, held through the weekend, released by the calendar
];

test('there is a committed history for every feature the replay check covers', () => {
  const files = fs.readdirSync(REPLAY_DIR).filter((f) => f.endsWith('.history.json'));
  expect(files).toEqual(expect.arrayContaining(FEATURE_HISTORIES.map((name) => `${name}.history.json`)));
});

test('every committed history replays against the current workflow code without a determinism error', async () => {
  const files = fs.readdirSync(REPLAY_DIR).filter((f) => f.endsWith('.history.json')).sort();
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
