import { Router } from 'express';
import { z } from 'zod';
import { canActFor } from '../../config/access-config';
import { AppError } from '../../services/app-errors';
import { principalOf } from '../auth';
import type { PositionService, Scope } from '../../services/position-service';

/** Query of GET /positions and /pnl: narrow to one strategy and/or one symbol; nothing else is accepted. */
export const PositionsQuery = z.strictObject({
  strategyId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -').optional(),
  tradingsymbol: z.string().regex(/^[A-Z0-9&_-]{1,40}$/, 'an upper-case Kite tradingsymbol').optional(),
  /** One broker account: its book and its strategies' (config/accounts.json). */
  account: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'an account id from config/accounts.json').optional(),
});

/** /api/v1/positions and /api/v1/pnl. A strategy key sees only its own strategies' books, never the account's. */
export function positionRoutes(service: PositionService): Router {
  const r = Router();
  const scopeOf = (query: unknown, res: Parameters<typeof principalOf>[0]): Scope => {
    const q = PositionsQuery.parse(query);
    const p = principalOf(res);
    if (q.strategyId && !canActFor(p, q.strategyId)) throw new AppError(403, 'STRATEGY_NOT_ALLOWED', `this key may not read strategy ${q.strategyId}`);
    const strategyIds = q.strategyId ? [q.strategyId] : p.strategies === 'all' ? undefined : p.strategies;
    return { strategyIds, tradingsymbol: q.tradingsymbol, account: q.account };
  };

  /** Net and day positions, the account's and each strategy's, marked to the last price. */
  r.get('/positions', async (req, res) => {
    res.json(await service.positions(scopeOf(req.query, res)));
  });

  /** Today's realized, unrealized, charges and net P&L, in total, per strategy and per symbol. */
  r.get('/pnl', async (req, res) => {
    res.json(await service.pnl(scopeOf(req.query, res)));
  });
  return r;
}
