/** The exchange session: regular orders only while it is open, after-market orders only while it is closed. */
import type { SessionCalendar } from './risk-types';
import { istClock, minutesOfHhmm, type IstClock } from './ist-clock';
import { checkOf, NOT_CONFIGURED, type RiskRule } from './risk-helpers';

export type ClosedReason = 'weekend' | 'holiday' | 'before open' | 'after close';

/** Why the session is closed at `clock`, or null when it is open (open <= time < close; close is exclusive). */
export function sessionClosedReason(session: SessionCalendar, clock: IstClock): ClosedReason | null {
  if (session.alwaysOpen) return null;
  if (clock.weekday === 0 || clock.weekday === 6) return 'weekend';
  if (session.holidays.includes(clock.date)) return 'holiday';
  // A malformed "HH:MM" yields NaN, which fails both comparisons: the session reads as closed (fail closed).
  if (!(clock.minuteOfDay >= minutesOfHhmm(session.open))) return 'before open';
  if (!(clock.minuteOfDay < minutesOfHhmm(session.close))) return 'after close';
  return null;
}

export const marketHours: RiskRule = (ctx) => {
  const c = checkOf('market_hours', 'market_hours');
  if (!ctx.limits.marketHours.enabled) return c.skip(NOT_CONFIGURED);
  const clock = istClock(ctx.nowMs);
  const why = sessionClosedReason(ctx.session, clock);
  const sessionText = ctx.session.alwaysOpen ? 'always open' : `${ctx.session.open}-${ctx.session.close}`;
  const values = { now: `${clock.date} ${clock.time}`, session: sessionText, ...(why && { why }) };
  const isAmo = ctx.order.variety === 'amo';
  if (why === null && isAmo)
    return c.fail('AMO_IN_SESSION', `after-market orders are not accepted while the session is open (IST now ${values.now}, session ${sessionText})`, values, sessionText);
  if (why !== null && !isAmo)
    return c.fail('MARKET_CLOSED', `the market is closed (${why}): IST now ${values.now}, session ${sessionText}`, values, sessionText);
  return c.pass({ values });
};
