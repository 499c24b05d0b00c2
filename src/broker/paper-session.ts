import type { SessionCalendar } from '../domain/risk/risk-types';

/**
 * In paper mode the simulated exchange's session is the one that counts: the market-hours rule reads it from the
 * paper broker's control API (cached briefly) instead of the live calendar, so a simulated closed market rejects
 * orders exactly as a real one would.
 */
export function paperSessionSource(paperUrl: string, cacheMs = 1000): () => Promise<SessionCalendar> {
  let cached: { at: number; session: SessionCalendar } | null = null;
  return async () => {
    if (cached && Date.now() - cached.at < cacheMs) return cached.session;
    const res = await fetch(`${paperUrl.replace(/\/$/, '')}/control/config`);
    if (!res.ok) throw new Error(`paper broker session: HTTP ${res.status}`);
    const body = (await res.json()) as { data: { session: { alwaysOpen: boolean; open: string; close: string; holidays?: string[]; squareOffTime?: string | null } } };
    const s = body.data.session;
    cached = { at: Date.now(), session: { alwaysOpen: s.alwaysOpen, open: s.open, close: s.close, holidays: s.holidays ?? [], squareOffTime: s.squareOffTime ?? null } };
    return cached.session;
  };
}
