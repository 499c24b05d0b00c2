/** One order of the broker's order book (GET /orders), as far as the watcher compares it. */
export interface BookOrder {
  brokerOrderId: string;
  tag: string | null;
  status: string;
  quantity: number;
  filledQuantity: number;
  /** Rupees, as Kite answers them. */
  averagePrice: number;
  price: number;
  triggerPrice: number;
}

/** What the watcher remembers of each order between two reads: a fingerprint of everything an order workflow acts on. */
export type BookMemory = ReadonlyMap<string, string>;

const fingerprint = (o: BookOrder) => `${o.status}|${o.quantity}|${o.filledQuantity}|${o.averagePrice}|${o.price}|${o.triggerPrice}`;

/**
 * The orders that changed since the last read (all of them on the first read), and what to remember for the next.
 * Orders without a tag were not placed by this OMS and are left out. An order that left the book (a new trading day)
 * is forgotten.
 */
export function bookChanges(previous: BookMemory, book: readonly BookOrder[]): { changed: BookOrder[]; memory: BookMemory } {
  const memory = new Map<string, string>();
  const changed: BookOrder[] = [];
  for (const o of book) {
    if (!o.tag) continue;
    const print = fingerprint(o);
    memory.set(o.brokerOrderId, print);
    if (previous.get(o.brokerOrderId) !== print) changed.push(o);
  }
  return { changed, memory };
}
