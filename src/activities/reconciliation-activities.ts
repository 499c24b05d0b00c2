import type { KiteGateway } from '../broker/kite-gateway';
import type { ReconciliationConfig } from '../config/reconciliation-config';
import { classifyOrders, classifyPositions, inFlightKeys, markPositionFindings, OMS_TAG_PREFIX, POSITION_KINDS, type Finding } from '../domain/reconciliation';
import { sessionClosedReason } from '../domain/risk/rules-market-hours';
import { istClock } from '../domain/risk/ist-clock';
import type { SessionCalendar } from '../domain/risk/risk-types';
import { accountBook, DEFAULT_ACCOUNT, type PositionStore } from '../store/position-store';
import type { ReconciliationStore } from '../store/reconciliation-store';
import type { OrderStore } from '../store/order-store';
import { isKiteFinal } from '../domain/kite-status';
import { classifyBrokerError } from '../broker/broker-errors';
import type { AppliedRun, RunRecord } from '../domain/reconciliation';
import { logOnlyAlerts, type AlertSink } from '../services/alerts';
import { canonicalJson, fnv1a64 } from '../domain/hash';

export interface ReconciliationActivityDeps {
  broker: Pick<KiteGateway, 'getNetPositions' | 'getOrderBook' | 'getOrderSnapshot' | 'cancelOrder'>;
  /** Books a duplicate broker order's fills to its OMS order's strategy (idempotent by trade id). */
  orders: Pick<OrderStore, 'recordDuplicateFills'>;
  positions: Pick<PositionStore, 'listPositions'>;
  reconciliation: Pick<ReconciliationStore, 'internalOrders' | 'pastTags' | 'applyRun'>;
  reconciliationConfig: Pick<ReconciliationConfig, 'policies' | 'outsideSession'>;
  /** The exchange session (the paper broker's in paper mode, else the risk configuration's calendar). */
  session: () => Promise<SessionCalendar>;
  /** The broker's last prices in paise by "EXCHANGE:SYMBOL" (the quote cache /pnl marks with); may throw. */
  lastPrices?: (keys: string[]) => Promise<Map<string, number>>;
  now?: () => number;
  log?: (msg: string) => void;
  /** Where operators are told of what nobody fixes by itself (absent: the log only). */
  alerts?: AlertSink;
  /** The gateway of each broker account (several accounts); absent: `broker` is the one account's. */
  brokerFor?: (account: string) => ReconciliationActivityDeps['broker'];
  /** The account `broker` trades (a run started by hand without `{account}` reconciles it). */
  defaultAccount?: string;
}

export type Detection =
  | { skipped: true; reason: string }
  | { skipped: false; counts: RunRecord['counts']; findings: Finding[] };

