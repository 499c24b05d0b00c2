import { Draft, sourceOfActor } from './order-draft';
import { modifiedRequest } from './order-modification';
import { applySlices, applySnapshot } from './order-snapshot';
import type { AuditEvent, OrderEvent, OrderState, RejectedAttempt } from './order-state';
import { isTerminal } from './order-types';

type Handlers = { [K in OrderEvent['type']]: (d: Draft, e: Extract<OrderEvent, { type: K }>) => void };

/** Events that only add an audit record, with the payload it carries. */
const recordOnly = <K extends OrderEvent['type']>(payload: (e: Extract<OrderEvent, { type: K }>, d: Draft) => Record<string, unknown>) =>
  (d: Draft, e: Extract<OrderEvent, { type: K }>) => d.record(e.type, 'workflow', e.at, payload(e, d));

const HANDLERS: Handlers = {
  VALIDATED: (d, e) => {
    d.state = { ...d.state, validation: e.report, instrument: e.instrument };
    d.record('VALIDATED', 'workflow', e.at, { ...e.report });
    if (e.report.passed) d.moveTo('PENDING', 'workflow', e.at, null);
    else d.moveTo('REJECTED', 'workflow', e.at, e.report.failure?.message ?? 'validation failed', { code: e.report.failure?.code, check: e.report.failure?.check });
  },
  SUBMITTED: (d, e) => {
    d.state = { ...d.state, brokerOrderId: e.brokerOrderId, submittedAt: e.at };
    d.moveTo('SUBMITTED', 'workflow', e.at, null, { brokerOrderId: e.brokerOrderId, recoveredByTag: e.recovered });
  },
  SUBMIT_REJECTED: (d, e) => d.moveTo('REJECTED', 'broker-poll', e.at, e.message, { code: e.code }),
  SUBMIT_FAILED: (d, e) => d.moveTo('FAILED', 'workflow', e.at, e.message),
  BROKER_SNAPSHOT: (d, e) => applySnapshot(d, e.snapshot, e.source, e.at),
  MODIFY_REQUESTED: (d, e) => d.record('MODIFY_REQUESTED', sourceOfActor(e.by), e.at, e.changes, null, e.by),
  MODIFY_RISK_CHECKED: recordOnly((e) => ({ ...e.report })),
  CANCEL_REQUESTED: (d, e) => {
    d.state = { ...d.state, cancelRequested: true };
    d.record('CANCEL_REQUESTED', sourceOfActor(e.by), e.at, e.reason ? { reason: e.reason } : {}, null, e.by);
  },
  BROKER_REQUEST_FAILED: (d, e) => {
    d.record(`${e.action.toUpperCase()}_FAILED`, 'workflow', e.at, { message: e.message });
    if (e.action === 'cancel') d.state = { ...d.state, cancelRequested: false };
  },
  INTERVENTION_REQUIRED: (d, e) => {
    d.state = { ...d.state, intervention: { reason: e.reason, message: e.message, since: e.at, actions: e.actions } };
    d.record('INTERVENTION_REQUIRED', 'workflow', e.at, { reason: e.reason, message: e.message, actions: e.actions });
  },
  INTERVENTION_RESOLVED: (d, e) => {
    d.state = { ...d.state, intervention: null };
    d.record('INTERVENTION_RESOLVED', 'operator', e.at, { action: e.action, ...(e.note ? { note: e.note } : {}), ...(e.by ? { by: e.by } : {}) }, null, e.by ?? 'operator');
  },
  ABANDONED: (d, e) => {
    // Never at the broker: nothing to undo. At the broker: the OMS stops following it and says so.
    // Refused by the broker earlier (the fallback ladder's attempts) and then abandoned: it ends as the refusal it was.
    const atBroker = d.state.brokerOrderId !== null;
    const refused = !atBroker ? d.state.attempts?.at(-1) : undefined;
    const message = atBroker
      ? `abandoned by an operator while broker order ${d.state.brokerOrderId} was ${d.state.brokerStatus ?? 'unknown'}; check it at the broker`
      : refused
        ? `the broker refused it (${refused.rejection}: ${refused.message}${refused.brokerOrderId ? `, broker order ${refused.brokerOrderId}` : ''}); abandoned at manual review`
        : 'abandoned by an operator before it reached the broker';
    d.moveTo(atBroker ? 'FAILED' : refused ? 'REJECTED' : 'CANCELLED', 'operator', e.at, e.note ? `${message} (${e.note})` : message);
  },
  LADDER_STEP: recordOnly((e) => ({ ...e.step })),
  LADDER_STOPPED: recordOnly((e) => ({ reason: e.reason })),
  COMPLETION_TRIGGERED: recordOnly((e, d) => ({ policy: e.policy, action: e.action, remaining: d.state.quantity - d.state.filledQuantity })),
  RETRY_SCHEDULED: recordOnly((e) => ({ operation: e.operation, attempt: e.attempt, delayMs: e.delayMs, error: e.error })),
  PLACEMENT_IN_DOUBT: recordOnly((e) => ({ waitMs: e.waitMs, message: e.message })),
  BROKER_UNREACHABLE: recordOnly((e) => ({ operation: e.operation, error: e.error })),
  ATTEMPT_REJECTED: (d, e) => {
    // The refused broker order is kept on record; the order itself goes back to PENDING for its next rung.
    const s = d.state;
    const attempt: RejectedAttempt = { tag: s.tag, brokerOrderId: s.brokerOrderId, quantity: s.quantity, orderType: s.orderType, rejection: e.rejection, message: e.message, rung: e.rung, at: e.at };
    d.state = { ...s, attempts: [...(s.attempts ?? []), attempt], brokerOrderId: null, brokerStatus: null, submittedAt: null };
    d.record('ATTEMPT_REJECTED', 'broker-poll', e.at, { ...attempt, code: e.code });
    if (d.state.status !== 'PENDING') d.moveTo('PENDING', 'workflow', e.at, `broker refused: ${e.message}`);
  },
  FALLBACK_STEP: recordOnly((e) => ({ ...e.step })),
  REPLACING: (d, e) => {
    const request = modifiedRequest(d.state, e.changes);
    d.state = { ...d.state, tag: e.tag, request, quantity: request.quantity, orderType: request.orderType, pricePaise: request.pricePaise ?? null, triggerPricePaise: request.triggerPricePaise ?? null };
    d.record('REPLACING', 'workflow', e.at, { tag: e.tag, ...e.changes });
  },
  SPLIT: (d, e) => {
    d.state = { ...d.state, slices: e.slices };
    d.record('SPLIT', 'workflow', e.at, { slices: e.slices.map((x) => ({ orderId: x.orderId, quantity: x.quantity })) });
    d.moveTo('SUBMITTED', 'workflow', e.at, `split into ${e.slices.length} slices`);
  },
  SLICES_UPDATED: (d, e) => applySlices(d, e.slices, e.fills, e.at),
};

/** The order state machine: one event in, the next state and the audit records it produced out. */
export function transition(state: OrderState, event: OrderEvent): { state: OrderState; audit: AuditEvent[] } {
  const d = new Draft(state);
  // A finished order only takes the broker's (or its slices') late news; anything else is recorded and ignored.
  if (isTerminal(state.status) && event.type !== 'BROKER_SNAPSHOT' && event.type !== 'SLICES_UPDATED') {
    d.record('IGNORED_AFTER_TERMINAL', 'workflow', event.at, { event: event.type });
  } else {
    (HANDLERS[event.type] as (d: Draft, e: OrderEvent) => void)(d, event);
  }
  return { state: d.state, audit: d.audit };
}
