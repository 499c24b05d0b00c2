import type { Instrument } from '../domain/order-types';
import type { OrderState } from '../domain/order-state';
import { validateOrder, type ValidationReport } from '../domain/order-validation';
import { createBrokerActivities, type BrokerActivityDeps } from './broker-activities';
import type { PendingSave } from './record-outcome';
import { createRiskActivities, type Assessed, type RiskActivityDeps } from './risk-activities';
import { createStoreActivities } from './store-activities';
import type { OrderStore } from '../store/order-store';

export type ActivityDeps = BrokerActivityDeps & RiskActivityDeps & { store: Pick<OrderStore, 'saveProgress' | 'takeSendTicket' | 'claimSendTicket' | 'releaseSendTicket'> };

/**
 * Admission's answer: the instrument and the report (the gate's when it ran, `recorded` when it saved the order), or
 * `lookupFailed` when the broker could not say what the contract is (the workflow then looks it up on its own path,
 * which pauses on an expired session).
 */
export type Admitted = { instrument: Instrument | null; report: Assessed } | { lookupFailed: string };

type AdmitArgs = { state: OrderState; gate: boolean; record?: PendingSave };

/**
 * Admission in one call (one local activity, one history marker): the contract from the broker's instrument master,
 * the basic validation, and — when it passes and `gate` is set — the risk gate, which saves the order as its decision
 * leaves it. A gate that fails throws (the workflow rejects the order, fail closed).
 */
export function admitOrderWith(
  lookup: (a: { exchange: string; tradingsymbol: string; strategyId?: string }) => Promise<Instrument | null>,
  assess: (a: { state: OrderState; basic: ValidationReport; record?: PendingSave }) => Promise<Assessed>,
) {
  return async function admitOrder(args: AdmitArgs): Promise<Admitted> {
    let instrument: Instrument | null;
    try {
      instrument = await lookup({ exchange: args.state.request.exchange, tradingsymbol: args.state.request.tradingsymbol, strategyId: args.state.request.strategyId });
    } catch (err) {
      return { lookupFailed: err instanceof Error ? err.message : String(err) };
    }
    const basic = validateOrder(args.state.request, instrument);
    if (!basic.passed || !args.gate) return { instrument, report: basic };
    return { instrument, report: await assess({ state: { ...args.state, instrument }, basic, record: args.record }) };
  };
}

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  const broker = createBrokerActivities(deps);
  const risk = createRiskActivities(deps);
  return {
    ...broker,
    ...risk,
    ...createStoreActivities(deps),

    admitOrder: admitOrderWith(broker.lookupInstrument, risk.assessOrderRisk),
  };
}

export type OrderActivities = ReturnType<typeof createActivities>;
