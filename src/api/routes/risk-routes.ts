import { Router } from 'express';
import type { LoadedRiskConfig } from '../../config/risk-config-file';

export interface RiskConfigView {
  current(): LoadedRiskConfig;
  lastReloadError: string | null;
}

/** Read-only view of the risk gate's configuration. */
export function riskRoutes(riskConfig: RiskConfigView): Router {
  const router = Router();
  /** GET /api/v1/risk/config — the active configuration as written, its version and the last refused reload. */
  router.get('/config', (_req, res) => {
    const c = riskConfig.current();
    res.json({
      version: c.version, loadedAt: c.loadedAt, file: c.path, reloadIntervalMs: c.config.reloadIntervalMs,
      lastReloadError: riskConfig.lastReloadError, config: c.config.raw,
    });
  });
  return router;
}
