import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { findTemporalTestServer } from '../../src/infra/binaries';
import { ORDER_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

/** A time-skipping test environment on the project-local test server binary (the SDK cannot download one here). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: findTemporalTestServer() } },
  });
}

/** The workflows upsert OrderStatus & co.; the time-skipping server refuses search attributes it was not told about. */
export async function registerOrderSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const name of Object.keys(ORDER_SEARCH_ATTRIBUTES)) searchAttributes[name] = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
}

/** The project's workflow code (src/workflows), bundled once per test file: every worker and replay of the file reuses it. */
let bundled: Promise<WorkflowBundleWithSourceMap> | undefined;
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  bundled ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
  bundled.catch(() => { bundled = undefined; }); // a failed bundle is tried again, not cached
  return bundled;
}

/** A time-skipping test server that knows the order search attributes. */
export async function createOrderTestEnv(): Promise<TestWorkflowEnvironment> {
  const env = await createTimeSkippingEnv();
  try {
    await registerOrderSearchAttributes(env);
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/** A time-skipping test server with the order search attributes, and the workflow code bundled once, side by side. */
export async function startOrderTestServer(): Promise<[TestWorkflowEnvironment, WorkflowBundleWithSourceMap]> {
  const [env, bundle] = await Promise.allSettled([createOrderTestEnv(), bundleWorkflows()]);
  if (bundle.status === 'rejected') {
    if (env.status === 'fulfilled') await env.value.teardown();
    throw bundle.reason;
  }
  if (env.status === 'rejected') throw env.reason;
  return [env.value, bundle.value];
}
