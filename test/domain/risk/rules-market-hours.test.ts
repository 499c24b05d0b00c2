import { describeCheck, istMs, NSE_SESSION, runCheck, type ContextOverrides } from './risk-fixtures';

const ON = { marketHours: { enabled: true } };
const at = (wallClock: string, extra: ContextOverrides = {}): ContextOverrides => ({ nowMs: istMs(wallClock), limits: ON, ...extra });
const AMO = { order: { variety: 'amo' as const } };
const ALWAYS_OPEN = { session: { ...NSE_SESSION, alwaysOpen: true } };

describeCheck('market_hours', [
  { when: 'the check is disabled', ctx: { nowMs: istMs('2026-11-21 10:00') }, outcome: 'is skipped: not configured' },
  { when: 'a regular order arrives on a Tuesday at 10:00 IST', ctx: at('2026-11-17 10:00'), outcome: 'passes' },
  { when: 'a regular order arrives at 09:15 (the open, inclusive)', ctx: at('2026-11-17 09:15'), outcome: 'passes' },
  { when: 'a regular order arrives at 09:14', ctx: at('2026-11-17 09:14'), outcome: 'fails with MARKET_CLOSED' },
  { when: 'a regular order arrives at 15:29', ctx: at('2026-11-17 15:29'), outcome: 'passes' },
  { when: 'a regular order arrives at 15:30 (the close, exclusive)', ctx: at('2026-11-17 15:30'), outcome: 'fails with MARKET_CLOSED' },
  { when: 'a regular order arrives on a Saturday', ctx: at('2026-11-21 10:00'), outcome: 'fails with MARKET_CLOSED' },
  { when: 'a regular order arrives on a Sunday', ctx: at('2026-11-22 10:00'), outcome: 'fails with MARKET_CLOSED' },
  { when: 'a regular order arrives on a listed holiday', ctx: at('2026-11-24 10:00'), outcome: 'fails with MARKET_CLOSED' },
  { when: 'a regular order arrives on a Saturday in an always-open session', ctx: at('2026-11-21 03:00', ALWAYS_OPEN), outcome: 'passes' },
  { when: 'an after-market order arrives in session', ctx: at('2026-11-17 10:00', AMO), outcome: 'fails with AMO_IN_SESSION' },
  { when: 'an after-market order arrives at 15:30', ctx: at('2026-11-17 15:30', AMO), outcome: 'passes' },
  { when: 'an after-market order arrives at 09:14', ctx: at('2026-11-17 09:14', AMO), outcome: 'passes' },
  { when: 'an after-market order arrives on a Saturday', ctx: at('2026-11-21 10:00', AMO), outcome: 'passes' },
  { when: 'an after-market order arrives in an always-open session', ctx: at('2026-11-21 10:00', { ...AMO, ...ALWAYS_OPEN }), outcome: 'fails with AMO_IN_SESSION' },
  { when: 'the session times are malformed', ctx: at('2026-11-17 10:00', { session: { ...NSE_SESSION, open: '9.15' } }), outcome: 'fails with MARKET_CLOSED' },
]);

describe('market_hours: why it is closed', () => {
  it.each([
    { wallClock: '2026-11-21 10:00', why: 'weekend' },
    { wallClock: '2026-11-24 10:00', why: 'holiday' },
    { wallClock: '2026-11-17 09:14', why: 'before open' },
    { wallClock: '2026-11-17 15:30', why: 'after close' },
  ])('when a regular order arrives at $wallClock IST, then the failure says $why and gives the IST time and the session', ({ wallClock, why }) => {
    const result = runCheck('market_hours', at(wallClock));
    expect(result.values).toEqual({ now: wallClock, session: '09:15-15:30', why });
    expect(result.message).toBe(`the market is closed (${why}): IST now ${wallClock}, session 09:15-15:30`);
  });
});
