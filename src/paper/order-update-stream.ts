import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { orderUpdateBody, type PostbackStatus } from './postbacks';
import type { PaperState } from './state';

/** Kite sends a 1-byte binary heartbeat every second; KiteTicker drops a connection that is silent for 5 s. */
const HEARTBEAT_MS = 1000;

/**
 * Kite's WebSocket (wss://ws.kite.trade?api_key=..&access_token=..) on the paper broker's own HTTP port: the handshake
 * is refused with 403 unless the key and token are the ones its REST routes accept; each order change goes to every
 * connection as a text frame `{"type":"order","data":<the postback body>}`, the way KiteTicker's `order_update`
 * expects it. Market-data subscriptions are accepted and ignored (no binary ticks), heartbeats keep the client's
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
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
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

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = new URL(req.url ?? '/', 'http://paper').searchParams;
    const { apiKey, accessToken } = this.state.settings;
    if (query.get('api_key') !== apiKey || query.get('access_token') !== accessToken) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nIncorrect `api_key` or `access_token`.');
      return;
    }
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
