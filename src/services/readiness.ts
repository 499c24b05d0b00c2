/** One dependency's answer: ready, or why not. */
export interface CheckResult { ok: boolean; reason?: string }

export type ReadinessCheck = () => Promise<CheckResult>;

/** Each check gets this long; no answer counts as not ready (a hung dependency must not hang the probe). */
const CHECK_DEADLINE_MS = 2_000;

async function bounded(name: string, check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `${name} did not answer within ${CHECK_DEADLINE_MS} ms` }), CHECK_DEADLINE_MS);
  });
  try {
    return await Promise.race([check().catch((err: unknown) => ({ ok: false, reason: `${name}: ${(err as Error).message}` })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /ready: whether this deployment can take orders now — every check run at once, each bounded, each failure with
 * its reason. (GET /health only says the process is alive.)
 */
export async function readiness(checks: Record<string, ReadinessCheck>): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((n) => bounded(n, checks[n])));
  const out = Object.fromEntries(names.map((n, i) => [n, results[i]]));
  return { ready: results.every((r) => r.ok), checks: out };
}
