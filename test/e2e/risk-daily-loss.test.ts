import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';

/**
 * The daily loss limit end to end: a position bought through the OMS loses as the paper broker's price falls; the
 * gate marks it to market from live quotes and refuses new risk while still letting the position be closed.
 */
let stack: Stack;
let symbol: string;
let seq = 0;
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const place = (side: 'BUY' | 'SELL') => stack.api('POST', '/api/v1/orders', {
  clientOrderId: cid(side.toLowerCase()), strategyId: 'loss', tradingsymbol: symbol, exchange: 'NFO', side, quantity: 30, orderType: 'MARKET', product: 'NRML',
});
const setPrice = (last_price: number) => stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: symbol, last_price });
const quoteTtl = () => new Promise((r) => setTimeout(r, 1100));

beforeAll(async () => {
  stack = await startStack({ RISK_CONFIG_FILE: writeRiskConfig(riskConfigWith({ daily: { maxLossRupees: '100' } })) });
  await stack.control('POST', '/control/config', { matching: { tickIntervalMs: 0, slippageTicks: 0 } });
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  symbol = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000CE'))!.tradingsymbol;
  await setPrice(1000);
}, 120_000);
afterAll(async () => { await stack?.close(); });

describe('the daily loss limit', () => {
  it('when the open loss passes the limit, then a new buy is 422 DAILY_LOSS_LIMIT but closing the position still passes', async () => {
    const buy = await place('BUY');
    expect(buy.status).toBe(202);
    const bought = await eventually(() => order(buy.body.order.orderId), (o) => o.status === 'FILLED');
    const entry = Number(bought.averagePrice);

    await setPrice(990); // 30 x (990 - entry) is a loss of more than Rs 300, the limit is Rs 100
    await quoteTtl();
    const refused = await place('BUY');
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toMatchObject({ check: 'daily_loss_limit', reasonCode: 'DAILY_LOSS_LIMIT', category: 'daily_limits' });
    const expectedLoss = Math.round(30 * (entry - 990) * 100) / 100;
    expect(JSON.stringify(refused.body.error.details.values)).toContain(`-${expectedLoss.toFixed(2)}`);

    const exit = await place('SELL');
    expect(exit.status).toBe(202);
    expect(exit.body.order.validation).toMatchObject({ reduceOnly: true });
    const daily = exit.body.order.validation.checks.find((c: { check: string }) => c.check === 'daily_loss_limit');
    expect(daily).toMatchObject({ status: 'passed' });
    await eventually(() => order(exit.body.order.orderId), (o) => o.status === 'FILLED');

    await quoteTtl();
    const afterClose = await place('BUY'); // the loss is now realized: still over the limit
    expect(afterClose.status).toBe(422);
    expect(afterClose.body.error.details.check).toBe('daily_loss_limit');
  });
});
