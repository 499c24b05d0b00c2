import { startHarness, type Harness } from './paper-harness';

describe('paper broker market data, positions and funds', () => {
  let h: Harness;
  const set = (tradingsymbol: string, last_price: number) =>
    h.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol, last_price });

  // The client's types describe getMargins(segment) as the all-segments shape; it returns the segment.
  const equityMargins = (): Promise<any> => h.kite.getMargins('equity');

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.broker.reset());

  it('when the NFO instruments are fetched with the client, then the CSV parses into BANKNIFTY futures and options with lot 30 and tick 0.05', async () => {
    const instruments = await h.kite.getInstruments('NFO');
    const options = instruments.filter((i) => i.segment === 'NFO-OPT');
    const futures = instruments.filter((i) => i.segment === 'NFO-FUT');
    expect(futures.length).toBeGreaterThanOrEqual(3);
    expect(options.length).toBe(futures.length * 41 * 2);
    for (const i of instruments) {
      expect(i).toMatchObject({ exchange: 'NFO', name: 'BANKNIFTY', lot_size: 30, tick_size: 0.05 });
      expect(i.expiry).toBeInstanceOf(Date);
    }
    expect(options.map((o) => o.tradingsymbol)).toContain(h.option.tradingsymbol);
    expect(h.option.tradingsymbol).toMatch(/^BANKNIFTY\d{2}[A-Z]{3}\d+CE$/);
    expect(options.every((o) => o.strike % 100 === 0)).toBe(true);

    const nse = await h.kite.getInstruments('NSE');
    expect(nse).toEqual([expect.objectContaining({ instrument_token: '260105', tradingsymbol: 'NIFTY BANK', segment: 'INDICES' })]);
  });

  it('when quotes are requested, then LTP, OHLC and full quotes with 5-level depth come back in Kite shapes', async () => {
    await set(h.option.tradingsymbol, 321.4);
    const key = `NFO:${h.option.tradingsymbol}`;
    const ltp = await h.kite.getLTP([key, 'NSE:NIFTY BANK', 'NFO:NOPE']);
    expect(Object.keys(ltp).sort()).toEqual([key, 'NSE:NIFTY BANK'].sort());
    expect(ltp[key]).toEqual({ instrument_token: h.option.instrument_token, last_price: 321.4 });
    expect(ltp['NSE:NIFTY BANK']?.last_price).toBe(52000);

    const ohlc = (await h.kite.getOHLC([key]))[key] as any;
    // The day's high is the larger of the opening price (which depends on the date's option chain) and the price set.
    const close = h.option.initialPricePaise / 100;
    expect(ohlc.ohlc).toMatchObject({ high: Math.max(321.4, close), close });

    const quote = (await h.kite.getQuote([key]))[key] as any;
    expect(quote).toMatchObject({ last_price: 321.4, instrument_token: h.option.instrument_token });
    expect(quote.depth.buy).toHaveLength(5);
    expect(quote.depth.sell).toHaveLength(5);
    expect(quote.depth.buy[0].price).toBe(321.35);
    expect(quote.depth.sell[0].price).toBe(321.45);
    expect(quote.timestamp).toBeInstanceOf(Date);
    for (const field of ['volume', 'oi', 'lower_circuit_limit', 'upper_circuit_limit', 'buy_quantity', 'sell_quantity']) {
      expect(typeof quote[field]).toBe('number');
    }
  });

  it('when an option is bought and sold back higher, then positions show realised P&L and margins release the premium', async () => {
    const sym = h.option.tradingsymbol;
    const start = await equityMargins();
    expect(start).toMatchObject({ enabled: true, net: 1_000_000, available: { cash: 1_000_000, opening_balance: 1_000_000 } });

    const buy = await h.place({ price: 200.1, quantity: 60 });
    await h.control('POST', `/control/orders/${buy.order_id}/fill`, {});
    await set(sym, 205);
    const holding = await equityMargins();
    expect(holding.utilised.option_premium).toBe(12006);
    expect(holding.net).toBe(1_000_000 - 12006);
    expect((await h.kite.getPositions()).net[0]).toMatchObject({ quantity: 60, average_price: 200.1, unrealised: 294, pnl: 294 });

    const sell = await h.place({ transaction_type: 'SELL', price: 210.3, quantity: 60 });
    await h.control('POST', `/control/orders/${sell.order_id}/fill`, {});
    const [flat] = (await h.kite.getPositions()).net;
    expect(flat).toMatchObject({ quantity: 0, realised: 612, unrealised: 0, pnl: 612, buy_value: 12006, sell_value: 12618, value: 612 });
    const after = await equityMargins();
    expect(after.utilised.option_premium).toBe(0);
    expect(after.net).toBe(1_000_612);
  });

  it('when an option is sold short, then SPAN and exposure on the underlying notional are blocked', async () => {
    const sell = await h.place({ transaction_type: 'SELL', price: 300, quantity: 30 });
    await h.control('POST', `/control/orders/${sell.order_id}/fill`, {});
    const margins = await equityMargins();
    expect(margins.utilised.span).toBe(93_600); // 30 x 52000 x 6%
    expect(margins.utilised.exposure).toBe(31_200); // 30 x 52000 x 2%
    expect(margins.utilised.option_premium).toBe(-9000); // premium received
  });

  it('when order margins are requested, then a buy costs its premium and a sell a SPAN-like share of the notional', async () => {
    const orders = [
      { exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, transaction_type: 'BUY', variety: 'regular', product: 'NRML', order_type: 'LIMIT', quantity: 30, price: 100 },
      { exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, transaction_type: 'SELL', variety: 'regular', product: 'NRML', order_type: 'LIMIT', quantity: 30, price: 100 },
    ];
    const [buy, sell] = (await h.kite.orderMargins(orders as any)) as any[];
    expect(buy).toMatchObject({ type: 'equity', option_premium: 3000, span: 0, total: 3000 });
    expect(buy.charges).toMatchObject({ brokerage: 20, transaction_tax: 0, stamp_duty: 0.09 });
    expect(sell).toMatchObject({ option_premium: 0, span: 93_600, exposure: 31_200, total: 124_800 });
    expect(sell.charges.transaction_tax).toBeGreaterThan(0);
  });

  it('when the broker is reset, then orders, trades, positions and margins are back to the start', async () => {
    const { order_id } = await h.place({ price: 100 });
    await h.control('POST', `/control/orders/${order_id}/fill`, {});
    await h.control('POST', '/control/reset');
    expect(await h.kite.getOrders()).toEqual([]);
    expect(await h.kite.getTrades()).toEqual([]);
    expect(await h.kite.getPositions()).toEqual({ net: [], day: [] });
    expect((await equityMargins()).net).toBe(1_000_000);
    const again = await h.place({ price: 100 });
    expect(again.order_id).not.toBe(order_id);
  });
});
