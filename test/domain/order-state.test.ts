import type { AuditEvent, OrderEvent, OrderState } from '../../src/domain/order-state';
import { whyNotChangeable } from '../../src/domain/order-state';
import { transition } from '../../src/domain/order-transition';
import type { BrokerOrderSnapshot, OrderRequest } from '../../src/domain/order-types';
import { applyEvents, at, BANKNIFTY_CE, limitBuy, received, snapshot, submitted, validated, trade } from './fixtures';

const run = applyEvents;
const snap = (s: Partial<BrokerOrderSnapshot>, sec = 3, source: 'broker-poll' | 'broker-postback' = 'broker-poll'): OrderEvent =>
  ({ type: 'BROKER_SNAPSHOT', snapshot: snapshot(s), source, at: at(sec) });

/** An order at the broker: RECEIVED -> PENDING -> SUBMITTED. */
function atBroker(request: OrderRequest = limitBuy()): OrderState {
  return run(received(request), [validated(request), submitted]).state;
}

const statusChanges = (audit: AuditEvent[]) => audit.filter((a) => a.type === 'STATUS_CHANGED').map((a) => `${a.fromStatus}->${a.toStatus}`);
const ofType = (audit: AuditEvent[], type: string) => audit.filter((a) => a.type === type);

describe('transition: validation and submission', () => {
  it('when validation passes, then the order is PENDING, the instrument is kept and the checks are audited', () => {
    const { state, audit } = transition(received(), validated());
    expect(state.status).toBe('PENDING');
    expect(state.instrument).toEqual(BANKNIFTY_CE);
    expect(state.validation?.passed).toBe(true);
    expect(audit.map((a) => a.type)).toEqual(['VALIDATED', 'STATUS_CHANGED']);
    expect(audit[0]).toMatchObject({ sequence: 1, fromStatus: null, toStatus: null, payload: { passed: true } });
    expect(audit[1]).toMatchObject({ sequence: 2, fromStatus: 'RECEIVED', toStatus: 'PENDING', source: 'workflow' });
  });

  it('when validation fails, then the order is REJECTED with the failing rule\'s message and code', () => {
    const request = limitBuy({ quantity: 45 });
    const { state, audit } = transition(received(request), validated(request));
    expect(state.status).toBe('REJECTED');
    expect(state.statusMessage).toBe('quantity 45 is not a multiple of the lot size 30');
    expect(audit[1]).toMatchObject({ fromStatus: 'RECEIVED', toStatus: 'REJECTED', payload: { code: 'QUANTITY_NOT_LOT_MULTIPLE', check: 'lot_size' } });
  });

  it('when the place call succeeds, then the order is SUBMITTED with the broker order id and time', () => {
    const pending = transition(received(), validated()).state;
    const { state, audit } = transition(pending, { type: 'SUBMITTED', brokerOrderId: 'B-9', recovered: true, at: at(2) });
    expect(state).toMatchObject({ status: 'SUBMITTED', brokerOrderId: 'B-9', submittedAt: at(2) });
    expect(audit).toEqual([expect.objectContaining({ type: 'STATUS_CHANGED', fromStatus: 'PENDING', toStatus: 'SUBMITTED', payload: { brokerOrderId: 'B-9', recoveredByTag: true } })]);
  });

  it.each<{ title: string; event: OrderEvent; status: string; message: string }>([
    { title: 'the broker rejects the place call', event: { type: 'SUBMIT_REJECTED', code: 'InputException', message: 'Insufficient margin', at: at(2) }, status: 'REJECTED', message: 'Insufficient margin' },
    { title: 'the place outcome is unknown and the order is not in the book', event: { type: 'SUBMIT_FAILED', message: 'broker unreachable', at: at(2) }, status: 'FAILED', message: 'broker unreachable' },
  ])('when $title, then the order is $status with the reason', ({ event, status, message }) => {
    const pending = transition(received(), validated()).state;
    const { state } = transition(pending, event);
    expect(state.status).toBe(status);
    expect(state.statusMessage).toBe(message);
  });
});

