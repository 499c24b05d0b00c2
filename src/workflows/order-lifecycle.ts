import {
  ApplicationFailure, ActivityFailure, condition, continueAsNew, proxyActivities, setHandler, sleep, workflowInfo,
  upsertSearchAttributes, log, patched, getExternalWorkflowHandle,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities/create-activities';
import { brokerTagFor } from '../domain/hash';
import {
  initialOrderState, transition, whyNotChangeable, type AuditEvent, type InterventionAction, type OrderEvent, type OrderState,
} from '../domain/order-state';
import { isTerminal, type Instrument } from '../domain/order-types';
import { validateOrder, type ValidationReport } from '../domain/order-validation';
import { gateUnavailable } from '../domain/risk/gate-report';
import { modifiedRequest, validateModification } from '../domain/order-modification';
import { completionDue, nextChaseStep } from '../domain/execution-ladder';
import { classifyRejection, nextFallback, planSlices, sliceSize, type FallbackRung } from '../domain/fallback';
import { LegBook } from './child-orders';
import { DEFAULT_RETRY, retryDelayMs, strategyFor, type BrokerOperation } from '../domain/retry-strategy';
import {
  admissionUpdate, brokerUpdateSignal, cancelOrderUpdate, FailureTypes, interventionUpdate, legCommandSignal, legUpdateSignal, modifyOrderUpdate,
  orderStateQuery, type BrokerUpdate, type InterventionRequest, type LegUpdate, type ModifyRequest,
} from './order-messages';
import { DEFAULT_ORDER_WORKFLOW_CONFIG } from './order-config';
import { OrderIntervention, OrderStatus } from './search-attributes';
import type { OrderWorkflowInput } from './order-messages';


const broker = proxyActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s' },
});
/** Placing is bounded: after this the workflow asks the broker by tag whether the order got there. */
const placing = proxyActivities<OrderActivities>({
  // Long enough to wait out the broker rate-limit queue of a burst; the activity never sends after its own deadline.
  startToCloseTimeout: '60s',
  scheduleToCloseTimeout: '3m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '20s', nonRetryableErrorTypes: [FailureTypes.brokerRejected] },
});
const store = proxyActivities<OrderActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** The risk gate reads market data, margins and the account's book; past this budget the order is rejected (fail closed). */
const gate = proxyActivities<OrderActivities>({
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s' },
});

/** Single-attempt proxies: with WORKFLOW_RETRIES_PATCH the workflow itself retries, by the configured strategy. */
const once = proxyActivities<OrderActivities>({ startToCloseTimeout: '15s', retry: { maximumAttempts: 1 } });
const placingOnce = proxyActivities<OrderActivities>({ startToCloseTimeout: '60s', retry: { maximumAttempts: 1 } });
export const WORKFLOW_RETRIES_PATCH = 'workflow-retries-v1';

/** The fallback ladder after a broker rejection (histories before it replay ending REJECTED, as they did). */
export const FALLBACK_PATCH = 'fallback-ladder-v1';

/** A modify/cancel refused because its earlier send already took effect counts as done. */
export const RESENT_COMMAND_PATCH = 'resent-command-v1';

/** Legs report to their parent workflow (only ever called in workflows that have one). */
export const LEG_UPDATES_PATCH = 'leg-updates-v1';

/** Histories recorded before the risk gate existed replay without it. */
export const RISK_GATE_PATCH = 'risk-gate-v1';
/** ... and before modifications were re-checked by it. */
export const MODIFY_GATE_PATCH = 'risk-gate-modify-v1';

type CommandError = { message: string; type?: string; details?: unknown[] };
/** `legId`: sent by the parent workflow (legCommandSignal), answered in the next leg update. */
type Command =
  | { kind: 'modify'; changes: ModifyRequest; done: boolean; error?: CommandError; legId?: string }
  | { kind: 'cancel'; reason?: string; done: boolean; error?: CommandError; legId?: string };

/** What a broker call returns when, instead of a fresh token, an operator chose to abandon the order. */
const ABANDONED = { abandoned: true } as const;
const isAbandoned = (v: unknown): v is typeof ABANDONED => v === ABANDONED;

/** Worth another attempt: anything but a business rejection or an expired session (those are answers, not faults). */
function isTransient(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  const cause = err.cause;
  return !(cause instanceof ApplicationFailure && (cause.type === FailureTypes.brokerRejected || cause.type === FailureTypes.tokenExpired || cause.nonRetryable));
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/** The Kite error_type an activity failed with (its ApplicationFailure type), or null for a timeout. */
function failureType(err: unknown): string | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause.type ?? null : null;
}

