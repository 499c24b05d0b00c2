/** Restricted and watch lists: entries name a tradingsymbol or an underlying (e.g. BANKNIFTY covers every contract). */
import type { RiskContext } from './risk-types';
import { checkOf, type RiskRule } from './risk-helpers';

/** The list entry the order matches (its tradingsymbol first, then its underlying), if any. */
function listMatch(ctx: RiskContext, list: readonly string[]): string | undefined {
  const names = [ctx.order.tradingsymbol, ctx.instrument?.name].filter((n): n is string => !!n);
  return names.find((name) => list.includes(name));
}

/** Blocks new risk in restricted names; an order that only reduces a held position may still exit. */
export const restrictedList: RiskRule = (ctx, d) => {
  const c = checkOf('restricted_list', 'lists');
  const match = listMatch(ctx, ctx.limits.lists.restricted);
  if (match === undefined) return c.pass();
  const values = { tradingsymbol: ctx.order.tradingsymbol, restricted: match };
  if (d.reduceOnly) return c.pass({ message: `${match} is restricted; a reduce-only order is allowed to exit`, values });
  return c.fail('RESTRICTED_SYMBOL', `${match} is on the restricted list`, values, ctx.limits.lists.restricted);
};

/** Never blocks: flags the order for an operator's attention. */
export const watchList: RiskRule = (ctx) => {
  const c = checkOf('watch_list', 'lists');
  const match = listMatch(ctx, ctx.limits.lists.watch);
  if (match === undefined) return c.pass();
  return c.pass({ flagged: true, message: `${match} is on the watch list`, values: { tradingsymbol: ctx.order.tradingsymbol, watched: match } });
};
