/** The paper broker's control API, as test/e2e/stack.ts and the paper harness expose it. */
type Control = <T = any>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * The tradingsymbols of the paper broker's latest expiry that end with each suffix (e.g. '52000CE'), in the order
 * asked: tests trade the far month so an expiry passing under them never changes what they place.
 */
export async function latestExpirySymbols(control: Control, ...suffixes: string[]): Promise<string[]> {
  const instruments: { tradingsymbol: string; expiry: string }[] = await control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  return suffixes.map((suffix) => {
    const found = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith(suffix));
    if (!found) throw new Error(`the paper broker lists no ${suffix} of expiry ${last}`);
    return found.tradingsymbol;
  });
}

/** Matching on every request (no background ticks) and `symbol` quoted at `lastPrice` rupees. */
export async function quietMarketAt(control: Control, symbol: string, lastPrice: number, matching: Record<string, unknown> = {}): Promise<void> {
  await control('POST', '/control/config', { matching: { tickIntervalMs: 0, ...matching } });
  await control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: symbol, last_price: lastPrice });
}
