import { Runtime } from '@temporalio/worker';
import { ConfigError, parseEnv } from './config/env';
import { startSystem } from './system';

/** `npm start`: the whole OMS on embedded defaults (or the external services the environment names). */
async function main(): Promise<void> {
  const env = parseEnv();
  // One owner of Ctrl-C: the shutdown below stops every part in order, the worker included. The SDK's own signal
  // handling would shut the worker down a second time under it (IllegalStateError: Not running ... DRAINING).
  // The SDK's own worker metrics (task latencies, slots, polls) on a Prometheus endpoint GET /metrics appends.
  Runtime.install({ shutdownSignals: [], ...(env.TEMPORAL_METRICS_BIND ? { telemetryOptions: { metrics: { prometheus: { bindAddress: env.TEMPORAL_METRICS_BIND } } } } : {}) });
  const onlyWorker = process.argv.includes('--worker-only');
  const onlyApi = process.argv.includes('--api-only');
  if (onlyWorker && onlyApi) throw new ConfigError('--worker-only and --api-only exclude each other; give one (or neither, for both)');
  const sys = await startSystem(env, (l) => console.log(`[oms] ${l}`), onlyWorker ? { api: false } : onlyApi ? { worker: false } : {});
  const redactedDb = sys.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  console.log([
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
    console.log(`[oms] ${signal}: stopping`);
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
