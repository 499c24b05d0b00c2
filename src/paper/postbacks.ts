import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { PAPER_USER_ID } from './order-book';

export type PostbackStatus = 'COMPLETE' | 'CANCELLED' | 'REJECTED' | 'UPDATE';

export interface PostbackStats {
  sent: number;
  failed: number;
  dropped: number;
}

export interface PostbackDeps {
  url: () => string | null;
  apiSecret: string;
  /** Consulted once per postback: true drops it (fault injection). */
  shouldDrop: () => boolean;
  log: (msg: string) => void;
  timeoutMs?: number;
}

/** Kite's postback checksum: sha256(order_id + order_timestamp + api_secret), hex. */
export function postbackChecksum(orderId: string, orderTimestamp: string, apiSecret: string): string {
  return createHash('sha256').update(orderId + orderTimestamp + apiSecret).digest('hex');
}

/** The body Kite posts back, which its WebSocket also streams as an order update's `data`. */
export function orderUpdateBody(order: Record<string, unknown>, status: PostbackStatus, apiSecret: string): Record<string, unknown> {
  const orderId = String(order.order_id);
  const quantity = Number(order.quantity);
  const filled = Number(order.filled_quantity);
  return {
    ...order,
    user_id: order.placed_by ?? PAPER_USER_ID, // the account's user id
    app_id: 1,
    status,
    unfilled_quantity: status === 'COMPLETE' ? 0 : quantity - filled,
    checksum: postbackChecksum(orderId, String(order.order_timestamp), apiSecret),
  };
}

/**
 * POSTs order updates as JSON, the way Kite does: one chain per order id keeps them in order, a failed POST is
 * logged and never retried (Kite does not retry either, so consumers need a polling fallback).
 */
export class PostbackDispatcher {
  readonly stats: PostbackStats = { sent: 0, failed: 0, dropped: 0 };
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inflight = new Set<http.ClientRequest>();
  private closed = false;
  /** Bumped by resetStats: a postback queued before a reset finishes into the old, discarded counts. */
  private generation = 0;

  constructor(private readonly deps: PostbackDeps) {}

  enqueue(order: Record<string, unknown>, status: PostbackStatus): void {
    const url = this.deps.url();
    if (!url || this.closed) return;
    if (this.deps.shouldDrop()) {
      this.stats.dropped += 1;
      return;
    }
    const orderId = String(order.order_id);
    const body = JSON.stringify(orderUpdateBody(order, status, this.deps.apiSecret));
    const previous = this.chains.get(orderId) ?? Promise.resolve();
    const counts = this.countsOf(this.generation);
    const next = previous.then(() => this.send(url, body, orderId, counts));
    this.chains.set(orderId, next);
    void next.then(() => {
      if (this.chains.get(orderId) === next) this.chains.delete(orderId);
    });
  }

  /** Resolves when every queued postback has been attempted. */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  close(): void {
    this.closed = true;
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
  }

  resetStats(): void {
    this.generation += 1;
    Object.assign(this.stats, { sent: 0, failed: 0, dropped: 0 });
  }

  /** Where a postback queued now counts its outcome: the live stats, or nowhere once a reset has passed. */
  private countsOf(generation: number): () => PostbackStats | undefined {
    return () => (generation === this.generation ? this.stats : undefined);
  }

  private send(url: string, body: string, orderId: string, counts: () => PostbackStats | undefined): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const fail = (why: string): void => {
        const stats = counts();
        if (stats) stats.failed += 1;
        this.deps.log(`postback for ${orderId} to ${url} failed: ${why}`);
        resolve();
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        fail('invalid postback URL');
        return;
      }
      const client = target.protocol === 'https:' ? https : http;
      const req = client.request(target, {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        timeout: this.deps.timeoutMs ?? 5000,
      });
      this.inflight.add(req);
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          this.inflight.delete(req);
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) {
            const stats = counts();
            if (stats) stats.sent += 1;
            resolve();
          } else {
            fail(`HTTP ${code}`);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        this.inflight.delete(req);
        fail(err.message);
      });
      req.end(body);
    });
  }
}
