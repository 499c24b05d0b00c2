import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ORDER_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

/** The workflow upserts OrderStatus; the time-skipping server refuses search attributes it was not told about. */
export async function registerOrderSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const name of Object.keys(ORDER_SEARCH_ATTRIBUTES)) searchAttributes[name] = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
}
