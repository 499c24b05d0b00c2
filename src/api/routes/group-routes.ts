import { Router, type Response } from 'express';
import { canActFor } from '../../config/access-config';
import { AppError, notFound } from '../../services/app-errors';
import { principalOf } from '../auth';
import { CancelGroupBody, GroupIdParam, PlaceGroupBody } from '../group-schemas';
import type { GroupService } from '../../services/group-service';

/** /api/v1/groups: OCO pairs and brackets. Same key rules as orders: a strategy key acts for its own strategies only. */
export function groupRoutes(service: GroupService): Router {
  const r = Router();
  const ownGroup = async (res: Response, id: string) => {
    const p = principalOf(res);
    if (p.strategies === 'all') return;
    const owner = await service.strategyOf(id);
    if (!owner || !canActFor(p, owner)) throw notFound(`group ${id}`);
  };

  /** Starts a group; 202 with its state (legs starting), 200 for a repeat of the same request, 409 for another. */
  r.post('/', async (req, res) => {
    const request = PlaceGroupBody.parse(req.body);
    if (!canActFor(principalOf(res), request.strategyId)) throw new AppError(403, 'STRATEGY_NOT_ALLOWED', `this key may not place orders for strategy ${request.strategyId}`);
    const { created, group } = await service.placeGroup(request);
    res.status(created ? 202 : 200).location(`/api/v1/groups/${group.groupId}`).json({ group });
  });

  /** One group: legs (with their order ids), position, episodes. */
  r.get('/:id', async (req, res) => {
    const { id } = GroupIdParam.parse(req.params);
    await ownGroup(res, id);
    res.json({ group: await service.getGroup(id) });
  });

  /** Cancels every live leg of the group. */
  r.post('/:id/cancel', async (req, res) => {
    const { id } = GroupIdParam.parse(req.params);
    const body = CancelGroupBody.parse(req.body ?? {});
    await ownGroup(res, id);
    res.json({ group: await service.cancelGroup(id, body.reason) });
  });

  return r;
}
