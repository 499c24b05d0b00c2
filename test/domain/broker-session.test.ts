import { sessionExpiresAt, sessionState } from '../../src/domain/broker-session';

/** Epoch ms of an IST wall-clock time "YYYY-MM-DD HH:MM:SS". */
const ist = (wall: string) => Date.parse(`${wall.replace(' ', 'T')}+05:30`);

describe('sessionExpiresAt (Kite logs every token out at 06:00 IST)', () => {
  it.each([
    { when: 'a login in the morning before the open', at: '2026-12-03 08:45:00', expires: '2026-12-04 06:00:00' },
    { when: 'a login in the evening', at: '2026-12-03 21:10:00', expires: '2026-12-04 06:00:00' },
    { when: 'a login just after midnight IST', at: '2026-12-04 00:05:00', expires: '2026-12-04 06:00:00' },
    { when: 'a login one second before 06:00', at: '2026-12-04 05:59:59', expires: '2026-12-04 06:00:00' },
    { when: 'a login exactly at 06:00', at: '2026-12-04 06:00:00', expires: '2026-12-05 06:00:00' },
    { when: 'a login on the last day of a year', at: '2026-12-31 10:00:00', expires: '2027-01-01 06:00:00' },
    { when: 'a login at 05:00 IST, which is still the previous UTC day', at: '2027-03-01 05:00:00', expires: '2027-03-01 06:00:00' },
  ])('when $when, then the token expires at $expires IST', ({ at, expires }) => {
    expect(sessionExpiresAt(ist(at))).toBe(ist(expires));
  });

  it('when the expiry is written as UTC, then it is 00:30Z', () => {
    expect(new Date(sessionExpiresAt(ist('2026-12-03 09:00:00'))).toISOString()).toBe('2026-12-04T00:30:00.000Z');
  });
});

describe('sessionState', () => {
  const record = { since: ist('2026-12-03 08:45:00'), expiresAt: ist('2026-12-04 06:00:00') };
  it.each([
    { when: 'a stored token before its expiry', rec: record, now: '2026-12-03 15:00:00', refused: false, state: 'LIVE' },
    { when: 'a stored token at its expiry', rec: record, now: '2026-12-04 06:00:00', refused: false, state: 'EXPIRED' },
    { when: 'the broker refused the token in use', rec: record, now: '2026-12-03 15:00:00', refused: true, state: 'EXPIRED' },
    { when: 'no token was stored', rec: null, now: '2026-12-03 15:00:00', refused: false, state: 'NONE' },
    { when: 'no token was stored and the broker refused the one from the environment', rec: null, now: '2026-12-03 15:00:00', refused: true, state: 'EXPIRED' },
    { when: 'a stored token of unknown expiry', rec: { since: record.since, expiresAt: null }, now: '2027-01-01 00:00:00', refused: false, state: 'LIVE' },
  ])('when $when, then the session is $state', ({ rec, now, refused, state }) => {
    expect(sessionState(rec, ist(now), refused)).toBe(state);
  });
});
