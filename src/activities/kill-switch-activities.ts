import { logOnlyAlerts, type AlertSink } from '../services/alerts';
import type { Client } from '@temporalio/client';
import type { LoadedRiskConfig } from '../config/risk-config-file';
import { planHaltSweep, type HaltBookFacts } from '../domain/halt-protection';
import { dailyLossBreach, isHalted, releasedByOperatorToday, type KillSwitchSource, type KillSwitchState } from '../domain/kill-switch';
import type { OrderRequest, Product, Exchange } from '../domain/order-types';
import { fnv1a64 } from '../domain/hash';
import { rupeesToPaise } from '../domain/positions';
import { AppError } from '../services/app-errors';
import { haltFactsOf, type CancelFilter, type CancelOptions, type LiveOrder } from '../services/order-cancellation';
import type { KillSwitchStore } from '../store/kill-switch-store';
import { isAccountBook, type PositionKey, type PositionStore } from '../store/position-store';
import {
  engageKillSwitchSignal, killSwitchWorkflowId, releaseKillSwitchSignal, type FlattenResult, type KillSwitchOutcome, type SweepResult,
} from '../workflows/kill-switch-messages';

export interface KillSwitchActivityDeps {
  killSwitches: Pick<KillSwitchStore, 'get' | 'engage' | 'release' | 'recordEvent'>;
  riskConfig: { current(): LoadedRiskConfig };
  /** An account's own limits (several accounts); absent: `riskConfig` is the one account's. */
  riskConfigFor?: (account: string) => { current(): LoadedRiskConfig };
  /** The broker account of a strategy (absent: one account, every strategy's). */
  accountOf?: (strategyId: string) => string;
  /** Today's net P&L of the account in rupees (PositionService.pnl({account}).total.net: the figure the gate's daily loss uses). */
  accountNetPnl: (account: string) => Promise<string>;
  cancelOpenOrders: (filter: CancelFilter, reason: string, options?: CancelOptions) => Promise<SweepResult>;
  positions: Pick<PositionStore, 'listPositions'>;
  /** The API's own placement path (OrderService.placeOrder): risk-checked, audited, idempotent by client order id. */
  placeOrder: (request: OrderRequest) => Promise<{ order: { orderId: string; status: string } }>;
  client: Client;
  taskQueue: string;
  /** Where operators are told (the log, the event stream, the alert channels). */
  alerts?: AlertSink;
  now?: () => number;
}