/** The reconciler's activities: a read-only detection, then one transactional apply. */
export function createReconciliationActivities(d: ReconciliationActivityDeps) {
  const now = d.now ?? Date.now;
  const brokerOf = (account: string | undefined) => (account && d.brokerFor ? d.brokerFor(account) : d.broker);
  return {
    /**
     * Reads the broker's net positions and order book and the OMS's account book and orders, and classifies the
     * differences. Writes nothing, so a retry is free. Outside the exchange session it does nothing and says why.
     */
    async detectDiscrepancies(args: { runId: string; account?: string }): Promise<Detection> {
      const session = await d.session();
      const closed = sessionClosedReason(session, istClock(now()));
      if (closed && !d.reconciliationConfig.outsideSession) {
        d.log?.(`reconciliation ${args.runId}: skipped, the market is closed (${closed})`);
        return { skipped: true, reason: `market closed (${closed})` };
      }
      const [brokerPositions, brokerOrders, books] = await Promise.all([
        brokerOf(args.account).getNetPositions(), brokerOf(args.account).getOrderBook(), d.positions.listPositions(),
      ]);
      const ours = brokerOrders.filter((o) => o.tag?.startsWith(OMS_TAG_PREFIX));
      const tags = ours.map((o) => o.tag!);
      const [internalOrders, pastTags] = await Promise.all([
        d.reconciliation.internalOrders(tags, ours.map((o) => o.brokerOrderId)), d.reconciliation.pastTags(tags),
      ]);
      const book = accountBook(args.account ?? d.defaultAccount ?? DEFAULT_ACCOUNT);
      const account = books.filter((b) => b.strategyId === book).map((b) => ({ tradingsymbol: b.tradingsymbol, exchange: b.exchange, product: b.product, quantity: b.book.quantity }));
      const policies = d.reconciliationConfig.policies;
      const orderFindings = classifyOrders(brokerOrders, internalOrders, pastTags, policies);
      const classified = [...classifyPositions(brokerPositions, account, policies, inFlightKeys(internalOrders, orderFindings)), ...orderFindings];
      const findings = markPositionFindings(classified, await quotesFor(d, args.runId, classified));
      for (const f of findings) d.log?.(`reconciliation ${args.runId}: ${f.kind} ${f.key} broker=${JSON.stringify(f.broker)} internal=${JSON.stringify(f.internal)} policy=${f.policy}${f.deferred ? ' (deferred)' : ''}`);
      return {
        skipped: false, findings,
        counts: { brokerPositions: brokerPositions.filter((p) => p.quantity !== 0).length, internalPositions: account.filter((p) => p.quantity !== 0).length, brokerOrders: ours.length },
      };
    },

    /**
     * A second broker order under one OMS order's tag: with `cancel`, what is unfilled of it is cancelled; its fills are
     * booked as trades of the OMS order (its strategy's book and the account's), so no fill is lost or counted twice.
     * Safe to run again: a cancel of a final order is not sent, and fills are keyed by trade id.
     */
    async settleDuplicateOrder(args: { orderId: string; brokerOrderId: string; cancel: boolean; account?: string }) {
      const broker = brokerOf(args.account);
      let snapshot = await broker.getOrderSnapshot(args.brokerOrderId);
      let cancelled = false;
      if (args.cancel && !isKiteFinal(snapshot.status)) {
        try {
          await broker.cancelOrder('regular', args.brokerOrderId);
          cancelled = true;
        } catch (err) {
          const e = classifyBrokerError(err);
          if (e.kind !== 'rejected') throw e; // a refusal: it completed meanwhile (booked below); else ask again
        }
        snapshot = await broker.getOrderSnapshot(args.brokerOrderId);
      }
      const booked = await d.orders.recordDuplicateFills(args.orderId, args.brokerOrderId, snapshot.trades);
      return { cancelled, status: snapshot.status, final: isKiteFinal(snapshot.status), filledQuantity: snapshot.filledQuantity, tradesBooked: booked };
    },

    /** Records the run, its findings and all its corrections in one transaction; a retry of an applied run does nothing. */
    async applyReconciliation(run: RunRecord): Promise<AppliedRun> {
      const applied = await d.reconciliation.applyRun({ ...run, account: run.account ?? d.defaultAccount }, now());
      if (applied.alreadyApplied) return applied;
      if (applied.findings) d.log?.(`reconciliation ${run.runId}: ${JSON.stringify(applied.resolutions)}`);
      // What nobody fixes by itself is an alert.
      const alerts = d.alerts ?? logOnlyAlerts((l) => d.log?.(l));
      for (const f of run.findings) {
        const needsOperator = f.resolution === 'ALERTED' || f.resolution === 'WORKFLOW_NOT_RUNNING' || (!f.resolution && !f.deferred && f.policy === 'alert-only');
        if (!needsOperator) continue;
        await alerts.raise({
          kind: 'RECONCILIATION_FINDING', severity: f.kind === 'DUPLICATE_ORDER' ? 'critical' : 'warning', account: run.account ?? null, orderId: f.orderId ?? null,
          // One alert per finding as it stands: the same difference seen again next run is not news; a changed one is.
          occurrence: `${run.account ?? ''}:${f.kind}:${f.key}:${fnv1a64(canonicalJson({ b: f.broker ?? null, i: f.internal ?? null, o: f.orderId ?? null })).toString(16)}`, at: new Date(now()).toISOString(),
          message: `reconciliation ${run.runId}: ${f.kind} ${f.key}${f.orderId ? ` order ${f.orderId}` : ''} (${f.resolution ?? f.policy}); broker=${JSON.stringify(f.broker)} internal=${JSON.stringify(f.internal)}`,
          details: { runId: run.runId, finding: f.kind, key: f.key, resolution: f.resolution ?? null, policy: f.policy, broker: f.broker ?? null, internal: f.internal ?? null },
        });
      }
      return applied;
    },
  };
}

/**
 * Quotes for the OMS positions the broker lists without a last price (a phantom has no broker line): a correction is
 * priced at the broker's last price. Without quotes a correction falls back to the book's cost (adjustmentFill).
 */
async function quotesFor(d: ReconciliationActivityDeps, runId: string, findings: readonly Finding[]): Promise<Map<string, number>> {
  const unpriced = findings.filter((f) => (POSITION_KINDS as readonly string[]).includes(f.kind) && !(Number(f.broker?.lastPricePaise ?? 0) > 0));
  const keys = [...new Set(unpriced.map((f) => `${f.exchange}:${f.tradingsymbol}`))];
  if (!keys.length || !d.lastPrices) return new Map();
  try {
    return await d.lastPrices(keys);
  } catch (err) {
    d.log?.(`reconciliation ${runId}: no quotes for ${keys.join(', ')} (${(err as Error).message}); corrections there are priced at the book's cost`);
    return new Map();
  }
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