describe('transition: broker snapshots and fills', () => {
  it('when the broker reports the order OPEN, then it is OPEN and the broker status is audited', () => {
    const { state, audit } = transition(atBroker(), snap({ status: 'OPEN' }));
    expect(state.status).toBe('OPEN');
    expect(state.brokerStatus).toBe('OPEN');
    expect(audit.map((a) => a.type)).toEqual(['BROKER_UPDATE', 'STATUS_CHANGED']);
  });

  it('when a partial fill arrives, then the order is PARTIALLY_FILLED with the filled quantity and its price', () => {
    const { state, audit } = transition(atBroker(), snap({ status: 'OPEN', filledQuantity: 30, pendingQuantity: 60, averagePricePaise: 10_000, trades: [trade('T1', 30, 10_000)] }));
    expect(state).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 30, averagePrice: '100.0000', filledAt: null });
    expect(ofType(audit, 'FILL')).toEqual([expect.objectContaining({ payload: { tradeId: 'T1', quantity: 30, price: '100.00' }, occurredAt: trade('T1', 30, 10_000).executedAt })]);
  });

  it('when further partial fills complete the order, then the average price is the volume-weighted mean of all trades', () => {
    const t1 = trade('T1', 30, 10_000);
    const t2 = trade('T2', 60, 10_300, '2026-11-24T05:00:09.000Z');
    const { state, audit } = run(atBroker(), [
      snap({ status: 'OPEN', filledQuantity: 30, trades: [t1] }, 3),
      snap({ status: 'COMPLETE', filledQuantity: 90, pendingQuantity: 0, averagePricePaise: 10_200, trades: [t1, t2] }, 4),
    ]);
    expect(state).toMatchObject({ status: 'FILLED', filledQuantity: 90, averagePrice: '102.0000', filledAt: at(4) });
    expect(state.fills.map((f) => f.tradeId)).toEqual(['T1', 'T2']);
    expect(ofType(audit, 'FILL').map((a) => a.payload.tradeId)).toEqual(['T1', 'T2']);
    expect(statusChanges(audit)).toEqual(['SUBMITTED->PARTIALLY_FILLED', 'PARTIALLY_FILLED->FILLED']);
  });

  it('when the same snapshot is replayed (postback and poll race), then nothing changes and no FILL is audited again', () => {
    const event = snap({ status: 'OPEN', filledQuantity: 30, trades: [trade('T1', 30, 10_000)] });
    const once = transition(atBroker(), event).state;
    const twice = transition(once, event);
    expect(twice.state).toEqual(once);
    expect(twice.audit).toEqual([]);
  });

  it('when a later snapshot repeats known trades with a new one, then only the new trade is booked', () => {
    const t1 = trade('T1', 30, 10_000);
    const first = transition(atBroker(), snap({ filledQuantity: 30, trades: [t1] })).state;
    const { state, audit } = transition(first, snap({ filledQuantity: 60, trades: [t1, trade('T2', 30, 10_100)] }, 4));
    expect(state.filledQuantity).toBe(60);
    expect(state.fills).toHaveLength(2);
    expect(ofType(audit, 'FILL').map((a) => a.payload.tradeId)).toEqual(['T2']);
    expect(state.averagePrice).toBe('100.5000');
  });

  it('when the broker\'s cumulative filled quantity is reported repeatedly before trades arrive, then it is never added up', () => {
    const e = snap({ status: 'OPEN', filledQuantity: 30, averagePricePaise: 10_050, trades: [] });
    const { state } = run(atBroker(), [e, { ...e, at: at(4) }, { ...e, at: at(5), source: 'broker-postback' } as OrderEvent]);
    expect(state.filledQuantity).toBe(30);
    expect(state.status).toBe('PARTIALLY_FILLED');
    expect(state.fills).toEqual([]);
    // No trades yet: the broker's average is the best available.
    expect(state.averagePrice).toBe('100.5000');
  });

  it('when trades catch up with the broker\'s cumulative figure, then the average comes from the trades', () => {
    const { state } = run(atBroker(), [
      snap({ filledQuantity: 30, averagePricePaise: 10_050, trades: [] }, 3),
      snap({ filledQuantity: 30, averagePricePaise: 10_050, trades: [trade('T1', 30, 10_055)] }, 4),
    ]);
    expect(state.filledQuantity).toBe(30);
    expect(state.averagePrice).toBe('100.5500');
  });

  it('when a trade would take the fills beyond the order quantity, then it is not booked and an OVERFILL_REJECTED is audited', () => {
    const request = limitBuy({ quantity: 30 });
    const { state, audit } = transition(atBroker(request), snap({ status: 'COMPLETE', quantity: 30, filledQuantity: 30, trades: [trade('T1', 30, 10_000), trade('T2', 30, 10_000)] }));
    expect(state.filledQuantity).toBe(30);
    expect(state.fills.map((f) => f.tradeId)).toEqual(['T1']);
    expect(state.averagePrice).toBe('100.0000');
    expect(ofType(audit, 'FILL')).toHaveLength(1);
    expect(ofType(audit, 'OVERFILL_REJECTED')).toEqual([expect.objectContaining({ payload: { tradeId: 'T2', quantity: 30, filledSoFar: 30, orderQuantity: 30 } })]);
    expect(state.status).toBe('FILLED');
  });

  it('when the broker\'s cumulative figure exceeds the order quantity, then the filled quantity is capped at the order', () => {
    const { state } = transition(atBroker(), snap({ quantity: 90, filledQuantity: 120, trades: [] }));
    expect(state.filledQuantity).toBe(90);
  });

  it('when the broker confirms a modify, then the working terms follow the broker', () => {
    const open = transition(atBroker(), snap({ status: 'OPEN' })).state;
    const { state } = transition(open, snap({ status: 'MODIFIED', quantity: 120, pricePaise: 10_100 }, 4));
    expect(state).toMatchObject({ status: 'OPEN', quantity: 120, pricePaise: 10_100, brokerStatus: 'MODIFIED' });
    expect(state.request.quantity).toBe(90);
  });
});

