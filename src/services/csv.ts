/**
 * RFC 4180 CSV: fields with a comma, a double quote, a CR or LF (or leading/trailing spaces, which some readers trim)
 * are quoted, and a double quote inside is doubled; records end with CRLF. Objects are written as JSON.
 *
 * Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with = + - @ (or a tab or CR
 * before one), so such a cell gets a leading single quote and is shown as text. A plain number such as -15.00 is
 * left alone: a spreadsheet reads it as the number it is, and prefixing would turn every loss into text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const raw = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const text = FORMULA_START.test(raw) && !PLAIN_NUMBER.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row and one record per row, in the header's column order. */
export function toCsv<K extends string>(columns: readonly K[], rows: readonly Record<K, unknown>[]): string {
  const line = (cells: readonly unknown[]) => cells.map(csvField).join(',');
  return [line(columns), ...rows.map((r) => line(columns.map((c) => r[c])))].map((l) => `${l}\r\n`).join('');
}
