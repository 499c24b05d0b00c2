import { Router } from 'express';
import { KitePostback } from '../order-schemas';
import type { OrderService } from '../../services/order-service';

/** POST /api/v1/webhooks/kite: Kite postbacks. A bad checksum answers 401 and changes nothing. */
export function webhookRoutes(service: OrderService): Router {
  const r = Router();
  r.post('/kite', async (req, res) => {
    const body = KitePostback.parse(req.body);
    const { delivered } = await service.handlePostback(body);
    res.status(200).json({ received: true, delivered });
  });
  return r;
}
