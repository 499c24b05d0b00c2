/** Kite speaks India Standard Time (UTC+05:30, no DST). */
const IST_OFFSET_MS = 330 * 60_000;

export interface IstParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

export function istParts(date: Date): IstParts {
  const t = new Date(date.getTime() + IST_OFFSET_MS);
  return {
    year: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    day: t.getUTCDate(),
    hour: t.getUTCHours(),
    minute: t.getUTCMinutes(),
    second: t.getUTCSeconds(),
    weekday: t.getUTCDay(),
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** "YYYY-MM-DD" of the IST calendar day. */
export function istDate(date: Date): string {
  const p = istParts(date);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** Kite's timestamp format "YYYY-MM-DD HH:MM:SS" in IST. */
export function kiteTimestamp(date: Date): string {
  const p = istParts(date);
  return `${istDate(date)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** "YYMMDD" of the IST day, the prefix of Kite order ids. */
export function istYymmdd(date: Date): string {
  const p = istParts(date);
  return `${pad(p.year % 100)}${pad(p.month)}${pad(p.day)}`;
}

export function istSecondsOfDay(date: Date): number {
  const p = istParts(date);
  return p.hour * 3600 + p.minute * 60 + p.second;
}

export interface SessionWindow {
  alwaysOpen: boolean;
  open: string; // "HH:MM" IST
  close: string;
  holidays: readonly string[]; // "YYYY-MM-DD"
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether the exchange session is open at `date` (weekdays, not a holiday, open <= t < close). */
export function isSessionOpen(session: SessionWindow, date: Date): boolean {
  if (session.alwaysOpen) return true;
  const p = istParts(date);
  if (p.weekday === 0 || p.weekday === 6) return false;
  if (session.holidays.includes(istDate(date))) return false;
  const minute = p.hour * 60 + p.minute;
  return minute >= minutesOf(session.open) && minute < minutesOf(session.close);
}
