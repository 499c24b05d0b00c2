import { Router } from 'express';
import { z } from 'zod';
import { actorOf, principalOf, requireRole } from '../auth';
import type { KillSwitchService } from '../../services/kill-switch-service';
import { cancelOpenOrders, type CancelDeps } from '../../services/order-cancellation';
import { safeText } from '../safe-input';

const accountId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'an account id from config/accounts.json');

export const KillSwitchBody = z.strictObject({
  action: z.enum(['engage', 'release']),
  /** The broker account (default: the default account). */
  account: accountId.optional(),
  reason: safeText(500).pipe(z.string().trim().min(1, 'say why')),
});

/** Query of GET /kill-switch: which account (default: the default account). */
export const KillSwitchQuery = z.strictObject({ account: accountId.optional() });

export const CancelAllBody = z.strictObject({
  strategyId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -').optional(),
  tradingsymbol: z.string().regex(/^[A-Z0-9&_-]{1,40}$/, 'an upper-case Kite tradingsymbol').optional(),
  /** Only this broker account's orders. */
  account: accountId.optional(),
  reason: safeText(500).pipe(z.string().trim().min(1)).optional(),
});

/** Operator-only: the kill switch (/api/v1/kill-switch) and the cancel sweep (/api/v1/orders/cancel-all). */
export function killSwitchRoutes(d: { killSwitch?: KillSwitchService; cancel: CancelDeps }): Router {
  const r = Router();

  /** POST /api/v1/orders/cancel-all — cancels every live order matching the filters; answers with each result. */
  r.post('/orders/cancel-all', requireRole('operator'), async (req, res) => {
    const b = CancelAllBody.parse(req.body ?? {});
    const filter = { strategyId: b.strategyId, tradingsymbol: b.tradingsymbol, account: b.account === undefined ? undefined : (d.killSwitch?.accountOf(b.account) ?? b.account) };
    const { asked, results } = await cancelOpenOrders(d.cancel, filter, b.reason ?? `cancel-all by ${principalOf(res).id}`, { by: actorOf(principalOf(res)) });
    const count = (o: string) => results.filter((x) => x.outcome === o).length;
    res.json({
      filter: JSON.parse(JSON.stringify(filter)), asked, cancelled: count('cancelled'), ended: count('ended'), timedOut: count('timed_out'), failed: count('failed'), results,
    });
  });

  const ks = d.killSwitch;
  if (ks) {
    /** GET /api/v1/kill-switch[?account=] — the account's state and its recent events. */
    r.get('/kill-switch', requireRole('operator'), async (req, res) => {
      const { account } = KillSwitchQuery.parse(req.query);
      res.json({ killSwitch: await ks.state(account) });
    });

    /** POST /api/v1/kill-switch — engage (halt: refuse new risk, cancel entries, keep protective exits) or release. */
    r.post('/kill-switch', requireRole('operator'), async (req, res) => {
      const { action, reason, account } = KillSwitchBody.parse(req.body);
      const outcome = await ks.set(action, reason, principalOf(res).id, account);
      const { kept, ...cancelled } = outcome.cancelled ?? { kept: undefined };
      res.json({ killSwitch: outcome.state, changed: outcome.changed, cancelled: outcome.cancelled && cancelled, kept, flattened: outcome.flattened });
    });
  }
  return r;
}
