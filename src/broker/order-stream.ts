import { KiteTicker } from 'kiteconnect';

/** The fields of a Kite order update (the postback body) that the OMS acts on. */
export interface StreamedOrderUpdate {
  brokerOrderId: string;
  tag: string | null;
  status: string | undefined;
  filledQuantity: number | undefined;
  averagePrice: number | undefined;
}

export interface OrderStreamDeps {
  apiKey: string;
  /** Kite's WebSocket address (its default wss://ws.kite.trade/ when absent); the paper broker's ws://host:port/. */
  root?: string;
  /** The access token to connect with, read before every attempt (a new one appears after the daily login). */
  accessToken: () => Promise<string>;
  /** Hands one update to its order (OrderService.deliverBrokerUpdate). */
  deliver: (update: StreamedOrderUpdate) => Promise<unknown>;
  log: (line: string) => void;
  /** Waits between attempts while the stream is down: from minMs, doubling, up to maxMs (defaults 500 ms / 30 s). */
  backoff?: { minMs: number; maxMs: number };
  /** How often the connection is checked while it is up (default 1 s). */
  checkMs?: number;
}

type TickerLike = {
  access_token: string;
  connect(): void;
  disconnect(): void;
  connected(): boolean;
  on(event: string, callback: (...args: unknown[]) => void): void;
};

/**
 * KiteTicker keeps its socket and its event handlers module-wide: one connection per process, and handlers that can
 * never be removed. So the handlers are bound once and forward to the stream that runs now.
 */
interface TickerEvents { connect(): void; failure(reason: unknown, isError: boolean): void; orderUpdate(data: unknown): void }
let running: TickerEvents | null = null;
let handlersBound = false;

/**
 * Kite's order updates over its WebSocket, through the official KiteTicker: each `order_update` is handed to its
 * order as a hint (the same path and de-duplication as postbacks). The ticker's own reconnection is off (it exits the
 * process after its last try); this stream checks the connection itself and reconnects with exponential backoff,
 * taking the current access token each time, and logs once per change between up and down. Postbacks and the
 * order-book watcher stay as the fallbacks: an update lost while the socket is down reaches the order through them.
 */
export class OrderStream {
  private ticker: TickerLike | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private up: boolean | null = null;
  private attempts = 0;
  private attemptStartedAt: number | null = null;
  private lastError = '';
  private errorSinceAttempt = false;
  private readonly events: TickerEvents = {
    connect: () => this.onConnect(), failure: (reason, isError) => this.onFailure(reason, isError), orderUpdate: (data) => this.onOrderUpdate(data),
  };

  constructor(private readonly d: OrderStreamDeps) {}

  start(): void {
    if (running && running !== this.events) {
      this.d.log('order stream: another stream runs in this process already (KiteTicker allows one); this one stays off');
      return;
    }
    running = this.events;
    this.ticker = new KiteTicker({ api_key: this.d.apiKey, access_token: '', reconnect: false, ...(this.d.root ? { root: this.d.root } : {}) } as never) as unknown as TickerLike;
    if (!handlersBound) bindHandlers(this.ticker);
    this.schedule(0);
  }

  /** Closes the connection and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (running !== this.events) return;
    running = null;
    this.ticker?.disconnect();
  }

  private onConnect(): void {
    this.attemptStartedAt = null;
    this.attempts = 0;
    this.markUp();
  }

  private onFailure(reason: unknown, isError: boolean): void {
    if (this.ticker?.connected()) return; // an older socket closing
    this.attemptStartedAt = null;
    // The error says why (a 403: the token was refused); the close that follows it only says 1006.
    if (isError || !this.errorSinceAttempt) this.lastError = describe(reason) || this.lastError;
    this.errorSinceAttempt ||= isError;
  }

  private onOrderUpdate(data: unknown): void {
    const update = parseUpdate(data);
    if (!update) return;
    this.d.deliver(update).catch((err: unknown) => {
      this.d.log(`order stream: update for broker order ${update.brokerOrderId} not delivered (${describe(err)}); postbacks or the order-book watcher bring it`);
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), delayMs);
    this.timer.unref();
  }

  /** One look at the connection: up, a handshake still in progress, or time for the next attempt. */
  private async check(): Promise<void> {
    const ticker = this.ticker!;
    if (this.stopped) return;
    if (ticker.connected()) {
      this.markUp();
      return this.schedule(this.d.checkMs ?? 1000);
    }
    if (this.attempts > 0 || this.up === true) this.markDown(); // the last attempt failed, or the connection dropped
    const handshakeMs = 10_000;
    if (this.attemptStartedAt !== null && Date.now() - this.attemptStartedAt < handshakeMs) return this.schedule(this.d.checkMs ?? 1000);
    try {
      const token = await this.d.accessToken();
      if (this.stopped) return;
      ticker.disconnect(); // a handshake that hung: give it up
      ticker.access_token = token;
      this.attemptStartedAt = Date.now();
      this.errorSinceAttempt = false;
      ticker.connect();
    } catch (err) {
      this.lastError = describe(err);
    }
    const { minMs, maxMs } = this.d.backoff ?? { minMs: 500, maxMs: 30_000 };
    this.schedule(Math.min(maxMs, minMs * 2 ** Math.min(this.attempts, 16)));
    this.attempts += 1;
  }

  private markUp(): void {
    if (this.up === true) return;
    this.up = true;
    this.d.log('order stream: connected to the broker WebSocket; order updates arrive as they happen');
  }

  private markDown(): void {
    if (this.up === false) return;
    this.up = false;
    const why = this.lastError ? ` (${this.lastError})` : '';
    this.d.log(`order stream: not connected to the broker WebSocket${why}; reconnecting with backoff, postbacks and the order-book watcher carry updates meanwhile`);
  }
}

function bindHandlers(ticker: TickerLike): void {
  handlersBound = true;
  ticker.on('connect', () => running?.connect());
  ticker.on('error', (e) => running?.failure(e, true));
  ticker.on('close', (e) => running?.failure(e, false));
  ticker.on('disconnect', (e) => running?.failure(e, false));
  ticker.on('order_update', (data) => running?.orderUpdate(data));
}

function parseUpdate(data: unknown): StreamedOrderUpdate | null {
  if (typeof data !== 'object' || data === null) return null;
  const o = data as Record<string, unknown>;
  if (o.order_id === undefined || o.order_id === null) return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    brokerOrderId: String(o.order_id),
    tag: typeof o.tag === 'string' && o.tag ? o.tag : null,
    status: typeof o.status === 'string' ? o.status : undefined,
    filledQuantity: num(o.filled_quantity),
    averagePrice: num(o.average_price),
  };
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  const message = (reason as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  const code = (reason as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? `closed with code ${code}` : '';
}