function isTokenExpired(err: unknown): err is ActivityFailure {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FailureTypes.tokenExpired;
}

/** One order, from validation to a final status: submitted exactly once, followed until the broker is done. */
export async function orderLifecycleWorkflow(input: OrderWorkflowInput): Promise<OrderState> {
  const cfg = { ...DEFAULT_ORDER_WORKFLOW_CONFIG, ...input.config };
  const now = () => new Date(Date.now()).toISOString(); // the workflow clock: deterministic on replay
  let state = input.resume ?? initialOrderState({ orderId: input.orderId, tag: brokerTagFor(input.orderId), payloadHash: input.payloadHash, request: input.request, at: input.receivedAt, link: input.link });
  let unsaved: AuditEvent[] = [];
  let admitted = state.status !== 'RECEIVED';
  let brokerHint: BrokerUpdate | null = null;
  const commands: Command[] = [];
  let decision: InterventionRequest | null = null;
  const retry = { ...DEFAULT_RETRY, ...cfg.retry };
  const workflowRetries = patched(WORKFLOW_RETRIES_PATCH);

  const apply = (event: OrderEvent) => {
    const before = state.status;
    const r = transition(state, event);
    state = r.state;
    unsaved = unsaved.concat(r.audit);
    if (state.status !== before) upsertSearchAttributes([{ key: OrderStatus, value: state.status }]);
  };
  const parent = workflowInfo().parent;
  const reportsToParent = parent ? patched(LEG_UPDATES_PATCH) : false;
  let lastReported = '';
  let legResults: LegUpdate['results'] = [];
  const seenLegCommands = new Set<string>();
  /** Tells the parent what changed (status, fills, terms, answered commands); a closed parent is not an error. */
  const reportToParent = async () => {
    if (!parent || !reportsToParent) return;
    const key = [state.status, state.filledQuantity, state.quantity, state.pricePaise, state.triggerPricePaise, state.orderType, state.brokerOrderId, state.intervention?.reason ?? ''].join('|');
    if (key === lastReported && legResults.length === 0) return;
    const results = legResults;
    const update: LegUpdate = {
      orderId: state.orderId, sequence: state.eventSequence, status: state.status, statusMessage: state.statusMessage, brokerOrderId: state.brokerOrderId,
      quantity: state.quantity, pricePaise: state.pricePaise, triggerPricePaise: state.triggerPricePaise, orderType: state.orderType,
      filledQuantity: state.filledQuantity, averagePrice: state.averagePrice, fills: state.fills, intervention: state.intervention?.reason ?? null, results,
    };
    lastReported = key;
    legResults = [];
    try {
      await getExternalWorkflowHandle(parent.workflowId).signal(legUpdateSignal, update);
    } catch (err) {
      log.warn('parent did not take the leg update', { orderId: state.orderId, parent: parent.workflowId, error: String(err) });
    }
  };
  const flush = async () => {
    if (unsaved.length > 0) {
      const events = [...unsaved];
      await store.saveOrderProgress({ state, events });
      unsaved = unsaved.slice(events.length);
    }
    await reportToParent();
  };

  setHandler(orderStateQuery, () => state);
  setHandler(brokerUpdateSignal, (update) => {
    brokerHint = update;
    const sequence = state.eventSequence + 1;
    state = { ...state, eventSequence: sequence };
    unsaved.push({ sequence, type: 'BROKER_SIGNAL', fromStatus: null, toStatus: null, source: update.source, payload: { ...update }, occurredAt: now() });
  });
  setHandler(admissionUpdate, async ({ payloadHash }) => {
    if (payloadHash !== state.payloadHash) {
      throw ApplicationFailure.create({ type: FailureTypes.idempotencyConflict, nonRetryable: true, message: `client order id ${state.request.clientOrderId} was already used for a different order` });
    }
    await condition(() => admitted);
    return { orderId: state.orderId, status: state.status, accepted: state.status !== 'REJECTED', state };
  });
  const enqueue = async (command: Command): Promise<OrderState> => {
    commands.push(command);
    await condition(() => command.done);
    const e = command.error;
    if (e) throw ApplicationFailure.create({ type: e.type ?? FailureTypes.brokerRejected, nonRetryable: true, message: e.message, details: e.details });
    return state;
  };
  setHandler(modifyOrderUpdate, (changes) => enqueue({ kind: 'modify', changes, done: false }), {
    validator: (changes) => {
      const why = whyNotChangeable(state, 'modify');
      if (why) throw ApplicationFailure.create({ type: FailureTypes.orderNotChangeable, nonRetryable: true, message: why });
      const invalid = validateModification(state, changes);
      if (invalid) throw ApplicationFailure.create({ type: FailureTypes.invalidChange, nonRetryable: true, message: invalid.message, details: [invalid] });
    },
  });
  setHandler(legCommandSignal, (cmd) => {
    if (seenLegCommands.has(cmd.id)) return;
    seenLegCommands.add(cmd.id);
    commands.push(cmd.kind === 'cancel' ? { kind: 'cancel', reason: cmd.reason, done: false, legId: cmd.id } : { kind: 'modify', changes: cmd.changes, done: false, legId: cmd.id });
  });
  setHandler(cancelOrderUpdate, (req) => enqueue({ kind: 'cancel', reason: req.reason, done: false }), {
    validator: (_req) => {
      const why = whyNotChangeable(state, 'cancel');
      if (why) throw ApplicationFailure.create({ type: FailureTypes.orderNotChangeable, nonRetryable: true, message: why });
    },
  });

  setHandler(interventionUpdate, async (req) => {
    decision = req;
    await condition(() => decision === null);
    return state;
  }, {
    validator: (req) => {
      const waiting = state.intervention;
      if (!waiting || decision !== null) throw ApplicationFailure.create({ type: FailureTypes.noInterventionPending, nonRetryable: true, message: `order ${state.orderId} is not waiting for an operator` });
      if (!waiting.actions.includes(req.action)) throw ApplicationFailure.create({ type: FailureTypes.noInterventionPending, nonRetryable: true, message: `${req.action} is not offered; choose one of ${waiting.actions.join(', ')}` });
      if (req.action === 'modify') {
        const invalid = req.changes ? validateModification({ ...state, filledQuantity: 0 }, req.changes) : { code: 'NOTHING_TO_CHANGE', field: 'changes', message: 'modify needs the new terms (quantity, price, triggerPrice or orderType)' };
        if (invalid) throw ApplicationFailure.create({ type: FailureTypes.invalidChange, nonRetryable: true, message: invalid.message, details: [invalid] });
      }
    },
  });

  if (state.status === 'RECEIVED') {
    const instrument = await brokerCall('looking up the instrument', () => broker.lookupInstrument({ exchange: state.request.exchange, tradingsymbol: state.request.tradingsymbol }));
    if (!isAbandoned(instrument)) await validate(instrument);
    await flush();
    admitted = true;
  }
  let legs: LegBook | null = null;
  const legBook = () => (legs ??= new LegBook(state.orderId, input.config));
  const fallbackTaken: FallbackRung[] = (state.attempts ?? []).flatMap((a) => (a.rung ? [a.rung as FallbackRung] : []));
  if (state.status === 'PENDING') {
    const slices = plannedSlices();
    if (slices) await splitInto(slices);
    else await submit();
    await flush();
  }

  const sync = async (source: 'broker-poll' | 'broker-postback') => {
    if (!state.brokerOrderId) return;
    const brokerOrderId = state.brokerOrderId;
    let snapshot;
    try {
      snapshot = await brokerCall('reading the order', () => (workflowRetries
        ? withRetry('history', () => once.fetchBrokerOrder({ brokerOrderId }))
        : broker.fetchBrokerOrder({ brokerOrderId })));
    } catch (err) {
      if (!isTransient(err)) throw err;
      apply({ type: 'BROKER_UNREACHABLE', operation: 'history', error: failureMessage(err), at: now() });
      return; // no news this time; the polling loop asks again
    }
    if (isAbandoned(snapshot)) return;
    // Refused before it ever worked (an RMS rejection): the fallback ladder may re-place it instead of ending it.
    if (snapshot.status === 'REJECTED' && snapshot.filledQuantity === 0 && !isTerminal(state.status) && (await fallBack(null, snapshot.statusMessage ?? 'rejected by the broker'))) return;
    apply({ type: 'BROKER_SNAPSHOT', snapshot, source, at: now() });
  };
  // The execution ladder: a resting LIMIT that asked to be chased climbs a rung every stepAfterMs until it fills.
  const chase = state.request.orderType === 'LIMIT' ? state.request.execution?.chase ?? cfg.chase : undefined;
  let ladderStep = 0;
  let ladderAt = chase && state.brokerOrderId && !isTerminal(state.status) ? Date.now() + chase.stepAfterMs : null;
  const ladderDue = () => ladderAt !== null && Date.now() >= ladderAt && (state.status === 'OPEN' || state.status === 'PARTIALLY_FILLED');
  // Partial-fill completion: acts once on the remainder of a partly filled order.
  const completion = state.request.execution?.completion ?? cfg.completion;
  let completed = false;
  const firstFill = () => state.fills[0];
  /** When the OMS saw the order partly filled, on the workflow clock (the broker's trade time may run on another). */
  const partlyFilledAt = () => Date.parse(state.history.find((h) => h.status === 'PARTIALLY_FILLED')?.at ?? state.updatedAt);
  const completionWaiting = () => !!completion && !completed && state.status === 'PARTIALLY_FILLED' && !!firstFill();

  let idleMs = cfg.pollMinMs;
  while (!isTerminal(state.status)) {
    if (state.slices?.length) {
      await followSlices();
      continue;
    }
    if (state.status === 'PENDING' && !state.brokerOrderId) {
      await submit(); // the fallback ladder re-places a refused order with its new terms and a new tag
      await flush();
      continue;
    }
    let wait = ladderAt === null ? idleMs : Math.max(1, Math.min(idleMs, ladderAt - Date.now()));
    if (completionWaiting() && completion?.policy === 'time') wait = Math.max(1, Math.min(wait, partlyFilledAt() + (completion.afterMs ?? 0) - Date.now()));
    const woke = await condition(() => brokerHint !== null || commands.some((c) => !c.done), wait);
    const seqBefore = state.eventSequence;
    const command = commands.find((c) => !c.done);
    if (command) await runCommand(command);
    if (command?.legId) legResults.push({ id: command.legId, ...(command.error ? { error: command.error.message } : {}) });
    else if (completionWaiting() && (await completeRemainder())) { /* acted on the remainder */ }
    else if (ladderDue()) await climbLadder();
    else {
      const source = brokerHint ? 'broker-postback' : 'broker-poll';
      brokerHint = null;
      await sync(source);
    }
    await flush();
    idleMs = woke || state.eventSequence !== seqBefore ? cfg.pollMinMs : Math.min(idleMs * 2, cfg.pollMaxMs);
    if (workflowInfo().historyLength > cfg.maxHistoryEvents && commands.every((c) => c.done)) {
      await continueAsNew<typeof orderLifecycleWorkflow>({ ...input, resume: state });
    }
  }
  for (const c of commands) {
    if (c.done) continue;
    c.error = { message: `order ${state.orderId} is ${state.status}` };
    c.done = true;
    if (c.legId) legResults.push({ id: c.legId, error: c.error.message });
  }
  await flush();
  log.info('order finished', { orderId: state.orderId, status: state.status, filledQuantity: state.filledQuantity });
  return state;


  async function validate(instrument: Instrument | null): Promise<void> {
    let report = validateOrder(state.request, instrument);
    // A leg whose exposure its parent already reserved gets the basic checks only (see OrderLink.riskCovered).
    if (report.passed && !state.link?.riskCovered && patched(RISK_GATE_PATCH)) report = await assessRisk({ ...state, instrument }, report);
    apply({ type: 'VALIDATED', report, instrument, at: now() });
  }

  /**
   * A broker call that pauses the order for an operator when the Kite session has expired (instead of retrying in
   * vain or failing): it goes on once the operator resumes — after supplying a fresh token — or ends it on abandon.
   */
  async function brokerCall<T>(what: string, call: () => Promise<T>): Promise<T | typeof ABANDONED> {
    for (;;) {
      try {
        return await call();
      } catch (err) {
        if (!isTokenExpired(err)) throw err;
        if ((await pauseFor('TOKEN_EXPIRED', `${what}: ${err.cause?.message ?? 'broker session expired'}`)).action === 'abandon') return ABANDONED;
      }
    }
  }

  /**
   * Waits for an operator's decision; an abandon ends the order here. With a timeout, nobody answering within it
   * counts as the configured default action, recorded as taken by `timeout`.
   */
  async function pauseFor(reason: string, message: string, actions: InterventionAction[] = ['resume', 'abandon'], timeout?: { timeoutMs: number; defaultAction: InterventionAction }): Promise<InterventionRequest> {
    apply({ type: 'INTERVENTION_REQUIRED', reason, message, actions, at: now() });
    upsertSearchAttributes([{ key: OrderIntervention, value: reason }]);
    admitted = true; // the POST answers now, showing the order waiting
    await flush();
    if (timeout) {
      if (!(await condition(() => decision !== null, timeout.timeoutMs))) {
        decision = { action: timeout.defaultAction, by: 'timeout', note: `no operator decision within ${Math.round(timeout.timeoutMs / 1000)} s` };
      }
    } else {
      await condition(() => decision !== null);
    }
    const d = decision as unknown as InterventionRequest;
    apply({ type: 'INTERVENTION_RESOLVED', action: d.action, note: d.note, by: d.by, at: now() });
    if (d.action === 'abandon') apply({ type: 'ABANDONED', note: d.note, at: now() });
    upsertSearchAttributes([{ key: OrderIntervention, value: null }]);
    await flush();
    decision = null;
    return d;
  }
  /** Retries a transiently failing broker call by the operation's configured strategy; the last failure is rethrown. */
  async function withRetry<T>(operation: BrokerOperation, call: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(attempt);
      } catch (err) {
        const delayMs = isTransient(err) ? retryDelayMs(strategyFor(retry, cfg.retryByError, operation, failureType(err), failureMessage(err)), attempt) : null;
        if (delayMs === null) throw err;
        apply({ type: 'RETRY_SCHEDULED', operation, attempt, delayMs, error: failureMessage(err), at: now() });
        if (delayMs > 0) await sleep(delayMs);
      }
    }
  }

  /** Acts on the remainder once the order's completion policy says so; false when it is not due yet. */
  async function completeRemainder(): Promise<boolean> {
    if (!completion) return false;
    const fill = firstFill();
    const ltp = completion.policy === 'price' ? await gate.getLastPrice({ exchange: state.request.exchange, tradingsymbol: state.request.tradingsymbol }) : null;
    const action = completionDue(completion, { firstFillAtMs: partlyFilledAt(), firstFillPricePaise: fill.pricePaise, nowMs: Date.now(), ltpPaise: ltp });
    if (!action) return false;
    completed = true;
    ladderAt = null; // the remainder is being completed: no more rungs
    apply({ type: 'COMPLETION_TRIGGERED', policy: completion.policy, action, at: now() });
    // The remainder is completed on the same broker order (modify or cancel), never by placing a second one, so a fill
    // that lands during the switch can only shrink what is left: it is never placed twice.
    let changes: ModifyRequest = { orderType: 'MARKET' };
    if (action === 'reprice') {
      const last = ltp ?? (await gate.getLastPrice({ exchange: state.request.exchange, tradingsymbol: state.request.tradingsymbol }));
      if (last === null || state.orderType !== 'LIMIT') changes = { orderType: 'MARKET' };
      else changes = { pricePaise: roundToTick(last, state.instrument?.tickSizePaise ?? 5, state.request.side) };
    }
    const command: Command = action === 'cancel' ? { kind: 'cancel', reason: `completion policy ${completion.policy}`, done: false } : { kind: 'modify', changes, done: false };
    await runCommand(command);
    if (command.error) apply({ type: 'LADDER_STOPPED', reason: `completion: ${command.error.message}`, at: now() });
    return true;
  }

  /** One rung: re-price towards the market (or convert to MARKET) through the same modify path a user's PATCH takes. */
  async function climbLadder(): Promise<void> {
    if (!chase) return;
    ladderStep += 1;
    const ltp = await gate.getLastPrice({ exchange: state.request.exchange, tradingsymbol: state.request.tradingsymbol });
    const step = nextChaseStep({
      side: state.request.side, originalPricePaise: state.request.pricePaise as number, currentPricePaise: state.pricePaise ?? (state.request.pricePaise as number),
      ltpPaise: ltp, tickPaise: state.instrument?.tickSizePaise ?? 5, step: ladderStep, policy: chase,
    });
    apply({ type: 'LADDER_STEP', step: { ...step }, at: now() });
    if (step.kind === 'done' || (step.kind === 'reprice' && step.pricePaise === state.pricePaise)) {
      ladderAt = step.kind === 'done' ? null : Date.now() + chase.stepAfterMs;
      return;
    }
    const command: Command = { kind: 'modify', changes: step.kind === 'market' ? { orderType: 'MARKET' } : { pricePaise: step.pricePaise }, done: false };
    await runCommand(command);
    if (command.error) {
      apply({ type: 'LADDER_STOPPED', reason: command.error.message, at: now() });
      ladderAt = null;
      return;
    }
    ladderAt = step.kind === 'market' ? null : Date.now() + chase.stepAfterMs;
  }

  /**
   * The broker refused this attempt: take the next rung of the fallback ladder (re-place reduced or at market, split,
   * or ask an operator). False when the ladder has nothing for this rejection: the order then ends REJECTED as before.
   */
  async function fallBack(errorType: string | null, message: string): Promise<boolean> {
    const policy = cfg.fallback;
    if (!policy || !patched(FALLBACK_PATCH)) return false;
    const rejection = classifyRejection(errorType, message);
    const step = nextFallback(policy, {
      rejection, taken: fallbackTaken, quantity: state.quantity, lotSize: state.instrument?.lotSize ?? 1, orderType: state.orderType, freezeQuantity: freezeQuantity(),
    });
    if (!step) return false;
    fallbackTaken.push(step.rung);
    apply({ type: 'ATTEMPT_REJECTED', rejection, code: errorType, message, rung: step.rung, at: now() });
    apply({ type: 'FALLBACK_STEP', step: { ...step, rejection, attempt: state.attempts?.length ?? 1 }, at: now() });
    await flush();
    if (step.rung === 'split') {
      await splitInto(step.slices);
      return true;
    }
    let changes: ModifyRequest = step.rung === 'market' ? { orderType: 'MARKET' } : step.rung === 'reduce' ? { quantity: step.quantity } : {};
    if (step.rung === 'manual') {
      const d = await pauseFor('MANUAL_REVIEW', `the broker refused the order (${rejection}): ${message}`, ['retry', 'modify', 'convert', 'abandon'], policy.manual);
      if (d.action === 'abandon') return true;
      changes = d.action === 'convert' ? { orderType: 'MARKET' } : d.action === 'modify' ? d.changes ?? {} : {};
    }
    if (Object.keys(changes).length > 0) {
      const refusal = await recheckModification(changes); // new terms pass the risk gate like any modify
      if (refusal) {
        apply({ type: 'SUBMIT_REJECTED', code: 'RISK_REJECTED', message: `fallback ${step.rung}: ${refusal.message}`, at: now() });
        return true;
      }
    }
    apply({ type: 'REPLACING', tag: brokerTagFor(`${state.orderId}#${state.attempts?.length ?? 1}`), changes, at: now() });
    await flush();
    return true;
  }

  /** The freeze quantity the risk gate applied to this order, when one is configured for its underlying. */
  function freezeQuantity(): number | null {
    const limit = state.validation?.checks.find((c) => c.check === 'freeze_quantity')?.limit;
    return typeof limit === 'number' ? limit : null;
  }

  /** Slices for an order that asked to be split and is above its freeze quantity or configured slice size; else null. */
  function plannedSlices(): number[] | null {
    if (!state.request.split || !cfg.fallback || !patched(FALLBACK_PATCH)) return null;
    const plan = planSlices(state.quantity, state.instrument?.lotSize ?? 1, sliceSize(cfg.fallback, freezeQuantity()), cfg.fallback.split.maxSlices);
    return plan.ok && plan.slices.length > 1 ? plan.slices : null;
  }

  /** Places the order as child orders (each its own workflow, tag and history); this order then follows them. */
  async function splitInto(quantities: number[]): Promise<void> {
    const r = state.request;
    const views = quantities.map((quantity, i) => ({ orderId: `${state.orderId}-s${i + 1}`, quantity, filledQuantity: 0, status: 'RECEIVED' as const, averagePrice: null, brokerOrderId: null }));
    apply({ type: 'SPLIT', slices: views, at: now() });
    await flush();
    for (const [i, v] of views.entries()) {
      const execution = r.execution && { chase: r.execution.chase, completion: r.execution.completion };
      await legBook().start({
        orderId: v.orderId, role: `slice-${i + 1}`, receivedAt: now(), riskCovered: true, // this order's admission reserved the whole quantity
        request: { ...r, clientOrderId: `${r.clientOrderId}-s${i + 1}`, quantity: v.quantity, split: undefined, execution },
      });
    }
  }

  /** A split order: its status and fills follow its slices'; a cancel cancels every live slice. */
  async function followSlices(): Promise<void> {
    const book = legBook();
    let seen = -1;
    while (!isTerminal(state.status)) {
      await condition(() => book.version !== seen || commands.some((c) => !c.done));
      seen = book.version;
      const command = commands.find((c) => !c.done);
      if (command) {
        if (command.kind === 'cancel') {
          apply({ type: 'CANCEL_REQUESTED', at: now() });
          for (const v of state.slices ?? []) if (!isTerminal(book.legs[v.orderId]?.status ?? 'RECEIVED')) await book.send(v.orderId, { kind: 'cancel', reason: command.reason });
        } else {
          command.error = { type: FailureTypes.orderNotChangeable, message: whyNotChangeable(state, 'modify') ?? 'a split order cannot be modified' };
        }
        command.done = true;
        if (command.legId) legResults.push({ id: command.legId, ...(command.error ? { error: command.error.message } : {}) });
      }
      const slices = (state.slices ?? []).map((v) => {
        const leg = book.legs[v.orderId];
        return leg ? { ...v, status: leg.status, filledQuantity: leg.filledQuantity, averagePrice: leg.averagePrice, brokerOrderId: leg.brokerOrderId } : v;
      });
      const fills = (state.slices ?? []).flatMap((v) => book.legs[v.orderId]?.fills ?? []);
      if (JSON.stringify(slices) !== JSON.stringify(state.slices) || fills.length !== state.fills.length) apply({ type: 'SLICES_UPDATED', slices, fills, at: now() });
      await flush();
    }
  }

  async function assessRisk(s: OrderState, basic: ValidationReport): Promise<ValidationReport> {
    return failClosed(basic, () => gate.assessOrderRisk({ state: s, basic }));
  }

  /** The gate's report, or — when the gate cannot run within its budget — a rejection that says so. */
  async function failClosed(basic: ValidationReport, run: () => Promise<ValidationReport>): Promise<ValidationReport> {
    try {
      return await run();
    } catch (err) {
      const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
      const message = `the risk gate could not run: ${cause instanceof Error ? cause.message : String(cause)}`;
      return gateUnavailable(basic, message, { account: 'unknown', evaluatedAt: now() });
    }
  }

  /** Runs the risk gate on the order as the modify would leave it; the refusal to answer with, or null to go on. */
  async function recheckModification(changes: ModifyRequest): Promise<CommandError | null> {
    const request = modifiedRequest(state, changes);
    const basic = validateOrder(request, state.instrument);
    const report = await failClosed(basic, () => gate.assessModificationRisk({ state: { ...state, request }, basic }));
    apply({ type: 'MODIFY_RISK_CHECKED', report, at: now() });
    await flush();
    if (report.passed) return null;
    const failure = report.failure;
    return { type: FailureTypes.riskRejected, message: `${failure?.check}: ${failure?.message ?? 'check failed'}`, details: [failure] };
  }

  async function submit(): Promise<void> {
    const s = state;
    let lookFirst = false;
    for (;;) {
      try {
        const place = (first: boolean) => ({ orderId: s.orderId, tag: s.tag, request: s.request, ...(first ? { lookFirst: true } : {}) });
        const r = workflowRetries
          ? await withRetry('place', (attempt) => placingOnce.submitOrderToBroker(place(lookFirst || attempt > 1)))
          : await placing.submitOrderToBroker(place(lookFirst));
        apply({ type: 'SUBMITTED', brokerOrderId: r.brokerOrderId, recovered: r.recovered, at: now() });
        return;
      } catch (err) {
        const cause = err instanceof ActivityFailure ? err.cause : err;
        if (cause instanceof ApplicationFailure && cause.type === FailureTypes.brokerRejected) {
          const code = String(cause.details?.[0] ?? 'BROKER_REJECTED');
          if (await fallBack(code, cause.message)) return;
          apply({ type: 'SUBMIT_REJECTED', code, message: cause.message, at: now() });
          return;
        }
        if (isTokenExpired(err)) {
          if ((await pauseFor('TOKEN_EXPIRED', `placing: ${cause instanceof Error ? cause.message : 'broker session expired'}`)).action === 'abandon') return;
          lookFirst = true; // an earlier attempt may have reached the broker: after the pause, look before placing
          continue;
        }
        // The outcome is unknown: the broker may hold the order. Only its order book can say, so ask it until it answers.
        const found = await brokerCall('finding the order by its tag', () => broker.findBrokerOrderByTag({ tag: s.tag }));
        if (isAbandoned(found)) return;
        if (found) apply({ type: 'SUBMITTED', brokerOrderId: found.brokerOrderId, recovered: true, at: now() });
        else apply({ type: 'SUBMIT_FAILED', message: `broker unreachable while placing: ${cause instanceof Error ? cause.message : String(cause)}`, at: now() });
        return;
      }
    }
  }

  async function runCommand(command: Command): Promise<void> {
    const brokerOrderId = state.brokerOrderId as string;
    const at = now();
    // A leg command must still be possible when it is processed; a user's update was checked by its validator.
    const why = command.legId ? whyNotChangeable(state, command.kind) ?? (command.kind === 'modify' ? validateModification(state, command.changes)?.message ?? null : null) : null;
    if (why) {
      command.error = { type: FailureTypes.orderNotChangeable, message: why };
      command.done = true;
      return;
    }
    if (command.kind === 'cancel') apply({ type: 'CANCEL_REQUESTED', at });
    else apply({ type: 'MODIFY_REQUESTED', changes: { ...command.changes }, at });
    await flush();
    if (command.kind === 'modify' && !state.link?.riskCovered && patched(MODIFY_GATE_PATCH)) {
      const refusal = await recheckModification(command.changes);
      if (refusal) {
        command.error = refusal;
        command.done = true;
        return;
      }
    }
    const proxy = workflowRetries ? once : broker;
    const ask = () => (command.kind === 'cancel'
      ? proxy.cancelBrokerOrder({ brokerOrderId, variety: state.request.variety })
      : proxy.modifyBrokerOrder({ brokerOrderId, variety: state.request.variety, changes: command.changes, validity: state.request.validity }));
    let result;
    try {
      result = await brokerCall(`${command.kind === 'cancel' ? 'cancelling' : 'modifying'} the order`, () => (workflowRetries ? withRetry(command.kind, ask) : ask()));
    } catch (err) {
      if (!isTransient(err)) throw err;
      apply({ type: 'BROKER_UNREACHABLE', operation: command.kind, error: failureMessage(err), at: now() });
      command.error = { type: FailureTypes.brokerUnavailable, message: `the broker did not answer the ${command.kind}: ${failureMessage(err)}` };
      command.done = true;
      return;
    }
    if (isAbandoned(result)) {
      command.error = { type: FailureTypes.orderNotChangeable, message: `order ${state.orderId} was abandoned by an operator` };
      command.done = true;
      return;
    }
    if (!result.ok) {
      await sync('broker-poll');
      // A request re-sent after a crash or a timeout may be refused because its first send already took effect
      // ("already cancelled"): the broker's order says so, and that is a success, not a failure.
      const alreadyDone = command.kind === 'cancel' ? state.status === 'CANCELLED' : !isTerminal(state.status) && modificationVisible(state, command.changes);
      if (alreadyDone && patched(RESENT_COMMAND_PATCH)) {
        command.done = true;
        return;
      }
      apply({ type: 'BROKER_REQUEST_FAILED', action: command.kind, message: result.message, at: now() });
      command.error = { message: result.message };
      command.done = true;
      return;
    }
    const deadline = Date.now() + cfg.confirmTimeoutMs;
    for (;;) {
      await sync('broker-poll');
      const confirmed = command.kind === 'cancel' ? isTerminal(state.status) : isTerminal(state.status) || modificationVisible(state, command.changes);
      if (confirmed || Date.now() >= deadline) break;
      await sleep(500);
    }
    command.done = true;
  }
}

function roundToTick(pricePaise: number, tick: number, side: 'BUY' | 'SELL'): number {
  return side === 'BUY' ? Math.ceil(pricePaise / tick) * tick : Math.floor(pricePaise / tick) * tick;
}

function modificationVisible(state: OrderState, changes: ModifyRequest): boolean {
  return (changes.quantity === undefined || state.quantity === changes.quantity)
    && (changes.pricePaise === undefined || state.pricePaise === changes.pricePaise)
    && (changes.triggerPricePaise === undefined || state.triggerPricePaise === changes.triggerPricePaise)
    && (changes.orderType === undefined || state.orderType === changes.orderType)
    && state.brokerStatus !== 'MODIFY VALIDATION PENDING' && state.brokerStatus !== 'MODIFY PENDING';
}
