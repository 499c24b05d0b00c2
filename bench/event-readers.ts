import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureOf } from '../src/services/event-delivery';

/** One strategy event as it reached a reader, stamped with the reader's clock (performance.now()). */
export interface Arrival {
  type: string;
  orderId: string | null;
  status?: string;
  at: number;
  /** Webhooks only: whether X-OMS-Signature checked out against the shared secret. */
  signed?: boolean;
}

/**
 * A minimal Server-Sent Events reader over fetch, as a strategy in any language reads GET /api/v1/events (the same
 * framing as test/support/sse-client.ts, which the bench build does not include): each frame is stamped as it completes.
 */
export async function openSse(url: string, headers: Record<string, string>, onEvent: (a: Arrival) => void): Promise<{ close: () => void }> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`SSE open answered ${res.status}: ${await res.text()}`);
  const pump = async (body: AsyncIterable<Uint8Array>) => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer.slice(0, i).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
          buffer = buffer.slice(i + 2);
          if (data.length) onEvent(arrivalOf(JSON.parse(data.join('\n')), performance.now()));
        }
      }
    } catch { /* closed */ }
  };
  void pump(res.body as unknown as AsyncIterable<Uint8Array>);
  return { close: () => controller.abort() };
}

/**
 * A webhook receiver on a free local port that answers 200 at once and stamps each event as its body completes,
 * checking its signature as a strategy would.
 */
export async function startWebhookReceiver(secret: string, onEvent: (a: Arrival) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      const body = Buffer.concat(chunks).toString('utf8');
      const signed = req.headers['x-oms-signature'] === signatureOf(secret, String(req.headers['x-oms-timestamp']), body);
      try { onEvent({ ...arrivalOf(JSON.parse(body), at), signed }); } catch { /* not an event */ }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

function arrivalOf(m: { type: string; orderId: string | null; data?: { status?: string } }, at: number): Arrival {
  return { type: m.type, orderId: m.orderId, status: m.data?.status, at };
}