describe('transition: statuses never move backwards', () => {
  it.each<{ title: string; first: Partial<BrokerOrderSnapshot>; stale: Partial<BrokerOrderSnapshot>; status: string }>([
    {
      title: 'an OPEN snapshot arrives after COMPLETE',
      first: { status: 'COMPLETE', filledQuantity: 90, trades: [trade('T1', 90, 10_000)] },
      stale: { status: 'OPEN', filledQuantity: 0, trades: [] },
      status: 'FILLED',
    },
    {
      title: 'a PUT ORDER REQ RECEIVED snapshot arrives after OPEN',
      first: { status: 'OPEN' },
      stale: { status: 'PUT ORDER REQ RECEIVED' },
      status: 'OPEN',
    },
    {
      title: 'an OPEN snapshot with nothing filled arrives after a partial fill',
      first: { status: 'OPEN', filledQuantity: 30, trades: [trade('T1', 30, 10_000)] },
      stale: { status: 'OPEN', filledQuantity: 0, trades: [] },
      status: 'PARTIALLY_FILLED',
    },
    {
      title: 'an OPEN snapshot arrives after CANCELLED',
      first: { status: 'CANCELLED' },
      stale: { status: 'OPEN' },
      status: 'CANCELLED',
    },
  ])('when $title, then the order stays $status and keeps its fills', ({ first, stale, status }) => {
    const after = transition(atBroker(), snap(first, 3)).state;
    const { state, audit } = transition(after, snap(stale, 4));
    expect(state.status).toBe(status);
    expect(state.filledQuantity).toBe(after.filledQuantity);
    expect(state.fills).toEqual(after.fills);
    expect(state.averagePrice).toBe(after.averagePrice);
    expect(statusChanges(audit)).toEqual([]);
  });

  it('when the broker reports an unknown status, then the order keeps what it had', () => {
    const open = transition(atBroker(), snap({ status: 'OPEN' })).state;
    const { state } = transition(open, snap({ status: 'SOMETHING NEW' }, 4));
    expect(state.status).toBe('OPEN');
  });

  it('when a fill is reported after the order was cancelled, then the fill is still booked but the status stays CANCELLED', () => {
    const cancelled = transition(atBroker(), snap({ status: 'CANCELLED' })).state;
    const { state, audit } = transition(cancelled, snap({ status: 'CANCELLED', filledQuantity: 30, trades: [trade('T1', 30, 10_000)] }, 4));
    expect(state.status).toBe('CANCELLED');
    expect(state.filledQuantity).toBe(30);
    expect(ofType(audit, 'FILL')).toHaveLength(1);
  });
});

