/**
 * The broker state last signalled to each broker order by this process, so the same news arriving on two channels (a
 * postback, Kite's WebSocket and the order-book watcher) reaches its order workflow once: every signal costs the
 * order a workflow task and a broker read. Best effort and in memory: another process may signal the same news again,
 * which costs one read, never a missed update. Bounded: the oldest entries are dropped past `capacity`.
 */
export class HintLedger {
  private readonly last = new Map<string, string>();

  constructor(private readonly capacity = 20_000) {}

  /** True when this state is news for the order (and remembers it as signalled). */
  isNews(brokerOrderId: string, status: string | undefined, filledQuantity: number | undefined): boolean {
    const fingerprint = `${status ?? '?'}:${filledQuantity ?? '?'}`;
    if (this.last.get(brokerOrderId) === fingerprint) return false;
    this.last.delete(brokerOrderId); // re-inserted last: the map's order is the age order
    this.last.set(brokerOrderId, fingerprint);
    if (this.last.size > this.capacity) this.last.delete(this.last.keys().next().value as string);
    return true;
  }

  /** The signal did not reach its order: the next channel to bring this news signals it. */
  forget(brokerOrderId: string): void {
    this.last.delete(brokerOrderId);
  }
}
