import { civilFromDays, istClock, minutesOfHhmm, nextIstMidnightMs } from '../../../src/domain/risk/ist-clock';

describe('istClock', () => {
  it.each([
    { utc: '1970-01-01T00:00:00.000Z', date: '1970-01-01', time: '05:30', weekday: 4 },
    { utc: '2026-11-17T04:30:00.000Z', date: '2026-11-17', time: '10:00', weekday: 2 },
    { utc: '2026-11-16T18:29:59.999Z', date: '2026-11-16', time: '23:59', weekday: 1 },
    { utc: '2026-11-16T18:30:00.000Z', date: '2026-11-17', time: '00:00', weekday: 2 },
    { utc: '2028-02-28T20:00:00.000Z', date: '2028-02-29', time: '01:30', weekday: 2 },
    { utc: '2000-02-29T12:00:00.000Z', date: '2000-02-29', time: '17:30', weekday: 2 },
    { utc: '2100-02-28T20:00:00.000Z', date: '2100-03-01', time: '01:30', weekday: 1 },
    { utc: '1969-12-31T18:29:00.000Z', date: '1969-12-31', time: '23:59', weekday: 3 },
    { utc: '2026-12-31T20:00:00.000Z', date: '2027-01-01', time: '01:30', weekday: 5 },
  ])('when it is $utc, then the IST clock reads $date $time (weekday $weekday)', ({ utc, date, time, weekday }) => {
    expect(istClock(Date.parse(utc))).toMatchObject({ date, time, weekday });
  });

  it('when swept over 1950-2150, then the date, weekday and time agree with the platform calendar shifted by +05:30', () => {
    const mismatches: string[] = [];
    for (let ms = Date.UTC(1950, 0, 1); ms < Date.UTC(2150, 0, 1); ms += 97 * 3_600_000 + 7 * 60_000) {
      const shifted = new Date(ms + 330 * 60_000);
      const expected = {
        date: shifted.toISOString().slice(0, 10),
        time: shifted.toISOString().slice(11, 16),
        weekday: shifted.getUTCDay(),
        minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
      };
      const actual = istClock(ms);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${ms}: ${JSON.stringify(actual)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('when day 0 is converted, then it is 1970-01-01', () => {
    expect(civilFromDays(0)).toEqual({ year: 1970, month: 1, day: 1 });
  });
});

describe('minutesOfHhmm', () => {
  it.each([
    { hhmm: '09:15', minutes: 555 },
    { hhmm: '15:30', minutes: 930 },
    { hhmm: '00:00', minutes: 0 },
    { hhmm: '9:15', minutes: 555 },
  ])('when the time is $hhmm, then it is $minutes minutes after midnight', ({ hhmm, minutes }) => {
    expect(minutesOfHhmm(hhmm)).toBe(minutes);
  });

  it.each(['9.15', '', 'open'])('when the time is malformed (%p), then it is NaN so the session reads as closed', (hhmm) => {
    expect(minutesOfHhmm(hhmm)).toBeNaN();
  });
});

describe('the next IST midnight', () => {
  it.each([
    ['late evening IST', '2026-12-03T17:00:00Z', '2026-12-03T18:30:00.000Z'],
    ['just after midnight IST', '2026-12-03T18:30:00.001Z', '2026-12-04T18:30:00.000Z'],
    ['exactly midnight IST (the next one)', '2026-12-03T18:30:00Z', '2026-12-04T18:30:00.000Z'],
    ['early morning UTC, already that day in IST', '2026-12-03T01:00:00Z', '2026-12-03T18:30:00.000Z'],
  ])('when it is %s, then the next 00:00 IST is the one after it', (_when, now, expected) => {
    expect(new Date(nextIstMidnightMs(Date.parse(now))).toISOString()).toBe(expected);
  });
});
