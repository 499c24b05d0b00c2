import { z } from 'zod';
import { readJsonConfig } from './config-file';
import { STRATEGY_EVENT_TYPES, type AlertKind, type AlertSeverity, type StrategyEventType } from '../domain/strategy-events';

const ALERT_KINDS = ['KILL_SWITCH_ENGAGED', 'KILL_SWITCH_RELEASED', 'MANUAL_REVIEW', 'RECONCILIATION_FINDING', 'TOKEN_EXPIRED', 'DUPLICATE_ORDER'] as const satisfies readonly AlertKind[];
const SEVERITIES = ['info', 'warning', 'critical'] as const satisfies readonly AlertSeverity[];
const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -');
/** Secrets and secret-bearing URLs are named by environment variable, never written in the file. */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name (A-Z, 0-9, _)');
const httpUrl = z.url({ protocol: /^https?$/ });

const target = { url: httpUrl.optional(), urlEnv: envName.optional() };

/** One strategy webhook: its events POSTed to a URL, signed with HMAC-SHA256 when a secret is named. */
const WebhookSchema = z.strictObject({
  id,
  strategies: z.array(id).min(1),
  types: z.array(z.enum(STRATEGY_EVENT_TYPES as unknown as [StrategyEventType, ...StrategyEventType[]]).refine((t) => t !== 'ALERT', 'alerts go to alert channels')).min(1).optional(),
  ...target,
  secretEnv: envName.optional(),
});

/** One alert channel: a generic JSON webhook, a Slack incoming webhook or a Telegram bot chat. */
const AlertChannelSchema = z.strictObject({
  id,
  format: z.enum(['generic', 'slack', 'telegram']),
  ...target,
  secretEnv: envName.optional(),
  /** Telegram: the bot token's variable, the chat, and the Bot API's address (another for tests). */
  botTokenEnv: envName.optional(),
  chatId: z.union([z.string().min(1).max(64), z.number().int()]).optional(),
  apiRoot: httpUrl.default('https://api.telegram.org'),
  kinds: z.array(z.enum(ALERT_KINDS)).min(1).optional(),
  minSeverity: z.enum(SEVERITIES).default('info'),
});

export const EventsConfigSchema = z.strictObject({
  note: z.string().optional(),
  webhooks: z.array(WebhookSchema).default([]),
  alerts: z.array(AlertChannelSchema).default([]),
  delivery: z.strictObject({
    /** One POST's deadline; a slower receiver counts as failed and is tried again. */
    timeoutMs: z.number().int().min(100).max(120_000).default(5_000),
    /** Backoff between attempts at one event: doubles from initial to max, and goes on until the receiver accepts. */
    retryInitialMs: z.number().int().min(10).max(600_000).default(1_000),
    retryMaxMs: z.number().int().min(10).max(3_600_000).default(60_000),
  }).refine((d) => d.retryInitialMs <= d.retryMaxMs, { message: 'retryInitialMs must not exceed retryMaxMs', path: ['retryMaxMs'] })
    .default({ timeoutMs: 5_000, retryInitialMs: 1_000, retryMaxMs: 60_000 }),
});
type EventsFile = z.output<typeof EventsConfigSchema>;

/** Where one subscription's events go, with every secret resolved from the environment. */
export interface Subscription {
  /** `webhook:<id>` or `alert:<id>`: the delivery cursor's name. */
  name: string;
  kind: 'webhook' | 'alert';
  format: 'generic' | 'slack' | 'telegram';
  url: string;
  secret: string | null;
  strategyIds?: readonly string[];
  types: readonly StrategyEventType[];
  /** Telegram's chat. */
  chatId?: string | number;
  kinds?: readonly AlertKind[];
  minSeverity: AlertSeverity;
}

export interface EventsConfig {
  subscriptions: Subscription[];
  delivery: EventsFile['delivery'];
}

export class EventsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventsConfigError';
  }
}

/** Reads config/events.json and resolves each named variable; a missing one stops start-up naming it. */
export function loadEventsConfig(path: string, source: NodeJS.ProcessEnv = process.env): EventsConfig {
  const file = readJsonConfig(path, 'events configuration', EventsConfigSchema, (m) => new EventsConfigError(m));
  return resolveEventsConfig(file, source, path);
}

export function resolveEventsConfig(file: EventsFile, source: NodeJS.ProcessEnv, where = 'events configuration'): EventsConfig {
  const need = (what: string, name: string | undefined): string => {
    if (!name) throw new EventsConfigError(`${where}: ${what} is required`);
    const v = source[name];
    if (!v) throw new EventsConfigError(`${where}: ${what} names the environment variable ${name}, which is not set`);
    return v;
  };
  const urlOf = (label: string, t: { url?: string; urlEnv?: string }): string => {
    if (t.url && t.urlEnv) throw new EventsConfigError(`${where}: ${label} has both url and urlEnv; give one`);
    const url = t.url ?? need(`${label}.urlEnv (or url)`, t.urlEnv);
    if (!httpUrl.safeParse(url).success) throw new EventsConfigError(`${where}: ${label}: the URL in ${t.urlEnv ?? 'url'} is not an http(s) URL`);
    return url;
  };
  const names = new Set<string>();
  const unique = (name: string) => {
    if (names.has(name)) throw new EventsConfigError(`${where}: two subscriptions are named ${name}`);
    names.add(name);
    return name;
  };
  const webhooks: Subscription[] = file.webhooks.map((w) => ({
    name: unique(`webhook:${w.id}`), kind: 'webhook', format: 'generic', url: urlOf(`webhooks[${w.id}]`, w),
    secret: w.secretEnv ? need(`webhooks[${w.id}].secretEnv`, w.secretEnv) : null,
    strategyIds: w.strategies, types: w.types ?? STRATEGY_EVENT_TYPES.filter((t) => t !== 'ALERT'), minSeverity: 'info',
  }));
  const alerts: Subscription[] = file.alerts.map((a) => {
    const label = `alerts[${a.id}]`;
    const telegram = a.format === 'telegram';
    if (telegram && a.chatId === undefined) throw new EventsConfigError(`${where}: ${label}: a telegram channel needs chatId`);
    return {
      name: unique(`alert:${a.id}`), kind: 'alert', format: a.format,
      url: telegram ? `${a.apiRoot.replace(/\/$/, '')}/bot${need(`${label}.botTokenEnv`, a.botTokenEnv)}/sendMessage` : urlOf(label, a),
      secret: a.secretEnv ? need(`${label}.secretEnv`, a.secretEnv) : null,
      types: ['ALERT'], chatId: a.chatId, kinds: a.kinds, minSeverity: a.minSeverity,
    };
  });
  return { subscriptions: [...webhooks, ...alerts], delivery: file.delivery };
}
