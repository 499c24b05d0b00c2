/**
 * Kite timestamps are IST wall-clock strings ("2026-11-24 10:15:02") with no zone. kiteconnect turns some into
 * Date objects in the machine's local zone, which is wrong anywhere but IST; this reads them as IST explicitly.
 */
export function parseKiteTimestamp(value: unknown, fallback: () => Date = () => new Date()): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) {
    // Re-read the local wall-clock fields as IST.
    const wall = Date.UTC(value.getFullYear(), value.getMonth(), value.getDate(), value.getHours(), value.getMinutes(), value.getSeconds());
    return new Date(wall - IST_OFFSET_MS).toISOString();
  }
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
    if (m) {
      const [, y, mo, d, h, mi, s] = m.map(Number);
      return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - IST_OFFSET_MS).toISOString();
    }
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  return fallback().toISOString();
}

const IST_OFFSET_MS = 330 * 60_000;
