import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { SupervisionReport } from '../../src/domain/supervision';

/**
 * The supervisor's running window as an operator sees it in the UI's Pending Activities: its last heartbeat's report
 * (checks run, the latest of each). Undefined before the first beat.
 */
export async function liveSupervision(handle: WorkflowHandle): Promise<SupervisionReport | undefined> {
  const { raw } = await handle.describe();
  const beat = raw.pendingActivities?.find((a) => a.activityType?.name === 'superviseAccount')?.heartbeatDetails?.payloads?.[0];
  return beat ? defaultPayloadConverter.fromPayload<SupervisionReport>(beat) : undefined;
}
