/**
 * The fault run's HTTP client: a strategy's client of the OMS API that records every answer (code, time) and, like a
 * real strategy, re-sends the same request after a 429 or 503 (honouring Retry-After) or a dropped connection.
 */

export interface CallRecord {
  method: string;
  path: string;
  status: number; // 0: no HTTP answer (connection error or the client's own timeout)
  code: string | null; // the API's error code, or NETWORK_ERROR / CLIENT_TIMEOUT
  ms: number;
  retryAfter: boolean;
}

export interface Answer<T = any> { status: number; body: T; code: string | null; retryAfterS: number | null }

/** One call never waits longer than this: the API promises an answer within seconds whatever is down. */
const CALL_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RecordingClient {
  readonly calls: CallRecord[] = [];
  /** Requests that never got a final answer before their give-up deadline. */
  readonly unanswered: string[] = [];

  constructor(private readonly baseUrl: string, private readonly apiKey: string) {}

  /** One HTTP call, recorded. */
  async once<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const started = performance.now();
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method, headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
        body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      const text = await res.text();
      const ms = performance.now() - started;
      let parsed: any = null;
      try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { raw: text }; }
      const header = res.headers.get('retry-after');
      const code = typeof parsed?.error?.code === 'string' ? parsed.error.code : null;
      this.calls.push({ method, path, status: res.status, code, ms, retryAfter: header !== null });
      return { status: res.status, body: parsed, code, retryAfterS: header === null ? null : Number(header) };
    } catch (err) {
      const code = (err as Error).name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NETWORK_ERROR';
      this.calls.push({ method, path, status: 0, code, ms: performance.now() - started, retryAfter: false });
      return { status: 0, body: null as T, code, retryAfterS: null };
    }
  }

  /** Sends until the answer is final: a 429, a 503 or no answer is re-sent (same body) after Retry-After (else 1 s). */
  async send<T = any>(method: string, path: string, body?: unknown, giveUpMs = 180_000): Promise<Answer<T>> {
    const deadline = Date.now() + giveUpMs;
    for (;;) {
      const answer = await this.once<T>(method, path, body);
      const again = answer.status === 0 || answer.status === 429 || answer.status === 503;
      if (!again) return answer;
      if (Date.now() > deadline) {
        this.unanswered.push(`${method} ${path}: last ${answer.status} ${answer.code ?? ''}`.trim());
        return answer;
      }
      await sleep(Math.max(0.2, answer.retryAfterS ?? 1) * 1000);
    }
  }
}

/** The p-th percentile (nearest rank) of `xs`; NaN when empty. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
