import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * Listens on host:port and answers with the server once it listens, or rejects with the listen error (EADDRINUSE).
 * Not express's app.listen: Express 5 calls its callback on a listen error too, so a taken port would look like success.
 */
export async function listenOn(app: RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return server;
}

/** The base URL a listening server answers on (the port it got, when 0 was asked). */
export function baseUrlOf(server: Server, host: string, port: number): string {
  const addr = server.address();
  return `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}`;
}