/** The kill switch's adapters: its state in Postgres, the daily loss figure, the cancel sweep and flattening. */
export function createKillSwitchActivities(d: KillSwitchActivityDeps) {
  const now = d.now ?? Date.now;
  const alerts = d.alerts ?? logOnlyAlerts();
  const config = (account: string) => (d.riskConfigFor?.(account) ?? d.riskConfig).current().config;
  return {
    /** The persisted state (ACTIVE when never engaged). */
    async readKillSwitch(args: { account: string }): Promise<KillSwitchState> {
      return d.killSwitches.get(args.account);
    },

    /** Persists HALTED with its event (idempotent by engagement id) and raises the alarm once per engagement. */
    async engageKillSwitch(args: { account: string; engagementId: string; reason: string; by: string; source: KillSwitchSource }): Promise<KillSwitchOutcome> {
      const cfg = config(args.account);
      const r = await d.killSwitches.engage({ ...args, nowMs: now(), resetAtNextTradingDay: cfg.killSwitch.resetAtNextTradingDay, holidays: cfg.session.holidays });
      const thisOne = r.state.engagementId === args.engagementId && r.state.status === 'HALTED';
      if (thisOne) {
        await alerts.raise({
          kind: 'KILL_SWITCH_ENGAGED', severity: 'critical', account: args.account, occurrence: args.engagementId, at: new Date(now()).toISOString(),
          message: `KILL SWITCH ENGAGED for account ${args.account}: ${args.reason}. New risk is refused; entries and risk-increasing orders are being cancelled, protective exits kept.`,
          details: { engagementId: args.engagementId, reason: args.reason, source: args.source, by: args.by, resetAt: r.state.resetAtMs === null ? null : new Date(r.state.resetAtMs).toISOString() },
        });
      }
      // A retry after the commit finds its own engagement already written: still this engagement's to finish.
      return { state: r.state, changed: thisOne };
    },

    async releaseKillSwitch(args: { account: string; reason: string; by: string; source: KillSwitchSource }): Promise<KillSwitchOutcome> {
      const r = await d.killSwitches.release({ ...args, nowMs: now() });
      // Raised again by a retry after the release committed (changed is false then): one alert per engagement's release.
      if (r.changed || (r.state.status === 'ACTIVE' && r.state.engagementId && r.state.releasedAtMs !== null)) {
        await alerts.raise({
          kind: 'KILL_SWITCH_RELEASED', severity: 'info', account: args.account, occurrence: r.state.engagementId ?? 'none', at: new Date(now()).toISOString(),
          message: `kill switch released for account ${args.account}: ${args.reason}`, details: { reason: args.reason, source: args.source, by: args.by },
        });
      }
      return r;
    },

    /**
     * Cancels the account's live orders through their workflows, except the protective exits (domain/halt-protection:
     * an OCO/bracket target or stop, a group's flatten or a monitor's exit that can only reduce its strategy's book),
     * which keep the open positions protected through the halt; when the halt flattens, nothing is kept. Records what
     * was cancelled and what was kept, and why.
     */
    async cancelOrdersForKillSwitch(args: { account: string; engagementId: string }): Promise<SweepResult> {
      const flattening = config(args.account).killSwitch.flattenPositions;
      const decide = async (live: LiveOrder[]) => planHaltSweep(live.map(haltFactsOf), await strategyBooks(d, args.account), { flattening });
      const r = await d.cancelOpenOrders({ account: d.accountOf ? args.account : undefined }, `kill switch ${args.engagementId}`, { decide, by: `workflow:kill-switch ${args.engagementId}` });
      await d.killSwitches.recordEvent({
        id: `${args.account}:${args.engagementId}:ORDERS_CANCELLED`, account: args.account, type: 'ORDERS_CANCELLED', engagementId: args.engagementId,
        payload: {
          asked: r.asked,
          results: r.results.map((x) => ({ orderId: x.orderId, outcome: x.outcome, status: x.status, error: x.error?.code, haltReason: x.haltReason })),
          kept: r.kept.map((x) => ({ orderId: x.orderId, parentId: x.parentId, legRole: x.legRole, reason: x.reason, message: x.message })),
        },
        occurredAt: new Date(now()),
      });
      return r;
    },

    /**
     * When configured, closes each strategy's open position with a reduce-only MARKET order placed like any other
     * (risk gate, workflow, audit). The client order id is derived from the engagement, so a retry places nothing twice.
     */
    async flattenPositionsForKillSwitch(args: { account: string; engagementId: string }): Promise<{ enabled: boolean; results: FlattenResult[] }> {
      if (!config(args.account).killSwitch.flattenPositions) return { enabled: false, results: [] };
      const results = await flattenBooks(d, args.account, args.engagementId);
      await d.killSwitches.recordEvent({
        id: `${args.account}:${args.engagementId}:POSITIONS_FLATTENED`, account: args.account, type: 'POSITIONS_FLATTENED', engagementId: args.engagementId,
        payload: { results }, occurredAt: new Date(now()),
      });
      return { enabled: true, results };
    },

    /** Today's net P&L (realized + unrealized - charges) against daily.maxLossRupees, and whether already halted. */
    async checkDailyLoss(args: { account: string }) {
      const cfg = config(args.account);
      const maxLoss = cfg.resolve('').daily.maxLossPaise;
      const net = rupeesToPaise(await d.accountNetPnl(args.account));
      const check = dailyLossBreach(net, maxLoss === null ? null : BigInt(maxLoss));
      const state = await d.killSwitches.get(args.account);
      const halted = isHalted(state, now());
      const overridden = releasedByOperatorToday(state, now());
      return { ...check, halted, overridden, engage: check.breached && !halted && !overridden, account: args.account, checkedAt: new Date(now()).toISOString() };
    },

    /** Signals the account's kill switch workflow, starting it if it is not running. */
    async requestKillSwitch(args: { account: string; action: 'engage' | 'release'; reason: string; by: string; source: KillSwitchSource }): Promise<void> {
      await d.client.workflow.signalWithStart('killSwitchWorkflow', {
        workflowId: killSwitchWorkflowId(d.taskQueue, args.account), taskQueue: d.taskQueue, args: [{ account: args.account }],
        signal: args.action === 'engage' ? engageKillSwitchSignal : releaseKillSwitchSignal,
        signalArgs: [{ reason: args.reason, by: args.by, source: args.source }],
      });
    },
  };
}

