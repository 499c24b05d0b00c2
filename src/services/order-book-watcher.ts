import { bookChanges, type BookMemory, type BookOrder } from '../domain/order-book-watch';
import { isTerminal, type OrderStatus } from '../domain/order-types';

/** What the OMS last saved of one of its orders. */
export interface KnownOrder { tag: string; status: string; brokerStatus: string | null; filledQuantity: number }

export interface OrderBookWatcherDeps {
  /** The account's order book (GET /orders). */
  readBook(): Promise<BookOrder[]>;
  /** Hands one changed order to its order workflow (a brokerUpdateSignal). */
  deliver(order: BookOrder): Promise<unknown>;
  /**
   * What the OMS has saved of the orders with these tags. A changed order is signalled only when its workflow has not
   * seen it yet (a postback got there first, or the order has ended): the watcher adds no work to what postbacks did.
   */
  known(tags: string[]): Promise<KnownOrder[]>;
  /** Time between two reads of the book. */
  intervalMs: number;
  log: (message: string) => void;
}

/**
 * One read of the account's order book every `intervalMs`, signalling the orders that changed since the last read and
 * whose workflow has not seen the change yet (their saved broker status or filled quantity differ): the pull-side
 * twin of postbacks (and of Kite's WebSocket order updates), so that no order workflow needs to poll the broker for
 * itself. On the first read every live order is compared: what changed while this process was down reaches its
 * workflow at once. A failed read is retried at the next interval (logged once per
 * outage); an order whose signal fails is tried again at the next read.
 */
export class OrderBookWatcher {
  private memory: BookMemory = new Map();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(private readonly d: OrderBookWatcherDeps) {}

  start(): void {
    this.schedule(0);
  }

  /** Stops reading; resolves once a read in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One read and its signals (the loop calls it; tests may too). */
  async readOnce(): Promise<number> {
    const book = await this.d.readBook();
    const { changed: moved, memory } = bookChanges(this.memory, book);
    const known = new Map((await this.d.known(moved.map((o) => o.tag!))).map((k) => [k.tag, k]));
    const changed = moved.filter((o) => {
      const k = known.get(o.tag!);
      return !!k && !isTerminal(k.status as OrderStatus) && (k.brokerStatus !== o.status || k.filledQuantity !== o.filledQuantity);
    });
    const undelivered = new Set<string>();
    for (const order of changed) {
      await this.d.deliver(order).catch(() => undelivered.add(order.brokerOrderId));
    }
    // An order whose signal failed is not remembered, so the next read offers it again.
    this.memory = new Map([...memory].filter(([id]) => !undelivered.has(id)));
    return changed.length - undelivered.size;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.readOnce().then(
        () => {
          if (this.failing) this.d.log('order book watcher: the broker answers again');
          this.failing = false;
        },
        (err: unknown) => {
          if (!this.failing) this.d.log(`order book watcher: reading the order book failed (${err instanceof Error ? err.message : String(err)}); trying again every ${this.d.intervalMs} ms`);
          this.failing = true;
        },
      ).finally(() => this.schedule(this.d.intervalMs));
    }, delayMs);
  }
}
