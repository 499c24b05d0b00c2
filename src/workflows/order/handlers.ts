import { condition, setHandler } from '@temporalio/workflow';
import { answerOf } from '../../domain/order-state';
import {
  admissionUpdate, brokerUpdateSignal, cancelOrderUpdate, FailureTypes, interventionUpdate, legCommandSignal, modifyOrderUpdate, orderStateQuery,
  type InterventionRequest, type ModifyRequest, type ModifyTermsInput,
} from '../order-messages';
import { inPaise } from '../../domain/order-modification';
import { checkCommand, enqueue, enqueueLegCommand } from './commands';
import { refusal } from './failures';
import { checkDecision, decide } from './interventions';
import type { OrderRun } from './order-run';

/** The actor of a modify or cancel sent without a name: it came through Temporal itself (CLI, UI, SDK), not our API. */
const OUTSIDE_API = 'temporal-client';

/** The order's messages: its state query, broker hints, the admission answer, modify/cancel, leg commands, decisions. */
export function registerHandlers(run: OrderRun): void {
  setHandler(orderStateQuery, () => run.state);
  setHandler(brokerUpdateSignal, (update) => run.noteBrokerSignal(update));
  setHandler(admissionUpdate, async ({ payloadHash }) => {
    if (payloadHash !== run.state.payloadHash) {
      throw refusal(FailureTypes.idempotencyConflict, `client order id ${run.state.request.clientOrderId} was already used for a different order`);
    }
    await condition(() => run.admitted);
    // Refused by validation or the risk gate: not accepted (the POST answers 422). A refusal by the broker comes after
    // admission: the POST answers 202 with the order showing it.
    const refusedAtAdmission = run.state.status === 'REJECTED' && run.state.validation?.passed !== true;
    return { orderId: run.state.orderId, status: run.state.status, accepted: !refusedAtAdmission, state: answerOf(run.state) };
  });
  // Prices come in paise (our API) or in rupees (an operator at the CLI, as the HTTP API takes them): one shape inside.
  const terms = (changes: ModifyTermsInput): ModifyRequest => {
    const r = inPaise(changes);
    if ('invalid' in r) throw refusal(FailureTypes.invalidChange, r.invalid.message, [r.invalid]);
    return r.changes;
  };
  setHandler(modifyOrderUpdate, ({ by, ...changes }) => enqueue(run, { kind: 'modify', changes: terms(changes), by: by ?? OUTSIDE_API, done: false }), {
    validator: ({ by: _by, ...changes }) => checkCommand(run, 'modify', terms(changes)),
  });
  setHandler(cancelOrderUpdate, (req) => enqueue(run, { kind: 'cancel', reason: req.reason, by: req.by ?? OUTSIDE_API, done: false }), {
    validator: (_req) => checkCommand(run, 'cancel'),
  });
  setHandler(legCommandSignal, (cmd) => enqueueLegCommand(run, cmd));
  const decision = (req: InterventionRequest): InterventionRequest => (req.changes ? { ...req, changes: terms(req.changes) } : req);
  setHandler(interventionUpdate, (req) => decide(run, decision(req)), { validator: (req) => checkDecision(run, decision(req)) });
}
