import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { EVENTS_CHANNEL } from './event-store';

export interface EventTailOptions {
  databaseUrl: string;
  /** Readers are also woken this often, in case a notification was missed while the listener reconnected. */
  pollMs: number;
  log: (line: string) => void;
}

/**
 * Wakes the event stream's readers when an append commits: one LISTEN connection per process (Postgres delivers a
 * NOTIFY at commit), reconnecting with backoff when it drops, and a slow timer as the safety net. Readers then read
 * from their own cursor, so a missed wake-up only delays, never loses.
 */
export class EventTail {
  private readonly bell = new EventEmitter();
  private client: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryMs = 500;
  private closed = false;
  private readonly dead = new WeakSet<Client>();

  constructor(private readonly opts: EventTailOptions) {
    this.bell.setMaxListeners(0);
  }

  start(): void {
    this.timer = setInterval(() => this.bell.emit('wake'), this.opts.pollMs);
    this.timer.unref();
    void this.listen();
  }

  /** Calls `wake` after every committed append (and on the safety timer) until the returned function is called. */
  subscribe(wake: () => void): () => void {
    this.bell.on('wake', wake);
    return () => this.bell.off('wake', wake);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.bell.emit('wake');
    this.bell.removeAllListeners();
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.opts.databaseUrl });
    client.on('notification', () => this.bell.emit('wake'));
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.closed) return void (await client.end());
      this.client = client;
      this.retryMs = 500;
      this.bell.emit('wake'); // what committed while no one listened
    } catch (err) {
      this.opts.log(`event stream: cannot listen for new events (${(err as Error).message}); retrying in ${this.retryMs} ms, readers poll every ${this.opts.pollMs} ms meanwhile`);
      this.reconnect(client);
    }
  }

  private reconnect(client: Client): void {
    // 'error' and 'end' may both come for one connection: one reconnect each.
    if (this.closed || this.dead.has(client)) return;
    this.dead.add(client);
    if (this.client === client) this.client = null;
    client.removeAllListeners('end');
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    setTimeout(() => void this.listen(), wait).unref();
  }
}
