import { TEST_KEYS } from '../support/access-config';
import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';

/**
 * Positions, P&L, charges and the execution report end to end: the strategy buys 60, sells 30, then sells 60 (long
 * 30 -> short 30) through the OMS on the paper broker, and the OMS's books must agree with the broker's own
 * /portfolio/positions. Charges are config/charges.json's Zerodha rates, hand-computed in the comments.
 */
let stack: Stack;
let symbol: string;
let seq = 0;
const ids: string[] = [];
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const setPrice = (last_price: number) => stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: symbol, last_price });

/** A LIMIT order at `price` with the LTP at `ltp` (the arrival price), filled by the paper broker at exactly `price`. */
async function trade(side: 'BUY' | 'SELL', quantity: number, price: number, ltp = price): Promise<string> {
  await setPrice(ltp);
  await new Promise((r) => setTimeout(r, 1100)); // the gate's quote cache sees the new price
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: cid(side.toLowerCase()), strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side, quantity, orderType: 'LIMIT', price: price.toFixed(2), product: 'NRML',
  });
  expect(placed.status).toBe(202);
  const id = placed.body.order.orderId as string;
  const open = await eventually(() => order(id), (o) => o.status === 'OPEN' && Boolean(o.brokerOrderId));
  await stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, { quantity, price });
  const done = await eventually(() => order(id), (o) => o.status === 'FILLED');
  expect(done.status).toBe('FILLED');
  // The workflow answers FILLED from its state; its save (trade rows and positions) follows.
  await eventually(() => stack.sql('SELECT COUNT(*)::int AS n FROM trades WHERE order_id = $1', [id]), (rows) => rows[0].n > 0);
  ids.push(id);
  return id;
}

async function brokerPositions(): Promise<{ net: any[]; day: any[] }> {
  const res = await fetch(`${stack.sys.paperBrokerUrl}/portfolio/positions`, { headers: { Authorization: 'token paper_key:paper_token', 'X-Kite-Version': '3' } });
  return ((await res.json()) as { data: { net: any[]; day: any[] } }).data;
}

beforeAll(async () => {
  stack = await startStack({ RISK_CONFIG_FILE: writeRiskConfig(riskConfigWith({ price: { bandPercent: 10 } })) });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual', tickIntervalMs: 0 } });
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  symbol = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000CE'))!.tradingsymbol;
  await trade('BUY', 60, 100);
  await trade('SELL', 30, 120);
  await trade('SELL', 60, 110, 110.5); // arrival 110.50: selling at 110 costs 0.50 a unit
}, 180_000);
afterAll(async () => { await stack?.close(); });

