import { percentile } from './fault-run-client';
import type { FaultRunReport } from './fault-run-scenario';

/** The figures issue 12 asks for; a run passes when lost, duplicates, mismatches and 5xx other than 503 + Retry-After are all 0. */
export interface FaultRunFigures {
  lost: number;
  duplicates: number;
  mismatches: number;
  /** Orders not final, or waiting for an operator, at the end (after the last cancels). */
  stuck: number;
  /** Every answer with a 5xx status, by "status code". */
  fiveXxByCode: Record<string, number>;
  fiveXx: number;
  /** 5xx answers other than a 503 with Retry-After (the API's documented "ask again" answers, which clients honour). */
  fiveXxErrors: number;
  /** 429 answers (Retry-After honoured, the same request re-sent). */
  tooManyByCode: Record<string, number>;
  /** Calls that got no HTTP answer (connection error, or none within 60 s), and requests never answered finally. */
  noAnswer: number;
  unanswered: number;
  maxMs: number;
  p99Ms: number;
}

const count = (xs: string[]) => xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});

export function figuresOf(r: FaultRunReport): FaultRunFigures {
  const answered = r.calls.filter((c) => c.status > 0);
  const fives = answered.filter((c) => c.status >= 500);
  return {
    lost: r.findings.lost.length, duplicates: r.findings.duplicates.length, mismatches: r.findings.mismatches.length, stuck: r.findings.stuck.length,
    fiveXxByCode: count(fives.map((c) => `${c.status} ${c.code ?? '(no code)'}${c.retryAfter ? ' [Retry-After]' : ''}`)), fiveXx: fives.length,
    fiveXxErrors: fives.filter((c) => !(c.status === 503 && c.retryAfter)).length,
    tooManyByCode: count(answered.filter((c) => c.status === 429).map((c) => c.code ?? '(no code)')),
    noAnswer: r.calls.length - answered.length, unanswered: r.unanswered.length,
    maxMs: Math.max(0, ...answered.map((c) => c.ms)), p99Ms: percentile(answered.map((c) => c.ms), 99),
  };
}

/**
 * Whether the run found nothing wrong. A 503 with Retry-After is the API's documented answer while a worker is down
 * (ask again, the same request is safe); it is counted and shown, but only other 5xx answers fail the run.
 */
export const passed = (f: FaultRunFigures) => f.lost === 0 && f.duplicates === 0 && f.mismatches === 0 && f.fiveXxErrors === 0 && f.stuck === 0 && f.unanswered === 0;

const byCode = (m: Record<string, number>) => (Object.keys(m).length ? Object.entries(m).map(([k, v]) => `${k}: ${v}`).join(', ') : '-');

/** The figures as a table, then every finding in full. */
export function formatReport(r: FaultRunReport): string {
  const f = figuresOf(r);
  const timing = (method: string) => {
    const ms = r.calls.filter((c) => c.status > 0 && c.method === method).map((c) => c.ms);
    return ms.length ? `max ${Math.max(...ms).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, p50 ${percentile(ms, 50).toFixed(0)} ms (n=${ms.length})` : '-';
  };
  const rows: Array<[string, string]> = [
    ['orders sent / accepted (2xx)', `${r.sent} / ${r.accepted}`],
    ['final OMS statuses', byCode(r.finalStatuses)],
    ['LOST', String(f.lost)],
    ['DUPLICATES', String(f.duplicates)],
    ['MISMATCHES (orders + positions)', String(f.mismatches)],
    ['not final / waiting for an operator', String(f.stuck)],
    ['5xx answers', `${f.fiveXx}  (${byCode(f.fiveXxByCode)})`],
    ['  of which not a 503 with Retry-After', String(f.fiveXxErrors)],
    ['429 answers (Retry-After honoured)', byCode(f.tooManyByCode)],
    ['calls without an HTTP answer', String(f.noAnswer)],
    ['requests never answered finally', String(f.unanswered)],
    ['API answer time, all calls', `max ${f.maxMs.toFixed(0)} ms, p99 ${f.p99Ms.toFixed(0)} ms (n=${r.calls.length})`],
    ...(['POST', 'PATCH', 'DELETE', 'GET'].map((m) => [`  ${m}`, timing(m)] as [string, string])),
    ...Object.entries(r.faults).map(([label, u]) => [`fault: ${label}`, `${u.used} used of ${u.added} added`] as [string, string]),
    ['worker SIGKILLs (respawned)', `${r.killsAt.length} at ${r.killsAt.map((s) => `+${s.toFixed(1)} s`).join(', ') || '-'}`],
    ['wall time', `${r.seconds.toFixed(0)} s`],
    ['VERDICT', passed(f) ? 'PASS' : 'FAIL'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `fault run: ${r.options.orders} orders at ${r.options.ratePerSecond}/s, ${r.options.kills} worker SIGKILLs (down ${r.options.downMs} ms each), broker timeout ${r.options.brokerTimeoutMs} ms`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ];
  for (const [name, list] of Object.entries(r.findings) as Array<[string, string[]]>) {
    if (list.length) lines.push(`${name.toUpperCase()}:`, ...list.map((l) => `  - ${l}`));
  }
  if (r.unanswered.length) lines.push('UNANSWERED:', ...r.unanswered.map((l) => `  - ${l}`));
  const errors = r.calls.filter((c) => c.status >= 500 && !(c.status === 503 && c.retryAfter));
  if (errors.length) lines.push('5xx OTHER THAN 503 WITH RETRY-AFTER:', ...errors.map((c) => `  - ${c.method} ${c.path}: ${c.status} ${c.code ?? ''} after ${c.ms.toFixed(0)} ms`));
  if (r.evidence.length) lines.push('EVIDENCE:', ...r.evidence);
  return lines.join('\n');
}
