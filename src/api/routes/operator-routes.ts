import { Router } from 'express';
import { requireRole } from '../auth';
import { BrokerSessionBody } from '../order-schemas';
import type { OrderService } from '../../services/order-service';

export interface OperatorDeps {
  orders: OrderService;
  /** Stores the operator's fresh broker token where the workers pick it up. */
  saveAccessToken: (accessToken: string, account?: string) => Promise<{ updatedAt: Date }>;
}

/** Operator-only endpoints: what waits for a human, and the broker session. */
export function operatorRoutes(d: OperatorDeps): Router {
  const router = Router();
  router.use(requireRole('operator'));

  /** GET /api/v1/interventions — orders waiting for an operator, with why. */
  router.get('/interventions', async (_req, res) => {
    res.json({ interventions: await d.orders.listInterventions() });
  });

  /** POST /api/v1/broker/session — a fresh Kite access token (never echoed, never logged). */
  router.post('/broker/session', async (req, res) => {
    const { accessToken, account } = BrokerSessionBody.parse(req.body);
    const { updatedAt } = await d.saveAccessToken(accessToken, account);
    res.json({ updated: true, updatedAt: updatedAt.toISOString() });
  });
  return router;
}