describe('transition: cancellation and expiry', () => {
  it('when an IOC order is cancelled by the broker without a cancel request, then it EXPIRED', () => {
    const { state } = transition(atBroker(limitBuy({ validity: 'IOC' })), snap({ status: 'CANCELLED', statusMessage: null }));
    expect(state.status).toBe('EXPIRED');
  });

  it('when an IOC order partially fills and the rest is cancelled by the broker, then it EXPIRED with the fill kept', () => {
    const { state, audit } = transition(atBroker(limitBuy({ validity: 'IOC' })), snap({ status: 'CANCELLED', filledQuantity: 30, cancelledQuantity: 60, trades: [trade('T1', 30, 10_000)] }));
    expect(state).toMatchObject({ status: 'EXPIRED', filledQuantity: 30, averagePrice: '100.0000' });
    expect(statusChanges(audit)).toEqual(['SUBMITTED->EXPIRED']);
  });

  it('when the trader cancels an IOC order and the broker confirms, then it is CANCELLED', () => {
    const { state, audit } = run(atBroker(limitBuy({ validity: 'IOC' })), [
      { type: 'CANCEL_REQUESTED', by: 'api-key:ops (operator)', at: at(3) },
      snap({ status: 'CANCELLED' }, 4),
    ]);
    expect(state.status).toBe('CANCELLED');
    expect(state.cancelRequested).toBe(true);
    expect(audit.map((a) => a.type)).toEqual(['CANCEL_REQUESTED', 'BROKER_UPDATE', 'STATUS_CHANGED']);
  });

  it('when the cancel request fails at the broker, then the request is forgotten and a later broker cancel of an IOC is an expiry', () => {
    const { state, audit } = run(atBroker(limitBuy({ validity: 'IOC' })), [
      { type: 'CANCEL_REQUESTED', by: 'api-key:ops (operator)', at: at(3) },
      { type: 'BROKER_REQUEST_FAILED', action: 'cancel', message: 'Order cannot be cancelled', at: at(4) },
      snap({ status: 'CANCELLED' }, 5),
    ]);
    expect(ofType(audit, 'CANCEL_FAILED')).toEqual([expect.objectContaining({ payload: { message: 'Order cannot be cancelled' } })]);
    expect(state.status).toBe('EXPIRED');
  });

  it('when a modify fails at the broker, then it is audited and the order keeps its status', () => {
    const open = transition(atBroker(), snap({ status: 'OPEN' })).state;
    const { state, audit } = run(open, [
      { type: 'MODIFY_REQUESTED', changes: { pricePaise: 10_100 }, by: 'api-key:ops (operator)', at: at(4) },
      { type: 'BROKER_REQUEST_FAILED', action: 'modify', message: 'Order cannot be modified', at: at(5) },
    ]);
    expect(audit.map((a) => a.type)).toEqual(['MODIFY_REQUESTED', 'MODIFY_FAILED']);
    expect(state.status).toBe('OPEN');
  });

  it('when a DAY order is cancelled by the exchange at close, then the expiry message makes it EXPIRED', () => {
    const { state } = transition(atBroker(), snap({ status: 'CANCELLED', statusMessage: 'Order expired at end of day' }));
    expect(state.status).toBe('EXPIRED');
    expect(state.statusMessage).toBe('Order expired at end of day');
  });

  it('when a command arrives after the order is terminal, then it is ignored and only audited', () => {
    const filled = transition(atBroker(), snap({ status: 'COMPLETE', filledQuantity: 90, trades: [trade('T1', 90, 10_000)] })).state;
    const { state, audit } = transition(filled, { type: 'CANCEL_REQUESTED', by: 'api-key:ops (operator)', at: at(9) });
    expect(state.status).toBe('FILLED');
    expect(state.cancelRequested).toBe(false);
    expect(audit).toEqual([expect.objectContaining({ type: 'IGNORED_AFTER_TERMINAL', payload: { event: 'CANCEL_REQUESTED' } })]);
  });
});