/** The books a strategy of this account holds (an account-wide book is not a strategy's: no order belongs to it). */
async function accountStrategyBooks(d: KillSwitchActivityDeps, account: string) {
  const mine = (strategyId: string) => !d.accountOf || d.accountOf(strategyId) === account;
  return (await d.positions.listPositions({})).filter((p) => !isAccountBook(p.strategyId) && mine(p.strategyId));
}

/** Every strategy's book in the account. */
async function strategyBooks(d: KillSwitchActivityDeps, account: string): Promise<HaltBookFacts[]> {
  return (await accountStrategyBooks(d, account))
    .map((p) => ({ strategyId: p.strategyId, exchange: p.exchange, tradingsymbol: p.tradingsymbol, product: p.product, quantity: p.book.quantity }));
}

/**
 * One MARKET order per strategy book still open, the unattributed book included (what reconciliation found at the
 * broker and no strategy traded is the account's exposure too); a refusal is recorded, not thrown. The gate judges
 * reduce-only against the account book, so a strategy book the broker does not hold (its difference sits in the
 * unattributed book) is refused rather than opening a new position at the broker.
 */
async function flattenBooks(d: KillSwitchActivityDeps, account: string, engagementId: string): Promise<FlattenResult[]> {
  const books = (await accountStrategyBooks(d, account)).filter((p) => p.book.quantity !== 0);
  const results: FlattenResult[] = [];
  for (const p of books) {
    const side = p.book.quantity > 0 ? 'SELL' : 'BUY';
    const quantity = Math.abs(p.book.quantity);
    const line = { strategyId: p.strategyId, tradingsymbol: p.tradingsymbol, exchange: p.exchange, product: p.product, side, quantity };
    const clientOrderId = flattenClientOrderId(engagementId, p);
    try {
      const { order } = await d.placeOrder({
        clientOrderId, strategyId: p.strategyId, tradingsymbol: p.tradingsymbol, exchange: p.exchange as Exchange, side, quantity,
        orderType: 'MARKET', product: p.product as Product, validity: 'DAY', variety: 'regular', metadata: { killSwitch: engagementId },
      });
      results.push({ ...line, orderId: order.orderId, status: order.status });
    } catch (err) {
      results.push({ ...line, error: err instanceof AppError ? { code: err.code, message: err.message } : { code: 'FLATTEN_FAILED', message: String((err as Error).message ?? err) } });
    }
  }
  return results;
}

/**
 * The flatten order's client order id: one per engagement and book, within the API's 64 characters of
 * [A-Za-z0-9_.:-] (so GET/DELETE /orders/:id can address it). The readable part may be cut short or have a symbol's
 * `&` replaced; the hash of the whole key keeps two books (a long strategy id, one underlying) from sharing an id.
 */
export function flattenClientOrderId(engagementId: string, p: PositionKey): string {
  const hash = fnv1a64(`${p.strategyId}|${p.exchange}|${p.tradingsymbol}|${p.product}`).toString(16).padStart(16, '0').slice(0, 12);
  const readable = `${p.strategyId}-${p.tradingsymbol}-${p.product}`.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64 - 12 - 13);
  return `ks-${engagementId.slice(0, 8)}-${readable}-${hash}`;
}

export type KillSwitchActivities = ReturnType<typeof createKillSwitchActivities>;
