import type { LoadedRiskConfig } from '../config/risk-config-file';
import type { OrderState } from '../domain/order-state';
import { compactReport, type ValidationReport } from '../domain/order-validation';
import { evaluateRisk, marginToReservePaise, referencePricePaise } from '../domain/risk/evaluate-risk';
import { combineReports } from '../domain/risk/gate-report';
import type { MarketQuote, RiskContext, SessionCalendar } from '../domain/risk/risk-types';
import type { KiteGateway } from '../broker/kite-gateway';
import type { OrderStore } from '../store/order-store';
import type { AdmitArgs, RiskStore } from '../store/risk-store';
import { recordOutcome, type PendingSave, type Recorded } from './record-outcome';
import type { GateMetrics } from '../metrics/oms-metrics';

export interface RiskActivityDeps {
  riskConfig: { current(): LoadedRiskConfig };
  marketData: { getQuotes(keys: string[]): Promise<Map<string, MarketQuote>> };
  broker: Pick<KiteGateway, 'getAvailableMargin' | 'getOrderMargin'>;
  riskStore: Pick<RiskStore, 'existingDecision' | 'symbolsToMark' | 'admit' | 'admitModification'>;
  /** The exchange session to check against; null = the configuration's live calendar. */
  session?: () => Promise<SessionCalendar | null>;
  now?: () => number;
  log?: (msg: string) => void;
  /** Where the gate saves the order as its decision leaves it (recordOutcome); none: the workflow saves. */
  store?: Pick<OrderStore, 'saveProgress'>;
  /** The gate's latency and the check that refused (GET /metrics). */
  metrics?: GateMetrics;
  /** A strategy's broker account: its limits, quotes and margins (several accounts); absent: the deps above. */
  accountFor?: (strategyId: string) => Pick<RiskActivityDeps, 'riskConfig' | 'marketData' | 'broker'>;
}

/** The gate's report; `recorded` when the gate also saved the order as VALIDATED (the workflow then does not). */
export type Assessed = ValidationReport & { recorded?: Recorded };

const isOptionBuy = (state: OrderState) => state.request.side === 'BUY' && ['CE', 'PE'].includes(state.instrument?.instrumentType ?? '');

/** The pre-trade risk gate. */
export function createRiskActivities(d: RiskActivityDeps) {
  const now = d.now ?? Date.now;
  const orNull = (what: string) => (err: unknown): null => {
    d.log?.(`${what} unavailable for the risk gate: ${(err as Error).message}`);
    return null;
  };
  return {
    /**
     * Runs every risk check on an order that passed basic validation and, if it passes, reserves its exposure, notional
     * and margin in the same locked transaction. Safe to retry: a decision already written is returned as it was.
     * Market data and margins are gathered before the lock; missing ones fail the checks that need them (fail closed).
     */
    async assessOrderRisk(args: { state: OrderState; basic: ValidationReport; record?: PendingSave }): Promise<Assessed> {
      // The full report stays in Postgres (the gate writes it); the workflow's history carries the compact one.
      const already = await d.riskStore.existingDecision(args.state.orderId);
      const report = compactReport(already ?? (await gate(args.state, args.basic, (a) => d.riskStore.admit(a))));
      // With `record`, the order is saved as VALIDATED with this report: admission needs no save of its own.
      const instrument = args.state.instrument;
      const recorded = d.store ? await recordOutcome(d.store, args.record, (at) => ({ type: 'VALIDATED', report, instrument, at }), d.log) : undefined;
      return recorded ? { ...report, recorded } : report;
    },

    /**
     * Re-checks a working order with the terms a modify asks for (`state.request` carries them). Every check runs
     * again against the rest of the account's book; a pass enlarges the order's reservation before the broker sees
     * the change. Retrying is harmless: the order's own reservation is never part of the book it is checked against.
     */
    /** The last traded price from the shared quote cache (null when the broker has none). */
    async getLastPrice(args: { exchange: string; tradingsymbol: string; strategyId?: string }): Promise<number | null> {
      const key = `${args.exchange}:${args.tradingsymbol}`;
      const { marketData } = args.strategyId && d.accountFor ? d.accountFor(args.strategyId) : d;
      return (await marketData.getQuotes([key])).get(key)?.lastPricePaise ?? null;
    },

    /** The full report is saved on the order (orders.modification_risk) by the gate; the workflow gets the compact one. */
    async assessModificationRisk(args: { state: OrderState; basic: ValidationReport }): Promise<ValidationReport> {
      return compactReport(await gate(args.state, args.basic, (a) => d.riskStore.admitModification(a)));
    },
  };

  async function gate(state: OrderState, basic: ValidationReport, admit: (a: AdmitArgs) => Promise<ValidationReport>): Promise<ValidationReport> {
    const started = performance.now();
    const report = await decide(state, basic, admit);
    d.metrics?.decided((performance.now() - started) / 1000, report.passed ? undefined : report.failure?.check ?? 'unknown');
    return report;
  }

  async function decide(state: OrderState, basic: ValidationReport, admit: (a: AdmitArgs) => Promise<ValidationReport>): Promise<ValidationReport> {
    const acct = d.accountFor?.(state.request.strategyId) ?? d;
    const loaded = acct.riskConfig.current();
    const { account } = loaded.config;
    const limits = loaded.config.resolve(state.request.strategyId);
    const orderKey = `${state.request.exchange}:${state.request.tradingsymbol}`;
    const marked = await d.riskStore.symbolsToMark(account, now());
    const quotes = await acct.marketData.getQuotes([orderKey, ...marked.filter((k) => k !== orderKey)]);
    const quote = quotes.get(orderKey) ?? null;
    const refPrice = referencePricePaise(state.request, quote);
    const [available, required, session] = await Promise.all([
      limits.margin.enabled ? acct.broker.getAvailableMargin().catch(orNull('available margin')) : null,
      limits.margin.enabled && !isOptionBuy(state) ? acct.broker.getOrderMargin(state.request, refPrice).catch(orNull('order margin')) : null,
      d.session ? d.session().catch(orNull('paper session')) : null,
    ]);
    const lastPrices = new Map<string, number>();
    for (const [k, q] of quotes) lastPrices.set(k, q.lastPricePaise);

    const nowMs = now();
    const meta = { account, configVersion: loaded.version, evaluatedAt: new Date(nowMs).toISOString() };
    const calendar = session ?? loaded.config.session;
    return admit({
      account, state, nowMs, lastPrices,
      underlying: state.instrument?.name || state.request.tradingsymbol,
      decide: (snapshot) => {
        const ctx: RiskContext = {
          order: state.request, instrument: state.instrument, nowMs, quote, requiredMarginPaise: required, session: calendar,
          limits: { ...limits, marketHours: { ...limits.marketHours, session: calendar } },
          account: { ...snapshot, availableMarginPaise: available },
        };
        const risk = evaluateRisk(ctx);
        const report = combineReports(basic, risk, meta);
        return { report, passed: report.passed, referencePricePaise: risk.referencePricePaise, reservedMarginPaise: marginToReservePaise(ctx, risk) };
      },
    });
  }
}
