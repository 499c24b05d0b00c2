import express from 'express';
import { listenOn, baseUrlOf } from './listen';
import { metricsRoutes } from '../api/metrics-routes';
import type { OmsMetrics } from '../metrics/oms-metrics';
import type { ShutdownStack } from './shutdown';

export interface MetricsServerOptions {
  host: string;
  port: number;
  metrics: OmsMetrics;
  /** The Temporal SDK's own Prometheus endpoint (TEMPORAL_METRICS_BIND), appended to GET /metrics. */
  sdkMetricsUrl?: string;
}

/**
 * GET /metrics and GET /health for a process that serves no API (`--worker-only`, METRICS_PORT): Prometheus scrapes
 * each worker as it scrapes the API, and an orchestrator has a liveness probe. Answers with its base URL.
 */
export async function startMetricsServer(options: MetricsServerOptions, stops: ShutdownStack): Promise<string> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => { res.json({ status: 'ok', role: 'worker' }); });
  app.use(metricsRoutes(options.metrics, options.sdkMetricsUrl));
  const server = await listenOn(app, options.port, options.host);
  stops.push(() => new Promise((r) => { server.close(() => r(undefined)); server.closeAllConnections(); }));
  return baseUrlOf(server, options.host, options.port);
}
