import type { RequestHandler, Router } from 'express';
import { Router as router } from 'express';
import type { OmsMetrics } from '../metrics/oms-metrics';

/** Each request's duration by method, matched route (not the raw path: ids would explode the series) and status. */
export function requestMetrics(metrics: OmsMetrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.http.observe({ method: req.method, route, status: String(res.statusCode) }, (performance.now() - started) / 1000);
    });
    next();
  };
}

/**
 * GET /metrics — Prometheus text: this process's registry and, when the Temporal runtime exports its own
 * (TEMPORAL_METRICS_BIND), the SDK's worker metrics appended.
 */
export function metricsRoutes(metrics: OmsMetrics, sdkMetricsUrl?: string): Router {
  const r = router();
  r.get('/metrics', async (_req, res) => {
    const own = await metrics.registry.metrics();
    let sdk = '';
    if (sdkMetricsUrl) {
      sdk = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) }).then((x) => (x.ok ? x.text() : ''), () => '');
    }
    res.type(metrics.registry.contentType).send(sdk ? `${own}\n${sdk}` : own);
  });
  return r;
}
