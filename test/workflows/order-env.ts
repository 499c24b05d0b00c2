import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { ORDER_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

/** The workflow upserts OrderStatus; the time-skipping server refuses search attributes it was not told about. */
export async function registerOrderSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const name of Object.keys(ORDER_SEARCH_ATTRIBUTES)) searchAttributes[name] = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
}

/** A time-skipping test server with the order search attributes, and the workflow code bundled once, side by side. */
export async function startOrderTestServer(): Promise<[TestWorkflowEnvironment, WorkflowBundleWithSourceMap]> {
  const [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') })]);
  await registerOrderSearchAttributes(env);
  return [env, bundle];
}
