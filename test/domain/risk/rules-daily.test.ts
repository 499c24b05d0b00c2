import { describeCheck, REDUCE_ONLY_SELL, runCheck, type ContextOverrides } from './risk-fixtures';

const day = (d: Partial<{ orderCount: number; turnoverPaise: number; grossPnlPaise: number; chargesPaise: number }>) =>
  ({ day: { orderCount: 0, turnoverPaise: 0, grossPnlPaise: 0, chargesPaise: 0, ...d } });

describeCheck('daily_order_count', [
  { when: 'no maximum is configured', ctx: { account: day({ orderCount: 10_000 }) }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, account: { ...REDUCE_ONLY_SELL.account, ...day({ orderCount: 10 }) }, limits: { daily: { maxOrders: 10 } } }, outcome: 'is skipped: reduce-only order' },
  { when: 'the order is the 10th of a maximum of 10', ctx: { account: day({ orderCount: 9 }), limits: { daily: { maxOrders: 10 } } }, outcome: 'passes' },
  { when: 'the order would be the 11th of a maximum of 10', ctx: { account: day({ orderCount: 10 }), limits: { daily: { maxOrders: 10 } } }, outcome: 'fails with DAILY_ORDER_LIMIT' },
]);

// The order adds 9000.00; the maximum is 100000.00.
const TURNOVER = { daily: { maxTurnoverPaise: 10_000_000 } };

describeCheck('daily_turnover', [
  { when: 'no maximum is configured', ctx: { account: day({ turnoverPaise: 10 ** 12 }) }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, account: { ...REDUCE_ONLY_SELL.account, ...day({ turnoverPaise: 10 ** 12 }) }, limits: TURNOVER }, outcome: 'is skipped: reduce-only order' },
  { when: 'the order takes turnover exactly to the maximum', ctx: { account: day({ turnoverPaise: 9_100_000 }), limits: TURNOVER }, outcome: 'passes' },
  { when: 'the order takes turnover one paisa over the maximum', ctx: { account: day({ turnoverPaise: 9_100_001 }), limits: TURNOVER }, outcome: 'fails with DAILY_TURNOVER_LIMIT' },
]);

// Maximum loss 5000.00.
const LOSS = { daily: { maxLossPaise: 500_000 } };
const loss = (grossPnlPaise: number, chargesPaise: number, extra: ContextOverrides = {}): ContextOverrides =>
  ({ account: day({ grossPnlPaise, chargesPaise }), limits: LOSS, ...extra });

describeCheck('daily_loss_limit', [
  { when: 'no maximum loss is configured', ctx: { account: day({ grossPnlPaise: -(10 ** 10) }) }, outcome: 'is skipped: not configured' },
  { when: 'the day is in profit', ctx: loss(100_000, 10_000), outcome: 'passes' },
  { when: 'the net loss is one paisa short of the limit', ctx: loss(-400_000, 99_999), outcome: 'passes' },
  { when: 'the net loss equals the limit (reaching it is a breach)', ctx: loss(-400_000, 100_000), outcome: 'fails with DAILY_LOSS_LIMIT' },
  { when: 'the net loss exceeds the limit', ctx: loss(-600_000, 0), outcome: 'fails with DAILY_LOSS_LIMIT' },
  { when: 'charges alone turn a gross profit into a breach', ctx: loss(100_000, 600_000), outcome: 'fails with DAILY_LOSS_LIMIT' },
  {
    when: 'the limit is breached and the order is a reduce-only exit',
    ctx: { ...REDUCE_ONLY_SELL, account: { ...REDUCE_ONLY_SELL.account, ...day({ grossPnlPaise: -600_000 }) }, limits: LOSS },
    outcome: 'passes',
  },
]);

describe('daily checks: what they report', () => {
  it('when the loss limit is reached, then the failure gives gross P&L, charges, net and the limit', () => {
    const result = runCheck('daily_loss_limit', loss(-400_000, 100_000));
    expect(result.values).toEqual({ grossPnl: '-4000.00', charges: '1000.00', netPnl: '-5000.00', limit: '5000.00' });
    expect(result.message).toBe("today's net P&L -5000.00 has reached the daily loss limit 5000.00; only reduce-only orders are accepted");
  });

  it('when the loss limit is breached by a reduce-only exit, then it passes with a message that reduce-only orders still pass', () => {
    const result = runCheck('daily_loss_limit', { ...REDUCE_ONLY_SELL, account: { ...REDUCE_ONLY_SELL.account, ...day({ grossPnlPaise: -600_000 }) }, limits: LOSS });
    expect(result.message).toMatch(/reduce-only orders still pass$/);
  });

  it('when the turnover limit is exceeded, then the failure gives today\'s turnover, the order value and the total', () => {
    const result = runCheck('daily_turnover', { account: day({ turnoverPaise: 9_100_001 }), limits: TURNOVER });
    expect(result).toMatchObject({ values: { turnoverToday: '91000.01', orderValue: '9000.00', afterOrder: '100000.01' }, limit: '100000.00' });
  });

  it('when the order count limit is reached, then the failure gives the count before and after', () => {
    expect(runCheck('daily_order_count', { account: day({ orderCount: 10 }), limits: { daily: { maxOrders: 10 } } })).toMatchObject({ values: { ordersToday: 10, afterOrder: 11 }, limit: 10 });
  });
});
