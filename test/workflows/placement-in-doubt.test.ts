import { ApplicationFailure } from '@temporalio/common';
import { interventionUpdate } from '../../src/workflows/order-messages';
import { useWorkflowTestServer } from '../support/workflow-suite';
import { waitForOrder, withOrderWorkflow } from './order-harness';
import { limitBuy, stubActivities, type StubOptions } from './order-stubs';

const suite = useWorkflowTestServer();

/** Every placement attempt times out (the broker's answer is lost); the retries are few and quick. */
const lost = (): string => { throw new Error('ETIMEDOUT: the broker did not answer'); };
const quickRetries = { retry: { place: { strategy: 'fixed' as const, attempts: 2, baseDelayMs: 100, maxDelayMs: 100, multiplier: 1 } } };

function withOrder<T>(opts: StubOptions, body: Parameters<typeof withOrderWorkflow<T>>[4]) {
  const stubs = stubActivities({ submit: lost, ...opts });
  return { stubs, run: withOrderWorkflow(suite, stubs.activities, limitBuy(), quickRetries, body) };
}

describe('a placement whose outcome is unknown after its retries', () => {
  test('when the broker shows the order only after the settle window, then the order waits in doubt and adopts it (never FAILED, never placed again)', async () => {
    const findByTag = (call: number) => (call <= 2 ? { settlesInMs: 5_000 } : { brokerOrderId: 'B-LATE', status: 'OPEN' });
    const { stubs, run } = withOrder({ findByTag }, async (handle) => {
      const s = await waitForOrder(handle, (x) => x.brokerOrderId === 'B-LATE');
      expect(s.status).not.toBe('FAILED');
      return s;
    });
    await run;
    expect(stubs.calls.findBrokerOrderByTag).toBe(3);
    expect(stubs.events().filter((e) => e.type === 'PLACEMENT_IN_DOUBT')).toHaveLength(2);
    expect(stubs.events().some((e) => e.toStatus === 'FAILED')).toBe(false);
  });

  test('when the settle window passes with nothing at the broker, then the order fails, saying it was never placed', async () => {
    const findByTag = (call: number) => (call === 1 ? { settlesInMs: 2_000 } : null);
    const { stubs, run } = withOrder({ findByTag }, async (handle) => handle.result());
    const result = await run;
    expect(result.status).toBe('FAILED');
    expect(result.statusMessage).toMatch(/no order tagged .* after the settle window/);
    expect(stubs.calls.findBrokerOrderByTag).toBe(2);
  });

  test('when the broker cannot be asked past the search budget, then an operator is asked (resume only) and a resume looks again', async () => {
    let down = true;
    const findByTag = () => {
      // As the search fails once its budget is spent (the real one retries for 3 minutes first).
      if (down) throw ApplicationFailure.create({ nonRetryable: true, message: 'ECONNRESET: the broker is down' });
      return { brokerOrderId: 'B-FOUND', status: 'OPEN' };
    };
    const { stubs, run } = withOrder({ findByTag }, async (handle) => {
      const waiting = await waitForOrder(handle, (x) => x.intervention !== null && x.intervention !== undefined);
      expect(waiting.intervention).toMatchObject({ reason: 'PLACEMENT_UNKNOWN', actions: ['resume'] });
      expect(waiting.status).not.toBe('FAILED');
      down = false;
      await handle.executeUpdate(interventionUpdate, { args: [{ action: 'resume', by: 'ops-1', note: 'broker back' }] });
      return waitForOrder(handle, (x) => x.brokerOrderId === 'B-FOUND');
    });
    const s = await run;
    expect(s.intervention ?? null).toBeNull();
    expect(stubs.placements).toEqual([]);
  });
});
