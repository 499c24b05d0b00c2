import {
  allHandlersFinished, ApplicationFailure, condition, log, proxyActivities, setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { GroupActivities } from '../activities/group-activities';
import { groupPosition, planGroup, type GroupAction, type GroupFacts, type LegFacts } from '../domain/order-group';
import { entryRequest, exitRequest, flattenRequest, flattenRole, legOrderIdFor } from '../domain/order-group-legs';
import { initialGroupState, withEpisode, type GroupEpisodeType, type GroupLeg, type OrderGroupState } from '../domain/order-group-state';
import { isTerminal, type OrderRequest } from '../domain/order-types';
import { LegBook } from './child-orders';
import { cancelGroupUpdate, GroupFailureTypes, groupStateQuery, type OrderGroupInput } from './order-group-messages';
import { OrderStatus } from './search-attributes';

const store = proxyActivities<GroupActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/**
 * One OCO or bracket group: every leg (entry, target, stop, flatten-N) is an order workflow of its own, started as a
 * child through LegBook; this workflow only feeds the legs' updates to `planGroup` and carries out what it says.
 */
export async function orderGroupWorkflow(input: OrderGroupInput): Promise<OrderGroupState> {
  const g = input.request;
  const now = () => new Date(Date.now()).toISOString(); // the workflow clock: deterministic on replay
  const legs = new LegBook(input.groupId, input.config);
  let state = initialGroupState({ groupId: input.groupId, request: g, payloadHash: input.payloadHash, at: input.receivedAt });
  const roleOf: Record<string, string> = {};
  const flattenIds: string[] = [];
  /** Legs with a resize in flight, and legs already asked to cancel. */
  const busy = new Set<string>();
  const cancelSent = new Set<string>();
  /** Bumped by anything that is not a leg update but should wake the planner (an answer, a cancel request). */
  let tick = 0;
  let finished = false;
  let lastSaved = '';

  const record = (type: GroupEpisodeType, detail: Record<string, unknown>) => { state = withEpisode(state, type, detail, now()); };
  const idOf = (role: string) => legOrderIdFor(g.clientOrderId, role);
  const everyLegAsked = () => legs.list().every((l) => isTerminal(l.status) || cancelSent.has(l.orderId));

  setHandler(groupStateQuery, () => current());
  setHandler(cancelGroupUpdate, async (req) => {
    state = { ...state, cancelRequested: true };
    record('GROUP_CANCELLED', { reason: req.reason ?? null, liveLegs: legs.list().filter((l) => !isTerminal(l.status)).map((l) => roleOf[l.orderId]) });
    tick += 1;
    await condition(() => finished || everyLegAsked());
    return current();
  }, {
    validator: (_req) => {
      if (state.status !== 'ACTIVE') throw ApplicationFailure.create({ type: GroupFailureTypes.groupNotCancellable, nonRetryable: true, message: `group ${state.groupId} is ${state.status}` });
      if (state.cancelRequested) throw ApplicationFailure.create({ type: GroupFailureTypes.groupNotCancellable, nonRetryable: true, message: `group ${state.groupId} is already being cancelled` });
    },
  });

  const startLeg = async (role: string, request: OrderRequest) => {
    const orderId = idOf(role);
    roleOf[orderId] = role;
    await legs.start({ orderId, role, request, receivedAt: now(), riskCovered: role !== 'entry' });
    record('LEG_STARTED', { role, orderId, side: request.side, orderType: request.orderType, quantity: request.quantity });
  };

  const legFacts = (orderId: string): LegFacts | undefined => {
    const v = legs.legs[orderId];
    if (!v) return undefined;
    return {
      orderId, side: v.request.side, status: v.status, quantity: v.quantity, filledQuantity: v.filledQuantity, atBroker: v.brokerOrderId !== null,
      busy: busy.has(orderId), cancelRequested: cancelSent.has(orderId), lastFillAt: v.fills.at(-1)?.executedAt ?? null,
    };
  };
  const facts = (): GroupFacts => ({
    kind: g.kind, positionSide: g.side, positionQuantity: g.quantity,
    entry: legFacts(idOf('entry')), target: legFacts(idOf('target')), stop: legFacts(idOf('stop')),
    flattens: flattenIds.map((id) => legFacts(id) as LegFacts), cancelRequested: state.cancelRequested, triggeredBy: state.triggeredBy,
    excessRecorded: state.excessRecorded, refusedResizes: state.refusedResizes, maxFlattens: input.maxFlattens ?? 3,
  });

  /** Sends a command to a leg without blocking the planner; the answer wakes it. */
  let inFlight = 0;
  const command = (orderId: string, body: Parameters<LegBook['command']>[1], onAnswer: (error?: string) => void) => {
    inFlight += 1;
    void legs.command(orderId, body).then((r) => r.error, (err: unknown) => String(err)).then((error) => {
      inFlight -= 1;
      onAnswer(error);
      tick += 1;
    });
  };

  const run = async (a: GroupAction): Promise<void> => {
    switch (a.kind) {
      case 'trigger':
        state = { ...state, triggeredBy: a.by };
        record('OCO_TRIGGERED', { by: a.by, orderId: idOf(a.by), filledQuantity: legs.legs[idOf(a.by)]?.filledQuantity });
        return;
      case 'excess':
        state = { ...state, excessRecorded: state.excessRecorded + a.quantity };
        record('EXCESS_DETECTED', { quantity: a.quantity, exitsFilled: a.exitsFilled, position: a.position });
        return;
      case 'place-exits':
        record('EXITS_PLACED', { quantity: a.quantity, entryFilled: legs.legs[idOf('entry')]?.filledQuantity });
        await startLeg('target', exitRequest(g, 'target', a.quantity));
        await startLeg('stop', exitRequest(g, 'stop', a.quantity));
        return;
      case 'resize':
        busy.add(a.orderId);
        command(a.orderId, { kind: 'modify', changes: { quantity: a.to } }, (error) => {
          busy.delete(a.orderId);
          if (error) {
            state = { ...state, refusedResizes: { ...state.refusedResizes, [a.orderId]: a.to } };
            record('RESIZE_REFUSED', { role: a.role, orderId: a.orderId, from: a.from, to: a.to, error });
          } else record('EXIT_RESIZED', { role: a.role, orderId: a.orderId, from: a.from, to: a.to });
        });
        return;
      case 'cancel':
        cancelSent.add(a.orderId);
        record('LEG_CANCEL_REQUESTED', { role: a.role, orderId: a.orderId, reason: a.reason });
        // A refused cancel of a leg that is still live is asked again (e.g. the broker was unreachable for a while).
        command(a.orderId, { kind: 'cancel', reason: `group ${a.reason}` }, (error) => { if (error) cancelSent.delete(a.orderId); });
        return;
      case 'flatten': {
        const role = flattenRole(a.attempt);
        flattenIds.push(idOf(role));
        await startLeg(role, flattenRequest(g, a.attempt, a.side, a.quantity));
        record('FLATTEN_PLACED', { role, orderId: idOf(role), side: a.side, quantity: a.quantity, reason: a.reason, attempt: a.attempt });
        return;
      }
      case 'finish':
        state = { ...state, status: a.status, statusMessage: a.reason ?? null };
        record('GROUP_FINISHED', { status: a.status, openQuantity: a.openQuantity, ...(a.reason ? { reason: a.reason } : {}) });
        finished = true;
        return;
    }
  };

  /** The state with the legs as last reported (a query sees them between saves too). */
  const current = (): OrderGroupState => ({ ...state, legs: legs.list().map((l) => legSummary(roleOf[l.orderId], l)), position: groupPosition(facts()) });
  const save = async () => {
    state = current();
    const key = JSON.stringify([state.status, state.legs, state.episodes.length, state.position]);
    if (key === lastSaved) return;
    await store.saveOrderGroup({ state });
    lastSaved = key;
  };

  if (g.kind === 'oco') {
    await startLeg('target', exitRequest(g, 'target', g.quantity));
    await startLeg('stop', exitRequest(g, 'stop', g.quantity));
  } else {
    await startLeg('entry', entryRequest(g));
  }
  await save();

  while (!finished) {
    const seen = { version: legs.version, tick };
    for (const a of planGroup(facts())) await run(a);
    await save();
    if (!finished) await condition(() => legs.version !== seen.version || tick !== seen.tick);
  }
  upsertSearchAttributes([{ key: OrderStatus, value: state.status }]);
  // Never complete with a command signal still on its way to a leg (every leg is final now, so each answers).
  await condition(() => inFlight === 0);
  await condition(allHandlersFinished);
  log.info('group finished', { groupId: state.groupId, status: state.status, open: state.position.open });
  return state;
}

function legSummary(role: string, l: LegBook['legs'][string]): GroupLeg {
  return {
    role, orderId: l.orderId, side: l.request.side, orderType: l.orderType, status: l.status, quantity: l.quantity,
    filledQuantity: l.filledQuantity, averagePrice: l.averagePrice, brokerOrderId: l.brokerOrderId,
  };
}
