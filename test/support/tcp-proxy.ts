import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './ports';

/**
 * A TCP proxy in front of a dependency (Postgres, the Temporal server), so a test can take the dependency "down" for
 * the process under test only: `down()` drops every open connection and refuses new ones (connection refused), `up()`
 * listens again on the same port.
 */
export interface TcpProxy { port: number; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const listen = () => new Promise<void>((resolve, reject) => {
    if (server) return resolve(); // up already
    server = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const stop = async () => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return { port, down: stop, up: listen, close: stop };
}
