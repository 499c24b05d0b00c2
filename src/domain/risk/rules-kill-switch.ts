/** The kill switch: while the account is halted only reduce-only orders pass. */
import { isHalted } from '../kill-switch';
import { checkOf, REDUCE_ONLY, type RiskRule } from './risk-helpers';

export const killSwitch: RiskRule = (ctx, d) => {
  const c = checkOf('kill_switch', 'daily_limits');
  const ks = ctx.account.killSwitch;
  if (!ks || !isHalted(ks, ctx.nowMs)) return c.pass({ values: { status: 'ACTIVE' } });
  const values = { status: 'HALTED', reason: ks.reason, engagedAt: ks.engagedAt, resetAt: ks.resetAt };
  if (d.reduceOnly) return c.pass({ message: `the kill switch is engaged; ${REDUCE_ONLY}s still pass`, values });
  return c.fail('KILL_SWITCH', `the kill switch is engaged (${ks.reason ?? 'no reason given'}); only reduce-only orders are accepted`, values);
};
