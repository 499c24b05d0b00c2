import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth';
import type { ReconciliationService } from '../../services/reconciliation-service';

export const ReconciliationQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(20) });

/** /api/v1/reconciliation (operators only). */
export function reconciliationRoutes(service: ReconciliationService): Router {
  const r = Router();
  r.use(requireRole('operator'));

  /** GET /api/v1/reconciliation — the latest runs (newest first) and the findings the latest run left open. */
  r.get('/', async (req, res) => {
    const { limit } = ReconciliationQuery.parse(req.query);
    res.json(await service.overview(limit));
  });
  return r;
}
