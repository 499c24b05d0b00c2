import { createTimeSkippingEnv } from '../support/time-skipping';

test('the time-skipping test server runs from the project-local binary and skips a day without waiting', async () => {
  const env = await createTimeSkippingEnv();
  try {
    const before = await env.currentTimeMs();
    await env.sleep('1 day');
    const skipped = (await env.currentTimeMs()) - before;

    expect(skipped).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
  } finally {
    await env.teardown();
  }
});
