/** Risk per trade: a stop loss when demanded, the loss to the stop within a share of capital, and enough reward for it. */
import { paiseToRupees } from '../money';
import { checkOf, formatBps, formatHundredths, formatRatio, hundredths, NO_REFERENCE_PRICE, NOT_CONFIGURED, REDUCE_ONLY, type RiskRule } from './risk-helpers';

const NO_STOP_LOSS = 'no stop loss given';

export const stopLossRequired: RiskRule = (ctx, d) => {
  const c = checkOf('stop_loss_required', 'risk_per_trade');
  if (!ctx.limits.riskPerTrade.requireStopLoss) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  if (ctx.order.stopLossPaise === undefined) return c.fail('STOP_LOSS_REQUIRED', 'a stop loss is required for orders that add risk', { stopLoss: null });
  return c.pass({ values: { stopLoss: paiseToRupees(ctx.order.stopLossPaise) } });
};

/** risk = |reference - stop| * quantity; risk * 10000 <= maxRiskBps * capital. */
export const riskPerTrade: RiskRule = (ctx, d) => {
  const c = checkOf('risk_per_trade', 'risk_per_trade');
  const maxBps = ctx.limits.riskPerTrade.maxRiskBpsOfCapital;
  if (maxBps === null) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  const stop = ctx.order.stopLossPaise;
  if (stop === undefined) return c.skip(NO_STOP_LOSS);
  if (d.referencePricePaise === null) return c.skip(NO_REFERENCE_PRICE);
  const risk = BigInt(Math.abs(d.referencePricePaise - stop)) * BigInt(ctx.order.quantity);
  const capital = ctx.limits.capitalPaise;
  const values = { risk: paiseToRupees(Number(risk)), capital: paiseToRupees(capital), riskOfCapital: formatRatio(risk, capital) };
  const limit = formatBps(maxBps);
  if (risk * 10_000n > BigInt(maxBps) * BigInt(capital))
    return c.fail('RISK_PER_TRADE_EXCEEDED', `risk to the stop ${values.risk} is ${values.riskOfCapital} of capital ${values.capital}; the maximum is ${limit}`, values, limit);
  return c.pass({ values, limit });
};

/** reward / risk >= minRiskReward, compared as reward * 100 >= round(min * 100) * risk. */
export const riskReward: RiskRule = (ctx, d) => {
  const c = checkOf('risk_reward', 'risk_per_trade');
  const min = ctx.limits.riskPerTrade.minRiskReward;
  if (min === null) return c.skip(NOT_CONFIGURED);
  if (d.reduceOnly) return c.skip(REDUCE_ONLY);
  const { stopLossPaise: stop, takeProfitPaise: target } = ctx.order;
  if (target === undefined) return c.skip('no take profit given');
  if (stop === undefined) return c.skip(NO_STOP_LOSS);
  if (d.referencePricePaise === null) return c.skip(NO_REFERENCE_PRICE);
  const reward = BigInt(Math.abs(target - d.referencePricePaise));
  const risk = BigInt(Math.abs(d.referencePricePaise - stop));
  const min100 = hundredths(min);
  // Rounded half up to hundredths; a zero risk has no finite ratio.
  const ratio = risk === 0n ? 'n/a' : formatHundredths((reward * 200n + risk) / (risk * 2n));
  const values = { reward: paiseToRupees(Number(reward)), risk: paiseToRupees(Number(risk)), ratio };
  const limit = formatHundredths(min100);
  if (reward * 100n < min100 * risk)
    return c.fail('RISK_REWARD_TOO_LOW', `reward ${values.reward} to risk ${values.risk} is a ratio of ${ratio}; the minimum is ${limit}`, values, limit);
  return c.pass({ values, limit });
};
