/**
 * IST wall-clock from epoch milliseconds with plain arithmetic: the domain reads no clock and no Date. India keeps
 * UTC+05:30 all year (no DST), so a fixed offset is exact.
 */

const IST_OFFSET_MS = 330 * 60_000;
const MS_PER_DAY = 86_400_000;

export interface IstClock {
  /** "YYYY-MM-DD" */
  date: string;
  /** "HH:MM" */
  time: string;
  /** 0 = Sunday ... 6 = Saturday */
  weekday: number;
  /** Minutes since IST midnight. */
  minuteOfDay: number;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Days since 1970-01-01 -> proleptic Gregorian date (Howard Hinnant's days_to_civil). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The IST calendar date, weekday and time of day at `nowMs`. */
export function istClock(nowMs: number): IstClock {
  const local = nowMs + IST_OFFSET_MS;
  const days = Math.floor(local / MS_PER_DAY);
  const minuteOfDay = Math.floor((local - days * MS_PER_DAY) / 60_000);
  const { year, month, day } = civilFromDays(days);
  // 1970-01-01 was a Thursday (4); the double modulo keeps dates before 1970 positive.
  const weekday = (((days + 4) % 7) + 7) % 7;
  return {
    date: `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
    time: `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`,
    weekday,
    minuteOfDay,
  };
}

/** "09:15" -> 555; NaN when malformed (every comparison with NaN is false, so a bad calendar reads as closed). */
export function minutesOfHhmm(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}

/** The next 00:00 IST after `nowMs` (epoch ms). */
export function nextIstMidnightMs(nowMs: number): number {
  return (Math.floor((nowMs + IST_OFFSET_MS) / MS_PER_DAY) + 1) * MS_PER_DAY - IST_OFFSET_MS;
}
