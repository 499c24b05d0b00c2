import { brokerSettings, type Env } from './config/env';
import { createLogger, lineLog, type LineLog, type Logger } from './infra/logger';
import { startApi } from './system/api-part';
import { loadSystemConfig } from './system/configuration';
import { connectCore } from './system/core';
import { startDatabase, startPaperBroker, startTemporal } from './system/infrastructure';
import { startMetricsServer } from './system/metrics-server';
import { ShutdownStack } from './system/shutdown';
import { startWorker } from './system/worker-part';

export interface RunningSystem {
  apiUrl: string;
  /** The metrics server of a process without the API (METRICS_PORT), if started. */
  metricsUrl: string | undefined;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  databaseUrl: string;
  paperBrokerUrl: string | undefined;
  stop(): Promise<void>;
}

/** Brings up every part the environment does not provide, in dependency order; stop() takes them down in reverse. */
export async function startSystem(
  env: Env, log: LineLog = lineLog(createLogger({ level: env.LOG_LEVEL, format: env.LOG_FORMAT }), 'oms'),
  /** `logger`: the request log's (and the in-process paper broker's) records; absent, requests are not logged. */
  parts: { worker?: boolean; api?: boolean; logger?: Logger } = {},
): Promise<RunningSystem> {
  const stops = new ShutdownStack(log);
  const stop = () => stops.stopAll();
  try {
    const config = loadSystemConfig(env, log, stops);
    const databaseUrl = await startDatabase(env, log, stops);
    const temporal = await startTemporal(env, stops, log);
    const broker = brokerSettings(env);
    const paperBrokerUrl = await startPaperBroker(env, broker, stops, config.accounts, parts.logger ? lineLog(parts.logger, 'paper') : (l) => log(`[paper] ${l}`));
    const endpoints = { databaseUrl, temporalAddress: temporal.address, paperBrokerUrl };
    const core = await connectCore({ env, log, logger: parts.logger, config, endpoints, broker }, stops);
    if (parts.worker !== false) await startWorker(core, stops);
    const apiUrl = parts.api !== false ? await startApi(core, stops) : '';
    // Without the API, nothing would serve this process's metrics: METRICS_PORT gives it its own /metrics and /health.
    const metricsUrl = parts.api === false && env.METRICS_PORT !== undefined ? await startMetricsServer({
      host: env.API_HOST, port: env.METRICS_PORT, metrics: core.metrics, sdkMetricsUrl: env.TEMPORAL_METRICS_BIND ? `http://${env.TEMPORAL_METRICS_BIND}/metrics` : undefined,
    }, stops) : undefined;
    if (metricsUrl) log(`metrics on ${metricsUrl}/metrics (health: ${metricsUrl}/health)`);
    return { apiUrl, metricsUrl, temporalAddress: temporal.address, temporalUiUrl: temporal.uiUrl, databaseUrl, paperBrokerUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
