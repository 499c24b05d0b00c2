import { Router, type Response } from 'express';
import { z } from 'zod';
import { canActFor } from '../../config/access-config';
import { notFound } from '../../services/app-errors';
import { principalOf } from '../auth';
import type { MonitorService } from '../../services/monitor-service';
import { safeText } from '../safe-input';

export const MonitorIdParam = z.object({ id: z.string().regex(/^monitor-[A-Za-z0-9_.:-]{1,64}$/, 'a monitor id (monitor-<clientOrderId>)') });
export const CancelMonitorBody = z.strictObject({ reason: safeText(500).optional() });

/** /api/v1/monitors: read and cancel position monitors. A strategy key sees its own strategies' monitors only. */
export function monitorRoutes(service: MonitorService): Router {
  const r = Router();
  const ownMonitor = async (res: Response, id: string) => {
    const state = await service.getMonitor(id);
    const p = principalOf(res);
    if (p.strategies !== 'all' && !canActFor(p, state.entry.strategyId)) throw notFound(`monitor ${id}`);
    return state;
  };

  /** One monitor: status, open quantity, deadlines, OCO group, exits, episodes. */
  r.get('/:id', async (req, res) => {
    const { id } = MonitorIdParam.parse(req.params);
    res.json({ monitor: await ownMonitor(res, id) });
  });

  /** Stops the monitor (cancelMonitorUpdate): its OCO legs are cancelled, the position is left open. */
  r.post('/:id/cancel', async (req, res) => {
    const { id } = MonitorIdParam.parse(req.params);
    const body = CancelMonitorBody.parse(req.body ?? {});
    await ownMonitor(res, id);
    res.json({ monitor: await service.cancelMonitor(id, body.reason) });
  });

  return r;
}