describe('positions and P&L against the paper broker', () => {
  it('when a long is partly sold and then reversed, then /positions matches the broker\'s net and day quantity and average price', async () => {
    const broker = await brokerPositions();
    const b = broker.net.find((p) => p.tradingsymbol === symbol);
    const { body } = await stack.api('GET', '/api/v1/positions');
    const account = body.account.net.find((p: { tradingsymbol: string }) => p.tradingsymbol === symbol);
    const s1 = body.strategies.find((s: { strategyId: string }) => s.strategyId === 's1');
    expect({ quantity: account.quantity, averagePrice: Number(account.averagePrice).toFixed(2) }).toEqual({ quantity: b.quantity, averagePrice: Number(b.average_price).toFixed(2) });
    expect(b.quantity).toBe(-30);
    // short 30: Kite averages the day's sells, (30 x 120 + 60 x 110) / 90 = 113.3333; the cost basis is the reversal's 110
    expect(account).toMatchObject({ averagePrice: '113.3333', costPrice: '110.0000', buyQuantity: b.buy_quantity, sellQuantity: b.sell_quantity });
    const bDay = broker.day.find((p) => p.tradingsymbol === symbol);
    expect(body.account.day.find((p: { tradingsymbol: string }) => p.tradingsymbol === symbol)).toMatchObject({ quantity: bDay.quantity });
    expect(s1.net[0]).toMatchObject({ tradingsymbol: symbol, quantity: -30, realizedPnl: '900.00' });
  });

  it('when the day is valued at the last price, then /pnl shows realized 900.00, unrealized -15.00, the hand-computed charges 93.00 and net 792.00, and the gross matches the broker\'s', async () => {
    // buy 60 @ 100 (6,000): 20 + txn 2.10 + SEBI 0.01 + stamp 0.18 + GST 0.18 x 22.11 = 3.98 -> 26.27
    // sell 30 @ 120 (3,600): 20 + STT 5.40 + txn 1.26 + GST 0.18 x 21.26 = 3.83 -> 30.49
    // sell 60 @ 110 (6,600): 20 + STT 9.90 + txn 2.31 + SEBI 0.01 + GST 0.18 x 22.32 = 4.02 -> 36.24
    // short 30 at a cost of 110.00, marked at the last price 110.50: -15.00
    const { status, body } = await stack.api('GET', '/api/v1/pnl');
    expect(status).toBe(200);
    const broker = (await brokerPositions()).net.find((p) => p.tradingsymbol === symbol);
    expect(Number(body.total.realized) + Number(body.total.unrealized)).toBeCloseTo(Number(broker.pnl), 2);
    expect(body.total).toEqual({ realized: '900.00', unrealized: '-15.00', charges: '93.00', net: '792.00' });
    expect(body.byStrategy).toEqual([{ strategyId: 's1', realized: '900.00', unrealized: '-15.00', charges: '93.00', net: '792.00' }]);
    expect(body.bySymbol).toEqual([{ tradingsymbol: symbol, exchange: 'NFO', product: 'NRML', realized: '900.00', unrealized: '-15.00', charges: '93.00', net: '792.00' }]);
  });

  it('when a strategy key asks, then it sees only its own strategies\' figures and no account book', async () => {
    const own = await stack.apiAs(TEST_KEYS.strategyA, 'GET', '/api/v1/pnl');
    expect(own.body.byStrategy.map((s: { strategyId: string }) => s.strategyId)).toEqual(['s1']);
    const other = await stack.apiAs(TEST_KEYS.strategyB, 'GET', '/api/v1/positions');
    expect(other.body).toEqual({ tradingDay: expect.any(String), strategies: [] });
    expect((await stack.apiAs(TEST_KEYS.strategyB, 'GET', '/api/v1/pnl?strategyId=s1')).status).toBe(403);
    const bad = await stack.api('GET', '/api/v1/positions?strategy=s1');
    expect({ status: bad.status, code: bad.body.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('when the reversing sell is reported, then it shows its fills, average price, slippage against arrival and limit, its charges and timings', async () => {
    const id = ids[2];
    const { status, body } = await stack.api('GET', `/api/v1/orders/${id}/report`);
    expect(status).toBe(200);
    const r = body.report;
    expect(r).toMatchObject({ orderId: id, side: 'SELL', filledQuantity: 60, averagePrice: '110.0000', arrivalPrice: '110.50', arrivalPriceSource: 'risk_gate_ltp', limitPrice: '110.00' });
    // sold 60 at 110.00 against 110.50 on arrival: 0.50 a unit, 30.00 in all, 0.50 / 110.50 = 45.25 bps; at the limit exactly
    expect(r.slippage.vsArrival).toEqual({ benchmark: '110.50', perUnit: '0.5000', bps: '45.25', total: '30.00' });
    expect(r.slippage.vsLimit).toEqual({ benchmark: '110.00', perUnit: '0.0000', bps: '0.00', total: '0.00' });
    expect(r.fills.reduce((q: number, f: { quantity: number }) => q + f.quantity, 0)).toBe(60);
    expect(r.charges).toMatchObject({ brokerage: '20.00', stt: '9.90', exchangeCharges: '2.31', sebiCharges: '0.01', gst: '4.02', totalCharges: '36.24' });
    expect(r.netValue).toBe('6563.76'); // 6,600.00 received - 36.24
    const t = r.timings;
    expect(Date.parse(t.receivedAt)).toBeLessThanOrEqual(Date.parse(t.submittedAt));
    expect(Date.parse(t.submittedAt)).toBeLessThanOrEqual(Date.parse(t.completedAt) + 1000);
    expect(t.firstFillAt).not.toBeNull();
    expect((await stack.apiAs(TEST_KEYS.strategyB, 'GET', `/api/v1/orders/${id}/report`)).status).toBe(404);
  });
});
