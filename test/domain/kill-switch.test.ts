import {
  activeKillSwitch, dailyLossBreach, engage, isHalted, nextTradingDayStartMs, release, releasedByOperatorToday, type EngageArgs,
} from '../../src/domain/kill-switch';
import { describeCheck, NOW_MS, REDUCE_ONLY_SELL, type ContextOverrides } from './risk/risk-fixtures';

/** Epoch ms of an IST wall-clock time "YYYY-MM-DD HH:MM". */
const ist = (wall: string) => Date.parse(`${wall.replace(' ', 'T')}:00+05:30`);
const isoIst = (wall: string) => new Date(ist(wall)).toISOString();

describe('dailyLossBreach', () => {
  it.each([
    { when: 'the day is in profit', net: 50_000n, max: 10_000n, breached: false },
    { when: 'the loss is one paisa short of the limit', net: -9_999n, max: 10_000n, breached: false },
    { when: 'the loss equals the limit exactly', net: -10_000n, max: 10_000n, breached: true },
    { when: 'the loss is past the limit', net: -12_345n, max: 10_000n, breached: true },
    { when: 'no limit is configured, even at a huge loss', net: -(10n ** 12n), max: null, breached: false },
  ])('when $when, then breached is $breached', ({ net, max, breached }) => {
    expect(dailyLossBreach(net, max).breached).toBe(breached);
  });

  it('when the loss breaches the limit, then the figures are exact rupee strings', () => {
    expect(dailyLossBreach(-12_345n, 10_000n)).toEqual({
      breached: true, netPnl: '-123.45', limit: '100.00', message: "today's net P&L -123.45 has reached the daily loss limit 100.00",
    });
  });
});

describe('nextTradingDayStartMs (IST calendar)', () => {
  it.each([
    { when: 'a halt on a Tuesday afternoon', at: '2026-11-17 14:00', holidays: [], reset: '2026-11-18 00:00' },
    { when: 'a halt just before IST midnight', at: '2026-11-17 23:59', holidays: [], reset: '2026-11-18 00:00' },
    { when: 'a halt just after IST midnight (still 18:30 UTC the day before)', at: '2026-11-18 00:01', holidays: [], reset: '2026-11-19 00:00' },
    { when: 'a halt on a Friday', at: '2026-11-20 10:00', holidays: [], reset: '2026-11-23 00:00' },
    { when: 'a halt on a Saturday', at: '2026-11-21 10:00', holidays: [], reset: '2026-11-23 00:00' },
    { when: 'a halt on a Friday before a Monday holiday', at: '2026-11-20 10:00', holidays: ['2026-11-23'], reset: '2026-11-24 00:00' },
    { when: 'a halt on Christmas eve with Christmas a holiday', at: '2026-12-24 15:00', holidays: ['2026-12-25'], reset: '2026-12-28 00:00' },
  ])('when $when, then it resets at $reset IST', ({ at, holidays, reset }) => {
    expect(new Date(nextTradingDayStartMs(ist(at), holidays)).toISOString()).toBe(isoIst(reset));
  });
});

describe('engage and release', () => {
  const args = (over: Partial<EngageArgs> = {}): EngageArgs => ({
    account: 'acct', reason: 'loss', source: 'daily-loss-check', by: 'scheduler', nowMs: ist('2026-11-20 11:00'), engagementId: 'e1',
    resetAtNextTradingDay: true, holidays: [], ...over,
  });

  it('when an active switch is engaged, then it is HALTED until the next trading day starts', () => {
    const { state, changed } = engage(activeKillSwitch('acct'), args());
    expect(changed).toBe(true);
    expect(state).toMatchObject({ status: 'HALTED', reason: 'loss', engagedAtMs: ist('2026-11-20 11:00'), resetAtMs: ist('2026-11-23 00:00'), engagementId: 'e1' });
    expect(isHalted(state, ist('2026-11-22 23:59'))).toBe(true);
    expect(isHalted(state, ist('2026-11-23 00:00'))).toBe(false);
  });

  it('when the reset is configured off, then the halt lasts until an operator releases it', () => {
    const { state } = engage(activeKillSwitch('acct'), args({ resetAtNextTradingDay: false }));
    expect(state.resetAtMs).toBeNull();
    expect(isHalted(state, ist('2027-01-01 10:00'))).toBe(true);
    const released = release(state, { reason: 'ok', source: 'api', by: 'ops', nowMs: ist('2027-01-01 10:00') });
    expect(released.changed).toBe(true);
    expect(isHalted(released.state, ist('2027-01-01 10:00'))).toBe(false);
  });

  it('when a halted switch is engaged again, then nothing changes (the first engagement stands)', () => {
    const first = engage(activeKillSwitch('acct'), args()).state;
    const again = engage(first, args({ engagementId: 'e2', reason: 'other', nowMs: ist('2026-11-20 12:00') }));
    expect(again).toEqual({ state: first, changed: false });
  });

  it('when a halt has passed its reset time, then a new engage starts a new engagement', () => {
    const first = engage(activeKillSwitch('acct'), args()).state;
    const next = engage(first, args({ engagementId: 'e2', nowMs: ist('2026-11-23 09:30') }));
    expect(next.changed).toBe(true);
    expect(next.state).toMatchObject({ engagementId: 'e2', resetAtMs: ist('2026-11-24 00:00') });
  });

  it('when an operator released the switch today, then the loss check leaves it alone until the next IST day', () => {
    const halted = engage(activeKillSwitch('acct'), args({ resetAtNextTradingDay: false })).state;
    const released = release(halted, { reason: 'ok', source: 'api', by: 'ops', nowMs: ist('2026-11-20 11:30') }).state;
    expect(releasedByOperatorToday(released, ist('2026-11-20 23:59'))).toBe(true);
    expect(releasedByOperatorToday(released, ist('2026-11-21 00:00'))).toBe(false);
    const byCalendar = release(halted, { reason: 'a new trading day', source: 'next-trading-day', by: 'calendar', nowMs: ist('2026-11-20 11:30') }).state;
    expect(releasedByOperatorToday(byCalendar, ist('2026-11-20 12:00'))).toBe(false);
  });

  it('when an active switch is released, then nothing changes', () => {
    expect(release(activeKillSwitch('acct'), { reason: 'x', source: 'api', by: 'ops', nowMs: 0 }).changed).toBe(false);
  });
});

const halted = { status: 'HALTED' as const, reason: 'daily loss', resetAtMs: NOW_MS + 60_000, engagedAt: new Date(NOW_MS - 60_000).toISOString(), resetAt: new Date(NOW_MS + 60_000).toISOString() };
const withSwitch = (killSwitch: typeof halted | null, extra: ContextOverrides = {}): ContextOverrides =>
  ({ ...extra, account: { ...extra.account, killSwitch } });

describeCheck('kill_switch', [
  { when: 'the switch was never engaged', ctx: withSwitch(null), outcome: 'passes' },
  { when: 'the switch is halted and the order adds risk', ctx: withSwitch(halted), outcome: 'fails with KILL_SWITCH' },
  { when: 'the switch is halted and the order only reduces a position', ctx: withSwitch(halted, REDUCE_ONLY_SELL), outcome: 'passes' },
  { when: 'the halt has passed its reset time', ctx: withSwitch({ ...halted, resetAtMs: NOW_MS }), outcome: 'passes' },
  { when: 'the switch was released', ctx: withSwitch({ ...halted, status: 'ACTIVE' } as never), outcome: 'passes' },
]);