describe('transition: the audit trail', () => {
  const lifecycle: OrderEvent[] = [
    validated(),
    submitted,
    snap({ status: 'PUT ORDER REQ RECEIVED' }, 3),
    snap({ status: 'OPEN' }, 4, 'broker-postback'),
    snap({ status: 'OPEN' }, 5),
    snap({ status: 'OPEN', filledQuantity: 30, trades: [trade('T1', 30, 10_000)] }, 6),
    snap({ status: 'OPEN', filledQuantity: 30, trades: [trade('T1', 30, 10_000)] }, 7, 'broker-postback'),
    { type: 'MODIFY_REQUESTED', changes: { pricePaise: 10_050 }, by: 'api-key:ops (operator)', at: at(8) },
    snap({ status: 'COMPLETE', filledQuantity: 90, trades: [trade('T1', 30, 10_000), trade('T2', 60, 10_050)] }, 9),
    snap({ status: 'OPEN', filledQuantity: 30, trades: [] }, 10),
  ];

  it('when an order lives its whole life, then audit sequences are strictly increasing without gaps and match the state', () => {
    const { state, audit } = run(received(), lifecycle);
    expect(audit.map((a) => a.sequence)).toEqual(audit.map((_, i) => i + 1));
    expect(state.eventSequence).toBe(audit.length);
  });

  it('when an order lives its whole life, then its history reads as the forward-only lifecycle', () => {
    const { state } = run(received(), lifecycle);
    expect(state.history.map((h) => h.status)).toEqual(['RECEIVED', 'PENDING', 'SUBMITTED', 'OPEN', 'PARTIALLY_FILLED', 'FILLED']);
    expect(state).toMatchObject({ status: 'FILLED', filledQuantity: 90, averagePrice: '100.3333', filledAt: at(9) });
  });

  it('when transition runs, then the input state is not mutated', () => {
    const before = atBroker();
    const copy = structuredClone(before);
    transition(before, snap({ status: 'OPEN', filledQuantity: 30, trades: [trade('T1', 30, 10_000)] }));
    expect(before).toEqual(copy);
  });
});

describe('whyNotChangeable', () => {
  it.each<{ title: string; state: () => OrderState; action: 'modify' | 'cancel'; why: RegExp | null }>([
    { title: 'the order is working at the broker', state: () => transition(atBroker(), snap({ status: 'OPEN' })).state, action: 'modify', why: null },
    { title: 'the order is working at the broker', state: () => transition(atBroker(), snap({ status: 'OPEN' })).state, action: 'cancel', why: null },
    { title: 'the order is FILLED', state: () => transition(atBroker(), snap({ status: 'COMPLETE', filledQuantity: 90 })).state, action: 'cancel', why: /is FILLED; a cancel is not possible/ },
    { title: 'the order is REJECTED', state: () => transition(received(limitBuy({ quantity: 45 })), validated(limitBuy({ quantity: 45 }))).state, action: 'modify', why: /is REJECTED; a modify is not possible/ },
    { title: 'a cancel is already in flight', state: () => transition(atBroker(), { type: 'CANCEL_REQUESTED', by: 'api-key:ops (operator)', at: at(3) }).state, action: 'modify', why: /is being cancelled/ },
    { title: 'the order has not reached the broker', state: () => transition(received(), validated()).state, action: 'cancel', why: /not yet at the broker \(PENDING\)/ },
  ])('when $title, then a $action is answered accordingly', ({ state, action, why }) => {
    const answer = whyNotChangeable(state(), action);
    if (why === null) expect(answer).toBeNull();
    else expect(answer).toMatch(why);
  });
});

describe('transition: every audit row names who acted', () => {
  it.each<[string, string, string]>([
    ['an API key', 'api-key:desk-1 (strategy)', 'api'],
    ['the workflow\'s chase ladder', 'workflow:chase', 'workflow'],
    ['a parent group', 'workflow:parent group-g1', 'workflow'],
    ['an operator through the Temporal CLI', 'ops-anna', 'operator'],
    ['somebody through Temporal without a name', 'temporal-client', 'operator'],
  ])('when a cancel comes from %s, then its row has that actor and source', (_who, by, source) => {
    const { audit } = run(atBroker(), [{ type: 'CANCEL_REQUESTED', by, reason: 'why not', at: at(5) }]);
    expect(ofType(audit, 'CANCEL_REQUESTED')).toEqual([expect.objectContaining({ actor: by, source, payload: { reason: 'why not' } })]);
  });

  it('when the workflow or the broker acts on its own, then the row names it (never an empty actor)', () => {
    const { audit } = run(received(), [validated(), submitted, snap({ status: 'OPEN' }, 3, 'broker-postback')]);
    expect(audit.map((a) => a.actor)).not.toContain('');
    expect(audit.find((a) => a.source === 'broker-postback')?.actor).toBe('broker:postback');
    expect(audit.find((a) => a.type === 'VALIDATED')?.actor).toBe('workflow');
  });
});
