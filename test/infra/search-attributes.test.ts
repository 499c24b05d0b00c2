import crypto from 'node:crypto';
import { msToTs } from '@temporalio/common/lib/time';
import { connectTemporal, type ClosableConnection } from '../../src/infra/temporal-connection';
import { ensureSearchAttributes, SearchAttributeClashError } from '../../src/infra/search-attributes';
import { ORDER_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { testEnv } from '../support/env';

/** A namespace of its own on the shared dev server, so that nothing the OMS registers there is there already. */
async function freshNamespace(temporal: ClosableConnection): Promise<string> {
  const namespace = `sa-test-${crypto.randomBytes(4).toString('hex')}`;
  await temporal.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  return namespace;
}

const registered = async (temporal: ClosableConnection, namespace: string) =>
  (await temporal.connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};

describe('the OMS registers its own search attributes at start', () => {
  let temporal: ClosableConnection;
  beforeAll(async () => { temporal = await connectTemporal({ address: testEnv().temporalAddress }); });
  afterAll(async () => { await temporal.close(); });

  it('when several processes start at once on a namespace without them, then all succeed and every attribute (OrderParent too) is a Keyword', async () => {
    const namespace = await freshNamespace(temporal);
    const starts = [1, 2, 3].map(() => ensureSearchAttributes(temporal.connection, { namespace, attributes: ORDER_SEARCH_ATTRIBUTES, pollMs: 100 }));
    await expect(Promise.all(starts)).resolves.toHaveLength(3);
    const attributes = await registered(temporal, namespace);
    for (const key of [...Object.keys(ORDER_SEARCH_ATTRIBUTES), 'OrderParent']) expect(Number(attributes[key])).toBe(2); // IndexedValueType KEYWORD
  });

  it('when the attributes are registered already, then a start adds nothing and succeeds', async () => {
    const namespace = await freshNamespace(temporal);
    await ensureSearchAttributes(temporal.connection, { namespace, attributes: ORDER_SEARCH_ATTRIBUTES, pollMs: 100 });
    await expect(ensureSearchAttributes(temporal.connection, { namespace, attributes: ORDER_SEARCH_ATTRIBUTES })).resolves.toEqual({ added: [] });
  });

  it('when an attribute exists under another type, then the start fails at once naming the attribute and both types', async () => {
    const namespace = await freshNamespace(temporal);
    await ensureSearchAttributes(temporal.connection, { namespace, attributes: { OrderParent: 'Int' }, pollMs: 100 });
    // A wait would end in a timeout error instead: the clash is reported without waiting.
    const attempt = ensureSearchAttributes(temporal.connection, { namespace, attributes: ORDER_SEARCH_ATTRIBUTES, timeoutMs: 30_000 });
    await expect(attempt).rejects.toThrow(SearchAttributeClashError);
    await expect(attempt).rejects.toThrow(/OrderParent is Int, the OMS needs Keyword/);
    expect(Number((await registered(temporal, namespace)).OrderClientId ?? 0)).toBe(0); // nothing half-registered
  });
});
