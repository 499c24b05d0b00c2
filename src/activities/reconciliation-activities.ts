import type { KiteGateway } from '../broker/kite-gateway';
import type { ReconciliationConfig } from '../config/reconciliation-config';
import { classifyOrders, classifyPositions, inFlightKeys, OMS_TAG_PREFIX, type Finding } from '../domain/reconciliation';
import { sessionClosedReason } from '../domain/risk/rules-market-hours';
import { istClock } from '../domain/risk/ist-clock';
import type { SessionCalendar } from '../domain/risk/risk-types';
import { ACCOUNT_BOOK, type PositionStore } from '../store/position-store';
import type { ReconciliationStore } from '../store/reconciliation-store';
import type { AppliedRun, RunRecord } from '../domain/reconciliation';

export interface ReconciliationActivityDeps {
  broker: Pick<KiteGateway, 'getNetPositions' | 'getOrderBook'>;
  positions: Pick<PositionStore, 'listPositions'>;
  reconciliation: Pick<ReconciliationStore, 'internalOrders' | 'pastTags' | 'applyRun'>;
  reconciliationConfig: Pick<ReconciliationConfig, 'policies' | 'outsideSession'>;
  /** The exchange session (the paper broker's in paper mode, else the risk configuration's calendar). */
  session: () => Promise<SessionCalendar>;
  now?: () => number;
  log?: (msg: string) => void;
}

export type Detection =
  | { skipped: true; reason: string }
  | { skipped: false; counts: RunRecord['counts']; findings: Finding[] };

/** The reconciler's activities: a read-only detection, then one transactional apply. */
export function createReconciliationActivities(d: ReconciliationActivityDeps) {
  const now = d.now ?? Date.now;
  return {
    /**
     * Reads the broker's net positions and order book and the OMS's account book and orders, and classifies the
     * differences. Writes nothing, so a retry is free. Outside the exchange session it does nothing and says why.
     */
    async detectDiscrepancies(args: { runId: string }): Promise<Detection> {
      const session = await d.session();
      const closed = sessionClosedReason(session, istClock(now()));
      if (closed && !d.reconciliationConfig.outsideSession) {
        d.log?.(`reconciliation ${args.runId}: skipped, the market is closed (${closed})`);
        return { skipped: true, reason: `market closed (${closed})` };
      }
      const [brokerPositions, brokerOrders, books] = await Promise.all([
        d.broker.getNetPositions(), d.broker.getOrderBook(), d.positions.listPositions(),
      ]);
      const ours = brokerOrders.filter((o) => o.tag?.startsWith(OMS_TAG_PREFIX));
      const tags = ours.map((o) => o.tag!);
      const [internalOrders, pastTags] = await Promise.all([
        d.reconciliation.internalOrders(tags, ours.map((o) => o.brokerOrderId)), d.reconciliation.pastTags(tags),
      ]);
      const account = books.filter((b) => b.strategyId === ACCOUNT_BOOK).map((b) => ({ tradingsymbol: b.tradingsymbol, exchange: b.exchange, product: b.product, quantity: b.book.quantity }));
      const policies = d.reconciliationConfig.policies;
      const findings = [
        ...classifyPositions(brokerPositions, account, policies, inFlightKeys(internalOrders)),
        ...classifyOrders(brokerOrders, internalOrders, pastTags, policies),
      ];
      for (const f of findings) d.log?.(`reconciliation ${args.runId}: ${f.kind} ${f.key} broker=${JSON.stringify(f.broker)} internal=${JSON.stringify(f.internal)} policy=${f.policy}${f.deferred ? ' (deferred)' : ''}`);
      return {
        skipped: false, findings,
        counts: { brokerPositions: brokerPositions.filter((p) => p.quantity !== 0).length, internalPositions: account.filter((p) => p.quantity !== 0).length, brokerOrders: ours.length },
      };
    },

    /** Records the run, its findings and all its corrections in one transaction; a retry of an applied run does nothing. */
    async applyReconciliation(run: RunRecord): Promise<AppliedRun> {
      const applied = await d.reconciliation.applyRun(run, now());
      if (applied.alreadyApplied) return applied;
      if (applied.findings) d.log?.(`reconciliation ${run.runId}: ${JSON.stringify(applied.resolutions)}`);
      // What nobody fixes by itself is an alert: a line an operator (or a log-based alert rule) cannot miss.
      for (const f of run.findings) {
        const needsOperator = f.resolution === 'ALERTED' || f.resolution === 'WORKFLOW_NOT_RUNNING' || (!f.resolution && !f.deferred && f.policy === 'alert-only');
        if (needsOperator) d.log?.(`ALERT reconciliation ${run.runId}: ${f.kind} ${f.key}${f.orderId ? ` order ${f.orderId}` : ''} broker=${JSON.stringify(f.broker)} internal=${JSON.stringify(f.internal)} (${f.resolution ?? f.policy})`);
      }
      return applied;
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
