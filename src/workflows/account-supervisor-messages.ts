import { defineQuery } from '@temporalio/workflow';
import type { SupervisionDay } from '../domain/supervision';

/** One supervisor per task queue and account: several OMS deployments on one namespace do not share it. */
export const accountSupervisorWorkflowId = (taskQueue: string, account: string) => `account-supervisor-${taskQueue}-${account}`;

/** The day so far: windows watched, checks and reconciliations run, the latest of each. */
export const supervisionQuery = defineQuery<SupervisionDay>('supervision');
