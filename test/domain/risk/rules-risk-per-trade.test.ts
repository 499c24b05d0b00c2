import { describeCheck, REDUCE_ONLY_SELL, runCheck, type ContextOverrides } from './risk-fixtures';

describeCheck('stop_loss_required', [
  { when: 'a stop loss is not required', ctx: {}, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: { riskPerTrade: { requireStopLoss: true } } }, outcome: 'is skipped: reduce-only order' },
  { when: 'a required stop loss is missing', ctx: { limits: { riskPerTrade: { requireStopLoss: true } } }, outcome: 'fails with STOP_LOSS_REQUIRED' },
  { when: 'a required stop loss is given', ctx: { order: { stopLossPaise: 9_000 }, limits: { riskPerTrade: { requireStopLoss: true } } }, outcome: 'passes' },
]);

// Capital 10000.00 and 0.90% of it: at most 90.00 of risk, i.e. 1.00 per unit on 90 units.
const RISK = { capitalPaise: 1_000_000, riskPerTrade: { maxRiskBpsOfCapital: 90 } };
const risk = (order: ContextOverrides['order'], extra: ContextOverrides = {}): ContextOverrides => ({ order, limits: RISK, ...extra });

describeCheck('risk_per_trade', [
  { when: 'no maximum risk is configured', ctx: { order: { stopLossPaise: 100 } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: RISK }, outcome: 'is skipped: reduce-only order' },
  { when: 'no stop loss is given', ctx: risk({}), outcome: 'is skipped: no stop loss given' },
  { when: 'a MARKET order has no quote', ctx: risk({ orderType: 'MARKET', pricePaise: undefined, stopLossPaise: 9_900 }, { quote: null }), outcome: 'is skipped: no reference price' },
  { when: 'the risk to the stop is exactly the maximum', ctx: risk({ stopLossPaise: 9_900 }), outcome: 'passes' },
  { when: 'the risk to the stop is one paisa per unit above the maximum', ctx: risk({ stopLossPaise: 9_899 }), outcome: 'fails with RISK_PER_TRADE_EXCEEDED' },
  { when: 'a sell\'s stop above the entry risks exactly the maximum', ctx: risk({ side: 'SELL', stopLossPaise: 10_100 }), outcome: 'passes' },
  { when: 'a sell\'s stop above the entry risks more than the maximum', ctx: risk({ side: 'SELL', stopLossPaise: 10_105 }), outcome: 'fails with RISK_PER_TRADE_EXCEEDED' },
  { when: 'a MARKET order is measured from the LTP', ctx: risk({ orderType: 'MARKET', pricePaise: undefined, stopLossPaise: 9_900 }, { quote: { lastPricePaise: 10_005 } }), outcome: 'fails with RISK_PER_TRADE_EXCEEDED' },
  { when: 'an SL-M order is measured from its trigger', ctx: risk({ orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 10_100, stopLossPaise: 10_000 }), outcome: 'passes' },
]);

// Entry 100.00, stop 98.00: risk 2.00 a unit, so a 1.5 ratio needs a target of 103.00.
const RR = { riskPerTrade: { minRiskReward: 1.5 } };
const rr = (order: ContextOverrides['order'], extra: ContextOverrides = {}): ContextOverrides => ({ order, limits: RR, ...extra });

describeCheck('risk_reward', [
  { when: 'no minimum ratio is configured', ctx: { order: { stopLossPaise: 9_800, takeProfitPaise: 10_005 } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: RR }, outcome: 'is skipped: reduce-only order' },
  { when: 'no take profit is given', ctx: rr({ stopLossPaise: 9_800 }), outcome: 'is skipped: no take profit given' },
  { when: 'no stop loss is given', ctx: rr({ takeProfitPaise: 10_300 }), outcome: 'is skipped: no stop loss given' },
  { when: 'a MARKET order has no quote', ctx: rr({ orderType: 'MARKET', pricePaise: undefined, stopLossPaise: 9_800, takeProfitPaise: 10_300 }, { quote: null }), outcome: 'is skipped: no reference price' },
  { when: 'the ratio is exactly the minimum (1.50)', ctx: rr({ stopLossPaise: 9_800, takeProfitPaise: 10_300 }), outcome: 'passes' },
  { when: 'the target is one tick short of the minimum ratio', ctx: rr({ stopLossPaise: 9_800, takeProfitPaise: 10_295 }), outcome: 'fails with RISK_REWARD_TOO_LOW' },
  { when: 'a sell\'s ratio is exactly the minimum', ctx: rr({ side: 'SELL', stopLossPaise: 10_200, takeProfitPaise: 9_700 }), outcome: 'passes' },
  { when: 'a sell\'s ratio is below the minimum', ctx: rr({ side: 'SELL', stopLossPaise: 10_200, takeProfitPaise: 9_705 }), outcome: 'fails with RISK_REWARD_TOO_LOW' },
]);

describe('risk per trade: what the failures report', () => {
  it('when the risk is too large, then the failure gives the risk, the capital and the risk as a share of capital', () => {
    const result = runCheck('risk_per_trade', risk({ stopLossPaise: 9_800 }));
    expect(result.values).toEqual({ risk: '180.00', capital: '10000.00', riskOfCapital: '1.80%' });
    expect(result.limit).toBe('0.90%');
    expect(result.message).toBe('risk to the stop 180.00 is 1.80% of capital 10000.00; the maximum is 0.90%');
  });

  it('when the ratio is too low, then the failure gives reward, risk and the ratio with 2 decimals', () => {
    const result = runCheck('risk_reward', rr({ stopLossPaise: 9_800, takeProfitPaise: 10_295 }));
    expect(result.values).toEqual({ reward: '2.95', risk: '2.00', ratio: '1.48' });
    expect(result.limit).toBe('1.50');
  });
});
