import { planHaltSweep, type HaltOrderFacts } from '../domain/halt-protection';
import { isHalted, type KillSwitchState } from '../domain/kill-switch';
import { opposite } from '../domain/order-group';
import { groupIdFor, legOrderIdFor, type GroupRequest } from '../domain/order-group-legs';
import { unprocessable } from './app-errors';
import { haltFactsOf, type LiveOrder } from './order-cancellation';

export interface HaltGuardDeps {
  /** The kill switch of the strategy's broker account. */
  killSwitch: (strategyId: string) => Promise<KillSwitchState>;
  /** The strategy book's net quantity on the contract (0 before its first fill). */
  bookQuantity: (key: { strategyId: string; tradingsymbol: string; exchange: string; product: string }) => Promise<number>;
  liveOrders: (f: { strategyId: string; tradingsymbol: string }) => Promise<LiveOrder[]>;
  now?: () => number;
}

/**
 * While the account is halted an OCO is accepted only when it protects: its legs skip the risk gate (they close a held
 * position), so the gate cannot refuse one that would open or add risk. They are judged exactly as the halt's sweep
 * judges working exits (sell a long / buy a short, within what older exits leave of it). A bracket needs no check here:
 * its entry goes through the gate.
 */
export async function refuseUnprotectiveOcoWhileHalted(d: HaltGuardDeps, g: GroupRequest): Promise<void> {
  if (g.kind !== 'oco') return;
  const ks = await d.killSwitch(g.strategyId);
  if (!isHalted(ks, (d.now ?? Date.now)())) return;
  const groupId = groupIdFor(g.clientOrderId);
  const key = { strategyId: g.strategyId, tradingsymbol: g.tradingsymbol, exchange: g.exchange, product: g.product };
  // A repeat of this very group is judged once: its own legs are the ones it would place.
  const live = (await d.liveOrders({ strategyId: g.strategyId, tradingsymbol: g.tradingsymbol })).filter((o) => o.parentId !== groupId);
  const legs: HaltOrderFacts[] = (['target', 'stop'] as const).map((role) => ({
    ...key, orderId: legOrderIdFor(g.clientOrderId, role), side: opposite(g.side), quantity: g.quantity, filledQuantity: 0, parentId: groupId, legRole: role,
  }));
  const plan = planHaltSweep([...live.map(haltFactsOf), ...legs], [{ ...key, quantity: await d.bookQuantity(key) }], { flattening: false });
  const verdict = plan.find((x) => x.orderId === legs[0].orderId);
  if (verdict?.action !== 'cancel') return;
  throw unprocessable('KILL_SWITCH', `the kill switch is engaged (${ks.reason ?? 'no reason given'}); an OCO is accepted only when it protects an open position, and ${verdict.message}`, {
    check: 'kill_switch', reasonCode: 'KILL_SWITCH', haltReason: verdict.reason,
  });
}
