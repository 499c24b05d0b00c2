import { paiseToRupees } from './money';
import type { AuditEvent, OrderState } from './order-state';
import type { Side } from './order-types';
import type { PositionBook } from './positions';
import { paiseString, ratioRupees } from './positions';

/**
 * What a strategy is told, in the order it happened: its orders' status changes (a rejection carries its reason),
 * fills, the position each fill leaves, and interventions; operators also see alerts. Each event has a unique key, so
 * writing it again (a replayed save, a retried activity) adds nothing.
 */
export type StrategyEventType = 'ORDER_STATUS' | 'ORDER_FILL' | 'POSITION' | 'INTERVENTION' | 'ALERT';
export const STRATEGY_EVENT_TYPES: readonly StrategyEventType[] = ['ORDER_STATUS', 'ORDER_FILL', 'POSITION', 'INTERVENTION', 'ALERT'];

export interface OutboxEvent {
  key: string;
  type: StrategyEventType;
  /** null: for operators only (alerts). */
  strategyId: string | null;
  account: string | null;
  orderId: string | null;
  payload: Record<string, unknown>;
  occurredAt: string;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertKind =
  | 'KILL_SWITCH_ENGAGED' | 'KILL_SWITCH_RELEASED' | 'MANUAL_REVIEW' | 'RECONCILIATION_FINDING' | 'TOKEN_EXPIRED' | 'DUPLICATE_ORDER';

export interface Alert {
  kind: AlertKind;
  severity: AlertSeverity;
  message: string;
  account: string | null;
  /** What the alert is about, unique per occurrence (e.g. the engagement id): the same alert raised twice is one. */
  occurrence: string;
  details?: Record<string, unknown>;
  orderId?: string | null;
  at: string;
}

/** The outbox row of an alert: an event in the operators' stream and the alert channels' feed. */
export function alertEvent(a: Alert): OutboxEvent {
  return {
    key: `alert:${a.kind}:${a.occurrence}`, type: 'ALERT', strategyId: null, account: a.account, orderId: a.orderId ?? null,
    payload: { kind: a.kind, severity: a.severity, message: a.message, ...(a.details ? { details: a.details } : {}) }, occurredAt: a.at,
  };
}

/** The order's part of an event (who, what contract, how far filled) as the API shows orders: prices in rupees. */
function orderFacts(s: OrderState) {
  const r = s.request;
  return {
    orderId: s.orderId, clientOrderId: r.clientOrderId, tradingsymbol: r.tradingsymbol, exchange: r.exchange, side: r.side,
    orderType: s.orderType, quantity: s.quantity, filledQuantity: s.filledQuantity, averagePrice: s.averagePrice,
    brokerOrderId: s.brokerOrderId, ...(s.link ? { parentId: s.link.parentId, legRole: s.link.role } : {}),
  };
}

/**
 * The events of one save of an order: a status change per STATUS_CHANGED audit record, and each intervention asked
 * or answered (an intervention asked is also a MANUAL_REVIEW alert for operators).
 */
export function orderOutboxEvents(state: OrderState, audit: readonly AuditEvent[], account: string | null): OutboxEvent[] {
  const strategyId = state.request.strategyId;
  const base = { strategyId, account, orderId: state.orderId };
  const out: OutboxEvent[] = [];
  for (const a of audit) {
    const key = `order:${state.orderId}:${a.sequence}`;
    if (a.type === 'STATUS_CHANGED' && a.toStatus) {
      const p = a.payload as { message?: string; code?: string; check?: string };
      out.push({
        ...base, key, type: 'ORDER_STATUS', occurredAt: a.occurredAt,
        payload: {
          ...orderFacts(state), status: a.toStatus, previousStatus: a.fromStatus, actor: a.actor,
          ...(p.message ? { message: p.message } : {}),
          ...(a.toStatus === 'REJECTED' ? { reason: p.message ?? state.statusMessage, code: p.code ?? null, check: p.check ?? null } : {}),
        },
      });
    } else if (a.type === 'INTERVENTION_REQUIRED' || a.type === 'INTERVENTION_RESOLVED') {
      const required = a.type === 'INTERVENTION_REQUIRED';
      out.push({ ...base, key, type: 'INTERVENTION', occurredAt: a.occurredAt, payload: { ...orderFacts(state), state: required ? 'WAITING' : 'RESOLVED', ...a.payload } });
      if (required) {
        const p = a.payload as { reason?: string; message?: string; actions?: string[] };
        out.push(alertEvent({
          kind: 'MANUAL_REVIEW', severity: 'warning', account, orderId: state.orderId, occurrence: `${state.orderId}:${a.sequence}`, at: a.occurredAt,
          message: `order ${state.orderId} (${state.request.side} ${state.quantity} ${state.request.tradingsymbol}, strategy ${strategyId}) waits for an operator: ${p.reason ?? ''} ${p.message ?? ''}`.trim(),
          details: { reason: p.reason, actions: p.actions, strategyId },
        }));
      }
    }
  }
  return out;
}

export interface BookedFill {
  orderId: string;
  strategyId: string;
  tradingsymbol: string;
  exchange: string;
  product: string;
  side: Side;
  tradeId: string;
  quantity: number;
  pricePaise: number;
  executedAt: string;
  /** The strategy's book in this contract after the fill. */
  book: PositionBook;
}

/** A fill newly booked, and the strategy's position it leaves. */
export function fillOutboxEvents(f: BookedFill, account: string | null): OutboxEvent[] {
  const base = { strategyId: f.strategyId, account, orderId: f.orderId, occurredAt: f.executedAt };
  const contract = { tradingsymbol: f.tradingsymbol, exchange: f.exchange, product: f.product };
  const b = f.book;
  return [
    { ...base, key: `fill:${f.orderId}:${f.tradeId}`, type: 'ORDER_FILL', payload: { orderId: f.orderId, tradeId: f.tradeId, ...contract, side: f.side, quantity: f.quantity, price: paiseToRupees(f.pricePaise) } },
    {
      ...base, key: `position:${f.strategyId}:${f.orderId}:${f.tradeId}`, type: 'POSITION',
      payload: {
        ...contract, quantity: b.quantity, averagePrice: ratioRupees(b.openValuePaise, Math.abs(b.quantity)),
        realizedPnl: paiseString(b.realizedPaise), dayRealizedPnl: paiseString(b.dayRealizedPaise), charges: paiseString(b.chargesPaise), byTradeId: f.tradeId,
      },
    },
  ];
}
