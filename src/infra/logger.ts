import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import pino, { type DestinationStream, type Level, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'pretty';
/** The `log(line)` function start-up threads through the system: one free-text line, one record. */
export type LineLog = (line: string) => void;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface LoggerSettings {
  /** Default info. */
  level?: (typeof LOG_LEVELS)[number];
  /** Default: pretty when stdout is a terminal, JSON lines otherwise. */
  format?: LogFormat;
  /** Where records go (default stdout): tests pass a stream to read them. */
  destination?: DestinationStream;
  /** Values removed verbatim from every message wherever they appear (the configured API secret, access token). */
  secrets?: readonly string[];
}

const CENSOR = '[redacted]';

/** Record fields whose value is never written, at the top level or up to two objects down (req.headers.authorization). */
const SECRET_FIELDS = [
  'apiSecret', 'api_secret', 'accessToken', 'access_token', 'requestToken', 'request_token', 'refreshToken', 'refresh_token',
  'authorization', 'x-api-key', 'password', 'checksum', 'cookie', 'set-cookie', 'secret', 'token',
];

const fieldPath = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);
export const REDACT_PATHS = SECRET_FIELDS.flatMap((k) => [fieldPath(k).replace(/^\./, ''), `*${fieldPath(k)}`, `*.*${fieldPath(k)}`]);

/**
 * Messages are free text and may quote a URL, a header or a broker's answer: the secrets in them are cut by shape.
 * `key=value` / `"key": "value"` of the secret names, bearer and Kite (`token api_key:access_token`) credentials, and
 * passwords in URLs (postgresql://user:password@host).
 */
const TEXT_SECRETS: readonly [RegExp, string][] = [
  [/(authorization["']?\s*[=:]\s*["']?)(?:(?:token|bearer|basic)\s+)?[^\s"',}]+/gi, `$1${CENSOR}`],
  [/((?:api[_-]?secret|access[_-]?token|request[_-]?token|refresh[_-]?token|x-api-key|password|checksum)["']?\s*[=:]\s*["']?)[^\s"'&,;}]+/gi, `$1${CENSOR}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${CENSOR}`],
  [/\b(token\s+)[A-Za-z0-9_-]+:[A-Za-z0-9_-]+/gi, `$1${CENSOR}`],
  [/(\/\/[^:@/\s]+:)[^@/\s]+@/g, `$1${CENSOR}@`],
];

/** A free-text line with the secrets it may quote cut out (and each of `secrets`, where it appears). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(CENSOR);
  for (const [re, by] of TEXT_SECRETS) out = out.replace(re, by);
  return out;
}

/** The process's logger: JSON lines (one record a line) or, for a person at a terminal, pino-pretty in-process. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const secrets = (settings.secrets ?? []).filter((s) => s && s.length >= 4);
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a, secrets) : a)) as Parameters<typeof method>);
      },
    },
  };
  const format = settings.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'json') return settings.destination ? pino(options, settings.destination) : pino(options);
  return pino(options, pretty({
    sync: true, colorize: !settings.destination && Boolean(process.stdout.isTTY), destination: settings.destination ?? 1,
    translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,component', messageFormat: '{if component}[{component}] {end}{msg}',
  }));
}

const LINE_LEVELS = new Set<string>(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/** A line that is itself a JSON record `{"level": ..., "message": ..., ...}` (alerts.ts writes these). */
function recordIn(line: string): { level: Level; message: string; fields: Record<string, unknown> } | null {
  if (!line.startsWith('{"level":')) return null;
  try {
    const { level, message, ...fields } = JSON.parse(line) as Record<string, unknown>;
    return typeof level === 'string' && LINE_LEVELS.has(level) ? { level: level as Level, message: typeof message === 'string' ? message : '', fields } : null;
  } catch {
    return null;
  }
}

/**
 * `log(line)` over the logger: each line an info record of the component. A line that is a JSON record with a
 * level keeps its level and fields, so an alert stays an error record a log-based rule can match.
 */
export function lineLog(logger: Logger, component: string): LineLog {
  const child = logger.child({ component });
  return (line) => {
    const record = recordIn(line);
    if (record) child[record.level](record.fields, record.message);
    else child.info(line);
  };
}

/** For parts built without a log function (tests of one layer, tools): a default logger, made on first use. */
export function fallbackLineLog(component: string): LineLog {
  let log: LineLog | undefined;
  return (line) => (log ??= lineLog(fallbackLogger(), component))(line);
}

let defaultLogger: Logger | undefined;
const fallbackLogger = () => (defaultLogger ??= createLogger());

const PINO_LEVEL: Record<SdkLogLevel, Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's Runtime logger over pino: its own messages, the workflows' `log` calls (the SDK routes them to
 * the runtime logger through a sink) and, when forwarded, the native core's.
 */
export function temporalLogger(logger: Logger): SdkLogger {
  const child = logger.child({ component: 'temporal' });
  const log = (level: SdkLogLevel, message: string, meta?: LogMetadata) => {
    const { error, ...rest } = meta ?? {};
    // pino serializes an Error (message, stack, type) under `err` only.
    const fields = error instanceof Error ? { ...rest, err: error } : meta ?? {};
    child[PINO_LEVEL[level] ?? 'info'](fields, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
