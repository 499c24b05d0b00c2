import net from 'node:net';
import { baseUrlOf, listenOn } from '../../src/system/listen';

/** The API's and the metrics server's listen: a taken port is a start-up error, not a server that never answers. */
describe('listening on a port', () => {
  const answer = (_req: unknown, res: { end(body: string): void }) => res.end('ok');

  it('when the port is free, then the server answers on it and its base URL names the port it got', async () => {
    const server = await listenOn(answer as never, 0, '127.0.0.1');
    try {
      const url = baseUrlOf(server, '127.0.0.1', 0);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toBe('http://127.0.0.1:0');
      expect(await (await fetch(url)).text()).toBe('ok');
    } finally {
      server.close();
    }
  });

  it('when another process holds the port, then listening fails with EADDRINUSE', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      await expect(listenOn(answer as never, port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      holder.close();
    }
  });
});
