import { alertEvent, type Alert } from '../domain/strategy-events';
import type { EventStore } from '../store/event-store';
import { fallbackLineLog } from '../infra/logger';

/** Raises an alert: where operators are told (a log line, the event stream, the alert channels). */
export interface AlertSink {
  raise(alert: Alert): Promise<void>;
}

/** The line an operator (or a log-based alert rule) cannot miss: structured, at error level for warnings and worse. */
const logLine = (a: Alert) => JSON.stringify({ level: a.severity === 'info' ? 'warn' : 'error', alert: a.kind, severity: a.severity, account: a.account, message: a.message, ...(a.details ? { details: a.details } : {}) });

/** Only the log line: for tests of one layer and tools without a database. */
export const logOnlyAlerts = (log: (line: string) => void = fallbackLineLog('alerts')): AlertSink => ({
  raise: async (a) => log(logLine(a)),
});

/**
 * Alerts as the product raises them: logged, and written to the outbox as an ALERT event (the audit row, the
 * operators' stream and the alert channels' feed). The same occurrence raised again (a retried activity) is one event.
 */
export class Alerts implements AlertSink {
  constructor(private readonly deps: { store: Pick<EventStore, 'append'>; log: (line: string) => void }) {}

  async raise(a: Alert): Promise<void> {
    this.deps.log(logLine(a));
    await this.deps.store.append([alertEvent(a)]);
  }
}
