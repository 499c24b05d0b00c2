import { setTimeout as delay } from 'node:timers/promises';
import { connectTemporal } from '../../src/infra/temporal-connection';
import { testEnv } from '../support/env';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * Closing a client connection while one of its calls waits to retry (Temporal unreachable) must end that call and
 * leave nothing behind: with the SDK's plain connection the retry timer fires on the shut channel and throws
 * "Channel has been shut down" as an uncaught exception, which fails this suite.
 */
describe('a Temporal connection closed while a call retries', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    const [host, port] = testEnv().temporalAddress.split(':');
    proxy = await startTcpProxy(host!, Number(port));
  });
  afterAll(async () => { await proxy.close(); });

  it('when Temporal goes away and the connection closes mid-retry, then the call fails, close returns, and no stray retry throws later', async () => {
    const { connection, close } = await connectTemporal({ address: `127.0.0.1:${proxy.port}` });
    const namespace = testEnv().temporalNamespace;
    await connection.workflowService.describeNamespace({ namespace }); // answered through the proxy
    await proxy.down();
    const call = connection.workflowService.describeNamespace({ namespace }).then(() => 'answered', (err: Error) => `failed: ${err.message}`);
    await delay(600); // a few attempts refused, the next one waiting on a timer
    await close();
    expect(await call).toMatch(/^failed: /);
    await delay(5_500); // longer than any retry interval: a timer left behind would fire (and throw) now
    await proxy.up();
  }, 30_000);
});
