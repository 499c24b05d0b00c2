import { createHmac } from 'node:crypto';
import type { Subscription } from '../config/events-config';
import type { AlertSeverity } from '../domain/strategy-events';
import type { EventMessage } from './event-stream';

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * The signature a receiver checks: HMAC-SHA256 with the shared secret over `<timestamp>.<body>`, hex, as
 * `X-OMS-Signature: sha256=<hex>` beside `X-OMS-Timestamp` (unix seconds), so a replayed old body is recognisable.
 */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Whether the subscription wants this event at all (an alert channel's kinds and least severity). */
export function wants(sub: Subscription, m: EventMessage): boolean {
  if (!sub.types.includes(m.type)) return false;
  if (m.type !== 'ALERT') return true;
  const kind = m.data.kind as string;
  const severity = (m.data.severity as AlertSeverity | undefined) ?? 'info';
  return (!sub.kinds || sub.kinds.includes(kind as never)) && RANK[severity] >= RANK[sub.minSeverity];
}

const ICON: Record<AlertSeverity, string> = { info: 'ℹ️', warning: '⚠️', critical: '🚨' };

/** One line and the message, as a person reads an alert in a chat. */
function alertText(m: EventMessage, markdown: boolean): string {
  const d = m.data as { kind: string; severity: AlertSeverity; message: string };
  const head = `${ICON[d.severity] ?? ''} ${markdown ? `*${d.kind}*` : d.kind} (${d.severity}${m.account ? `, account ${m.account}` : ''})`;
  return `${head.trim()}\n${d.message}\nat ${m.occurredAt} · event ${m.id}`;
}

/** The HTTP request that delivers an event to a subscription, in its format. */
export function requestFor(sub: Subscription, m: EventMessage, nowMs: number): OutgoingRequest {
  const body = sub.format === 'slack' ? JSON.stringify({ text: alertText(m, true) })
    : sub.format === 'telegram' ? JSON.stringify({ chat_id: sub.chatId, text: alertText(m, false), disable_web_page_preview: true })
      : JSON.stringify(m);
  const timestamp = String(Math.floor(nowMs / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'user-agent': 'kite-oms-events/1', 'x-oms-event-id': m.id, 'x-oms-event-type': m.type, 'x-oms-timestamp': timestamp,
  };
  if (sub.secret) headers['x-oms-signature'] = signatureOf(sub.secret, timestamp, body);
  return { url: sub.url, headers, body };
}

/**
 * Sends one request; resolves when the receiver answered 2xx, throws otherwise. The error names the status or the
 * network failure, never the URL (a Slack URL or a Telegram bot token is a secret).
 */
export async function send(req: OutgoingRequest, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw new Error(e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `not delivered: ${e.cause?.code ?? e.name}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`the receiver answered HTTP ${res.status}`);
}
