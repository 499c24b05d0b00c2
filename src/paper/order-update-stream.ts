import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { orderUpdateBody, type PostbackStatus } from './postbacks';
import type { PaperState } from './state';

/** Kite sends a 1-byte binary heartbeat every second; KiteTicker drops a connection that is silent for 5 s. */
const HEARTBEAT_MS = 1000;

/**
 * One account's Kite WebSocket (wss://ws.kite.trade?api_key=..&access_token=..) on the paper broker's own HTTP port:
 * the handshake is refused with 403 unless the key and token are the ones its REST routes accept; each order change
 * of the account goes to each of its connections as a text frame `{"type":"order","data":<the postback body>}`, the
 * way KiteTicker's `order_update` expects it. Market-data subscriptions are accepted and ignored (no binary ticks), heartbeats keep the client's
 * read timeout quiet.
 */
export class OrderUpdateStream {
  private readonly wss = new WebSocket.Server({ noServer: true });
  private heartbeat: NodeJS.Timeout | undefined;
  /** Order updates sent (one per connection), for /control/stats. */
  sent = 0;

  constructor(private readonly state: PaperState) {}

  /** Serves the WebSocket on this server's upgrade requests (any path: KiteTicker's root decides it). */
  attach(server: http.Server): void {
    attachStreams(server, [this]);
  }

  /** True when the handshake's key and token are the ones this account's REST routes accept. */
  accepts(apiKey: string | null, accessToken: string | null): boolean {
    return apiKey === this.state.settings.apiKey && accessToken === this.state.settings.accessToken;
  }

  get connections(): number {
    return this.wss.clients.size;
  }

  broadcast(order: Record<string, unknown>, status: PostbackStatus): void {
    if (this.wss.clients.size === 0) return;
    const frame = JSON.stringify({ type: 'order', data: orderUpdateBody(order, status, this.state.settings.apiSecret) });
    for (const client of this.wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      client.send(frame);
      this.sent += 1;
    }
  }

  /** Drops every connection (their clients reconnect) and stops the heartbeat. */
  close(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const client of this.wss.clients) client.terminate();
  }

  /** Completes a handshake that `accepts` this account. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket as Socket, head, (client) => {
      client.on('error', () => client.terminate());
      this.startHeartbeat();
    });
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    const beat = Buffer.alloc(1);
    this.heartbeat = setInterval(() => {
      for (const client of this.wss.clients) if (client.readyState === WebSocket.OPEN) client.send(beat);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }
}

/**
 * Serves several accounts' WebSockets on one server: the handshake's api_key and access_token pick the account, whose
 * connections then get only its order updates; a pair no account accepts is refused with 403.
 */
export function attachStreams(server: http.Server, streams: readonly OrderUpdateStream[]): void {
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const query = new URL(req.url ?? '/', 'http://paper').searchParams;
    const stream = streams.find((s) => s.accepts(query.get('api_key'), query.get('access_token')));
    if (stream) return stream.upgrade(req, socket, head);
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nIncorrect `api_key` or `access_token`.');
  });
}
