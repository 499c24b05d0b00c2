import { logOnlyAlerts, type AlertSink } from '../services/alerts';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { EventSource } from '../domain/order-state';
import { refusedBeforeFill } from '../domain/order-snapshot';
import type { BrokerOrderSnapshot, Instrument, OrderRequest } from '../domain/order-types';
import { BrokerError, classifyBrokerError, neverSent } from '../broker/broker-errors';
import type { KiteGateway, ModifyChanges, TaggedOrder } from '../broker/kite-gateway';
import type { OrderStore } from '../store/order-store';
import { recordOutcome, type PendingSave, type Recorded } from './record-outcome';

export const BROKER_REJECTED = 'BROKER_REJECTED';
/** The broker session is not valid: the workflow pauses for an operator instead of retrying. */
export const TOKEN_EXPIRED = 'TOKEN_EXPIRED';

const tokenExpired = (e: BrokerError) =>
  ApplicationFailure.create({ type: TOKEN_EXPIRED, nonRetryable: true, message: `broker session expired (${e.errorType}): ${e.message}` });

/** Token errors stop and pause the order; everything else the broker may answer later, so retry. */
function retryOrPause(err: unknown): Error {
  const e = classifyBrokerError(err);
  return e.kind === 'token' ? tokenExpired(e) : ApplicationFailure.retryable(e.message, e.errorType);
}

/**
 * The latest moment this attempt may still send a request: its start-to-close budget minus the broker timeout and a
 * margin, so a request queued behind the rate limit is never sent after Temporal has given up on the attempt.
 */
function sendDeadline(brokerTimeoutMs: number): number {
  const info = Context.current().info;
  return info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs - brokerTimeoutMs - 2000;
}

/** A ticket store call; when the database cannot say, the attempt fails before anything is sent (retryable). */
async function ticket<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw ApplicationFailure.retryable(`could not use the send ticket, nothing was sent: ${err instanceof Error ? err.message : String(err)}`, 'SEND_TICKET_UNAVAILABLE');
  }
}

/** An earlier attempt may still act at the broker: nothing is sent now; the workflow asks again later. */
export const IN_DOUBT = 'PLACEMENT_IN_DOUBT';

/** A placement's outcome; `recorded` when the activity saved it (the workflow then does not). */
export type Placed = { brokerOrderId: string; recovered: boolean; recorded?: Recorded };
/** The broker's snapshot; `recorded` when the activity saved what it does to the order. */
export type Fetched = BrokerOrderSnapshot & { recorded?: Recorded };

export interface BrokerActivityDeps {
  broker: Pick<KiteGateway, 'getInstrument' | 'placeOrder' | 'findOrderByTag' | 'getOrderSnapshot' | 'modifyOrder' | 'cancelOrder'>;
  /** The broker's HTTP timeout, reserved at the end of an attempt's budget. */
  brokerTimeoutMs?: number;
  /** Where a placement or a read saves the order with its outcome (recordOutcome), and a placement takes its send ticket. */
  store: Pick<OrderStore, 'saveProgress' | 'takeSendTicket' | 'claimSendTicket' | 'releaseSendTicket' | 'sendTicketSettlesInMs'>;
  /**
   * How long the broker is taken to act on a request it got, at most (a request held past its client's timeout still
   * counts): another attempt under the same tag is sent only this long after the last one could have been.
   */
  settleMs?: number;
  log?: (msg: string) => void;
  /** Where operators are told of two broker orders under one tag. */
  alerts?: AlertSink;
  /** The broker account of a strategy (named in alerts). */
  accountOf?: (strategyId: string) => string;
  /** The gateway of a strategy's broker account (several accounts); absent: `broker` serves every order. */
  brokerFor?: (strategyId: string) => BrokerActivityDeps['broker'];
}

/** Which order a call is for: its strategy names the broker account (absent in histories from before accounts). */
type Routed = { strategyId?: string; record?: PendingSave };

