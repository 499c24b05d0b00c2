import { Runtime } from '@temporalio/worker';
import { ConfigError, parseEnv } from './config/env';
import { createLogger, lineLog, temporalLogger } from './infra/logger';
import { startSystem } from './system';

/** `npm start`: the whole OMS on embedded defaults (or the external services the environment names). */
async function main(): Promise<void> {
  const env = parseEnv();
  const format = env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const logger = createLogger({ level: env.LOG_LEVEL, format, secrets: [env.KITE_API_SECRET ?? '', env.KITE_ACCESS_TOKEN ?? ''] });
  // One owner of Ctrl-C: the shutdown below stops every part in order, the worker included. The SDK's own signal
  // handling would shut the worker down a second time under it (IllegalStateError: Not running ... DRAINING).
  // The SDK's own worker metrics (task latencies, slots, polls) on a Prometheus endpoint GET /metrics appends.
  // The SDK's messages, the workflows' `log` calls and the native core's warnings go through the same logger.
  Runtime.install({
    shutdownSignals: [], logger: temporalLogger(logger),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      ...(env.TEMPORAL_METRICS_BIND ? { metrics: { prometheus: { bindAddress: env.TEMPORAL_METRICS_BIND } } } : {}),
    },
  });
  const onlyWorker = process.argv.includes('--worker-only');
  const onlyApi = process.argv.includes('--api-only');
  if (onlyWorker && onlyApi) throw new ConfigError('--worker-only and --api-only exclude each other; give one (or neither, for both)');
  const sys = await startSystem(env, lineLog(logger, 'oms'), { ...(onlyWorker ? { api: false } : onlyApi ? { worker: false } : {}), logger });
  const redactedDb = sys.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  // JSON logs stay one record a line for whatever reads them; the banner is for a person at a terminal.
  if (format === 'json') {
    logger.info({ component: 'oms', mode: env.BROKER_MODE, apiUrl: sys.apiUrl || undefined, temporalAddress: sys.temporalAddress, temporalUiUrl: sys.temporalUiUrl, database: redactedDb, paperBrokerUrl: sys.paperBrokerUrl }, 'OMS is up');
  } else console.log([
    '',
    `OMS is up (${env.BROKER_MODE} mode${onlyWorker ? ', worker only' : onlyApi ? ', API only' : ''})`,
    sys.apiUrl ? `  API            ${sys.apiUrl}/api/v1/orders   (health: ${sys.apiUrl}/health, ready: ${sys.apiUrl}/ready)` : null,
    `  Temporal gRPC  ${sys.temporalAddress}   namespace ${env.TEMPORAL_NAMESPACE}, task queue ${env.TEMPORAL_TASK_QUEUE}`,
    sys.temporalUiUrl ? `  Temporal UI    ${sys.temporalUiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows` : null,
    `  Postgres       ${redactedDb}`,
    sys.paperBrokerUrl ? `  Paper broker   ${sys.paperBrokerUrl}   (control API: ${sys.paperBrokerUrl}/control/orders)` : null,
    'Ctrl-C stops everything.',
  ].filter(Boolean).join('\n'));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ component: 'oms' }, `${signal}: stopping`);
    await sys.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