/** Broker activities: each a verb, each safe to run again. */
export function createBrokerActivities({ broker, brokerTimeoutMs = 7000, settleMs = 2 * brokerTimeoutMs, store, log, alerts = logOnlyAlerts(), brokerFor, accountOf }: BrokerActivityDeps) {
  const strategyOf = (r: Routed) => r.strategyId ?? r.record?.state.request.strategyId;
  const via = (r: Routed) => {
    const strategyId = strategyOf(r);
    return strategyId && brokerFor ? brokerFor(strategyId) : broker;
  };
  /** The tag's order at the broker; a second one under the tag is alerted here and settled by the reconciler. */
  const lookUp = async (orderId: string, tag: string, route: Routed): Promise<TaggedOrder | null> => {
    const found = await via(route).findOrderByTag(tag);
    if (found?.duplicates?.length) {
      await alerts.raise({
        kind: 'DUPLICATE_ORDER', severity: 'critical', account: strategyOf(route) && accountOf ? accountOf(strategyOf(route)!) : null, orderId, occurrence: `${tag}:${[found.brokerOrderId, ...found.duplicates].join(',')}`, at: new Date().toISOString(),
        message: `the broker holds ${found.duplicates.length + 1} orders tagged ${tag}: order ${orderId} follows ${found.brokerOrderId}; reconciliation cancels the others if unfilled and books their fills`,
        details: { tag, brokerOrderId: found.brokerOrderId, duplicates: found.duplicates },
      });
    }
    return found;
  };
  return {
    /** Looks a contract up in the broker's instrument master; null when it is not there. */
    async lookupInstrument(args: { exchange: string; tradingsymbol: string; strategyId?: string }): Promise<Instrument | null> {
      try {
        return await via(args).getInstrument(args.exchange, args.tradingsymbol);
      } catch (err) {
        throw retryOrPause(err);
      }
    },

    /**
     * Places the order at most once. A retry (attempt > 1) follows an attempt whose outcome is unknown — a timeout,
     * a 5xx, a killed worker — so it first searches the order book for the order's tag and adopts what it finds.
     * With `record`, the order is saved as SUBMITTED before the answer goes back (recordOutcome).
     */
    async submitOrderToBroker(args: { orderId: string; tag: string; request: OrderRequest; lookFirst?: boolean; record?: PendingSave }): Promise<Placed> {
      const { attempt } = Context.current().info;
      const sendBy = new Date(sendDeadline(brokerTimeoutMs));
      // The send ticket. The first attempt takes it, promising to send nothing after `sendBy`. Any other attempt — a
      // retry after an unknown outcome, or a local activity run again from attempt 1 while its predecessor may still be
      // alive or died mid-send — looks the tag up first, and sends only once no earlier attempt can still act.
      let holds = attempt === 1 && args.lookFirst !== true && (await ticket(() => store.takeSendTicket(args.tag, args.orderId, sendBy)));
      let placed: { brokerOrderId: string; recovered: boolean } | null = null;
      try {
        if (!holds) {
          const found = await lookUp(args.orderId, args.tag, { strategyId: args.request.strategyId }).catch((err: unknown) => { throw toActivityError(err); });
          if (found) placed = { brokerOrderId: found.brokerOrderId, recovered: true };
          else {
            const claim = await ticket(() => store.claimSendTicket(args.tag, args.orderId, sendBy, settleMs));
            if ('waitMs' in claim) {
              throw ApplicationFailure.create({
                type: IN_DOUBT, message: `an earlier attempt under tag ${args.tag} may still reach the broker; nothing sent, look again in ${claim.waitMs} ms`,
                details: [claim.waitMs],
              });
            }
            holds = true;
          }
        }
        if (!placed) {
          try {
            placed = { brokerOrderId: await via({ strategyId: args.request.strategyId }).placeOrder(args.request, args.tag, sendBy.getTime()), recovered: false };
          } catch (err) {
            if (neverSent(err)) {
              // Refused before a byte left (connection refused, no rate-limit slot): nothing can act late, so the
              // next attempt may send at once.
              holds = false;
              await store.releaseSendTicket(args.tag, { unsent: true }).catch(() => undefined);
            }
            throw toActivityError(err);
          }
        }
      } finally {
        // Answered, refused or timed out: this attempt sends nothing more. (A killed worker never gets here: its
        // promise stands until sendBy.)
        if (holds) await store.releaseSendTicket(args.tag).catch(() => undefined);
      }
      const recorded = await recordOutcome(store, args.record, (at) => ({ type: 'SUBMITTED', ...placed, at }), log);
      return recorded ? { ...placed, recorded } : placed;
    },

    /**
     * Whether the broker holds an order with this tag. Not found while an earlier attempt may still act at the broker
     * (its send ticket's promise plus the settle window has not passed): how long until the answer is final.
     */
    async findBrokerOrderByTag(args: { tag: string; orderId?: string; strategyId?: string }): Promise<TaggedOrder | null | { settlesInMs: number }> {
      let found: TaggedOrder | null;
      try {
        found = await lookUp(args.orderId ?? '', args.tag, args);
      } catch (err) {
        throw retryOrPause(err); // even a "rejection" here must not end the search
      }
      if (found) return found;
      const settlesInMs = await ticket(() => store.sendTicketSettlesInMs(args.tag, settleMs));
      return settlesInMs > 0 ? { settlesInMs } : null;
    },

    /**
     * The order's current broker state and trades. With `record`, the order is saved as the snapshot leaves it
     * (recordOutcome), unless the broker refused it unfilled: the fallback ladder decides that one in the workflow.
     */
    async fetchBrokerOrder(args: { brokerOrderId: string; strategyId?: string; record?: PendingSave & { source: EventSource } }): Promise<Fetched> {
      let snapshot: BrokerOrderSnapshot;
      try {
        snapshot = await via(args).getOrderSnapshot(args.brokerOrderId);
      } catch (err) {
        throw retryOrPause(err);
      }
      const r = args.record;
      if (!r || refusedBeforeFill(r.state.status, snapshot)) return snapshot;
      const recorded = await recordOutcome(store, r, (at) => ({ type: 'BROKER_SNAPSHOT', snapshot, source: r.source, at }), log);
      return recorded ? { ...snapshot, recorded } : snapshot;
    },

    /**
     * Asks the broker to modify; a refusal is an answer ({ok:false}), not a failure. Modifying twice is harmless.
     * With `record`, the order's pending save (the request and its risk check) is made once the broker answered.
     */
    async modifyBrokerOrder(args: { brokerOrderId: string; variety: string; validity: string; changes: ModifyChanges; strategyId?: string; record?: PendingSave }): Promise<Answer> {
      const a = await answer(() => via(args).modifyOrder(args.variety, args.brokerOrderId, args.changes, args.validity, sendDeadline(brokerTimeoutMs)));
      return withRecord(a, await recordOutcome(store, args.record, null, log));
    },

    /** Asks the broker to cancel; cancelling an order already cancelled is refused by the broker and reported. */
    async cancelBrokerOrder(args: { brokerOrderId: string; variety: string; strategyId?: string; record?: PendingSave }): Promise<Answer> {
      const a = await answer(() => via(args).cancelOrder(args.variety, args.brokerOrderId, sendDeadline(brokerTimeoutMs)));
      return withRecord(a, await recordOutcome(store, args.record, null, log));
    },
  };
}

/** The broker's answer to a modify or cancel; `recorded` when the activity made the order's pending save. */
export type Answer = { ok: boolean; message: string; recorded?: Recorded };

const withRecord = (a: Answer, recorded: Recorded | undefined): Answer => (recorded ? { ...a, recorded } : a);

async function answer(fn: () => Promise<void>): Promise<Answer> {
  try {
    await fn();
    return { ok: true, message: 'accepted' };
  } catch (err) {
    const e = classifyBrokerError(err);
    if (e.kind === 'rejected') return { ok: false, message: `${e.errorType}: ${e.message}` };
    throw retryOrPause(e);
  }
}

function toActivityError(err: unknown): Error {
  const e = err instanceof BrokerError ? err : classifyBrokerError(err);
  if (e.kind === 'rejected') {
    return ApplicationFailure.create({ type: BROKER_REJECTED, nonRetryable: true, message: e.message || e.errorType, details: [e.errorType] });
  }
  if (e.kind === 'token') return tokenExpired(e);
  return ApplicationFailure.retryable(e.message, e.errorType);
}
