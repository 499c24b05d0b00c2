import type { OrderEvent } from '../../src/domain/order-state';
import { initialOrderState } from '../../src/domain/order-state';
import { applyFill, EMPTY_BOOK, type PositionBook } from '../../src/domain/positions';
import { alertEvent, fillOutboxEvents, orderOutboxEvents, type BookedFill, type OutboxEvent } from '../../src/domain/strategy-events';
import { applyEvents, at, BANKNIFTY_CE, limitBuy, received, snapshot, submitted, T0, validated } from './fixtures';

const ACCOUNT = 'ZX1234';
const save = applyEvents;
const open: OrderEvent = { type: 'BROKER_SNAPSHOT', snapshot: snapshot({ status: 'OPEN' }), source: 'broker-poll', at: at(3) };
const interventionRequired: OrderEvent = { type: 'INTERVENTION_REQUIRED', reason: 'PLACEMENT_UNKNOWN', message: 'the broker did not answer', actions: ['resume', 'abandon'], at: at(4) };
const interventionResolved: OrderEvent = { type: 'INTERVENTION_RESOLVED', action: 'resume', note: 'checked on Kite', by: 'ops-anna', at: at(5) };

const atBroker = () => save(received(), [validated(), submitted]).state;
const types = (events: OutboxEvent[]) => events.map((e) => e.type);

describe('orderOutboxEvents: status changes', () => {
  it.each([
    { title: 'validation passes', events: [validated()], expected: [['RECEIVED', 'PENDING']] },
    { title: 'validation passes and the broker takes the order', events: [validated(), submitted], expected: [['RECEIVED', 'PENDING'], ['PENDING', 'SUBMITTED']] },
    { title: 'the broker reports it open and then filled', events: [validated(), submitted, open, { type: 'BROKER_SNAPSHOT', snapshot: snapshot({ status: 'COMPLETE', filledQuantity: 90, pendingQuantity: 0, averagePricePaise: 10_000 }), source: 'broker-postback', at: at(4) } as OrderEvent], expected: [['RECEIVED', 'PENDING'], ['PENDING', 'SUBMITTED'], ['SUBMITTED', 'OPEN'], ['OPEN', 'FILLED']] },
  ])('when $title, then each status change is one ORDER_STATUS event with its previousStatus, in order', ({ events, expected }) => {
    const { state, audit } = save(received(), events);
    const out = orderOutboxEvents(state, audit, ACCOUNT);
    expect(types(out).every((t) => t === 'ORDER_STATUS')).toBe(true);
    expect(out.map((e) => [e.payload.previousStatus, e.payload.status])).toEqual(expected);
    for (const e of out) {
      expect(e).toMatchObject({ strategyId: 'strat-1', account: ACCOUNT, orderId: 'ord-1' });
      expect(e.payload).toMatchObject({ orderId: 'ord-1', clientOrderId: 'client-1', tradingsymbol: BANKNIFTY_CE.tradingsymbol, exchange: 'NFO', side: 'BUY', quantity: 90 });
    }
  });

  it('when a status changes, then the event is stamped with the audit record\'s time and actor, not the clock', () => {
    const { state, audit } = save(atBroker(), [open]);
    const [e] = orderOutboxEvents(state, audit, ACCOUNT);
    expect(e.occurredAt).toBe(at(3));
    expect(e.payload.actor).toBe(audit.find((a) => a.type === 'STATUS_CHANGED')!.actor);
  });

  it('when validation rejects the order, then ORDER_STATUS REJECTED carries the reason, the code and the failing check', () => {
    const request = limitBuy({ quantity: 45 });
    const { state, audit } = save(received(request), [validated(request)]);
    const out = orderOutboxEvents(state, audit, ACCOUNT);
    expect(out).toHaveLength(1);
    expect(out[0].payload).toMatchObject({
      status: 'REJECTED', previousStatus: 'RECEIVED', reason: 'quantity 45 is not a multiple of the lot size 30', code: 'QUANTITY_NOT_LOT_MULTIPLE', check: 'lot_size',
    });
  });

  it('when the broker refuses the placement, then ORDER_STATUS REJECTED carries the broker\'s message and code, and check is null', () => {
    const pending = save(received(), [validated()]).state;
    const { state, audit } = save(pending, [{ type: 'SUBMIT_REJECTED', code: 'InputException', message: 'Insufficient funds', at: at(2) }]);
    const [e] = orderOutboxEvents(state, audit, ACCOUNT);
    expect(e.payload).toMatchObject({ status: 'REJECTED', previousStatus: 'PENDING', reason: 'Insufficient funds', code: 'InputException', check: null });
  });

  it('when a status change is not a rejection, then it carries no reason, code or check', () => {
    const { state, audit } = save(received(), [validated()]);
    const [e] = orderOutboxEvents(state, audit, ACCOUNT);
    expect(e.payload).not.toHaveProperty('reason');
    expect(e.payload).not.toHaveProperty('code');
    expect(e.payload).not.toHaveProperty('check');
  });

  it.each<{ title: string; event: OrderEvent }>([
    { title: 'a modification is requested', event: { type: 'MODIFY_REQUESTED', changes: { price: '10.05' }, by: 'api-key:k1 (strategy)', at: at(3) } },
    { title: 'a cancel is requested', event: { type: 'CANCEL_REQUESTED', by: 'api-key:k1 (strategy)', reason: 'done', at: at(3) } },
    { title: 'a retry is scheduled', event: { type: 'RETRY_SCHEDULED', operation: 'modify', attempt: 1, delayMs: 500, error: 'timeout', at: at(3) } },
    { title: 'a ladder step is recorded', event: { type: 'LADDER_STEP', step: { rung: 1 }, at: at(3) } },
  ])('when $title (an audit record without a status change), then no event is written', ({ event }) => {
    const { state, audit } = save(atBroker(), [event]);
    expect(audit.length).toBeGreaterThan(0);
    expect(orderOutboxEvents(state, audit, ACCOUNT)).toEqual([]);
  });
});

describe('orderOutboxEvents: interventions', () => {
  it('when an order asks for an operator, then the strategy gets INTERVENTION WAITING and operators a MANUAL_REVIEW alert without a strategy', () => {
    const { state, audit } = save(atBroker(), [interventionRequired]);
    const out = orderOutboxEvents(state, audit, ACCOUNT);
    expect(types(out)).toEqual(['INTERVENTION', 'ALERT']);
    const [intervention, alert] = out;
    expect(intervention).toMatchObject({ strategyId: 'strat-1', orderId: 'ord-1', account: ACCOUNT, occurredAt: at(4) });
    expect(intervention.payload).toMatchObject({ state: 'WAITING', reason: 'PLACEMENT_UNKNOWN', message: 'the broker did not answer', actions: ['resume', 'abandon'] });
    expect(alert).toMatchObject({ type: 'ALERT', strategyId: null, orderId: 'ord-1', account: ACCOUNT, occurredAt: at(4) });
    expect(alert.payload).toMatchObject({ kind: 'MANUAL_REVIEW', severity: 'warning', details: { reason: 'PLACEMENT_UNKNOWN', actions: ['resume', 'abandon'], strategyId: 'strat-1' } });
    expect(alert.payload.message).toContain('ord-1');
    expect(alert.payload.message).toContain('strat-1');
    expect(alert.payload.message).toContain('the broker did not answer');
  });

  it('when an operator resolves the intervention, then the strategy gets INTERVENTION RESOLVED with the action and who, and no alert', () => {
    const waiting = save(atBroker(), [interventionRequired]).state;
    const { state, audit } = save(waiting, [interventionResolved]);
    const out = orderOutboxEvents(state, audit, ACCOUNT);
    expect(types(out)).toEqual(['INTERVENTION']);
    expect(out[0].payload).toMatchObject({ state: 'RESOLVED', action: 'resume', note: 'checked on Kite', by: 'ops-anna' });
  });
});

describe('orderOutboxEvents: keys', () => {
  const story = () => {
    const first = save(received(), [validated(), submitted, interventionRequired]);
    const second = save(first.state, [interventionResolved, open]);
    return [...orderOutboxEvents(first.state, first.audit, ACCOUNT), ...orderOutboxEvents(second.state, second.audit, ACCOUNT)];
  };

  it('when an order\'s saves produce events, then every key is unique', () => {
    const keys = story().map((e) => e.key);
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('when the same save is written again (a replayed save or retried activity), then it produces the same keys, so the outbox adds nothing', () => {
    expect(story().map((e) => e.key)).toEqual(story().map((e) => e.key));
  });

  it('when two orders have the same audit sequence numbers, then their keys differ', () => {
    const a = save(received(), [validated()]);
    const b = save(initialOrderState({ orderId: 'ord-2', tag: 'omstag2', payloadHash: 'h'.repeat(32), request: limitBuy({ clientOrderId: 'client-2' }), at: T0 }), [validated()]);
    expect(orderOutboxEvents(a.state, a.audit, ACCOUNT)[0].key).not.toBe(orderOutboxEvents(b.state, b.audit, ACCOUNT)[0].key);
  });
});

describe('fillOutboxEvents', () => {
  const bookAfter = (fills: { side: 'BUY' | 'SELL'; quantity: number; pricePaise: number; chargesPaise: bigint }[]): PositionBook =>
    fills.reduce((b, f, i) => applyFill(b, { tradeId: `t${i}`, tradingDay: '2026-11-24', ...f }).book, EMPTY_BOOK);
  const fill = (overrides: Partial<BookedFill> = {}): BookedFill => ({
    orderId: 'ord-1', strategyId: 'strat-1', tradingsymbol: BANKNIFTY_CE.tradingsymbol, exchange: 'NFO', product: 'NRML', side: 'BUY',
    tradeId: 'T-100', quantity: 30, pricePaise: 10_005, executedAt: at(10),
    book: bookAfter([{ side: 'BUY', quantity: 30, pricePaise: 10_005, chargesPaise: 2_345n }]), ...overrides,
  });

  it('when a fill is booked, then the strategy gets ORDER_FILL with the price as a rupee string', () => {
    const [f] = fillOutboxEvents(fill(), ACCOUNT);
    expect(f).toMatchObject({ type: 'ORDER_FILL', strategyId: 'strat-1', orderId: 'ord-1', account: ACCOUNT, occurredAt: at(10) });
    expect(f.payload).toEqual({ orderId: 'ord-1', tradeId: 'T-100', tradingsymbol: BANKNIFTY_CE.tradingsymbol, exchange: 'NFO', product: 'NRML', side: 'BUY', quantity: 30, price: '100.05' });
  });

  it.each([
    {
      title: 'a first buy opens a long', fills: [{ side: 'BUY' as const, quantity: 30, pricePaise: 10_005, chargesPaise: 2_345n }],
      expected: { quantity: 30, averagePrice: '100.0500', realizedPnl: '0.00', dayRealizedPnl: '0.00', charges: '23.45' },
    },
    {
      title: 'a sell closes part of a long at a profit',
      fills: [{ side: 'BUY' as const, quantity: 60, pricePaise: 10_000, chargesPaise: 2_000n }, { side: 'SELL' as const, quantity: 30, pricePaise: 10_333, chargesPaise: 2_001n }],
      expected: { quantity: 30, averagePrice: '100.0000', realizedPnl: '99.90', dayRealizedPnl: '99.90', charges: '40.01' },
    },
    {
      title: 'a buy covers a short at a loss',
      fills: [{ side: 'SELL' as const, quantity: 30, pricePaise: 10_000, chargesPaise: 0n }, { side: 'BUY' as const, quantity: 30, pricePaise: 10_101, chargesPaise: 0n }],
      expected: { quantity: 0, averagePrice: null, realizedPnl: '-30.30', dayRealizedPnl: '-30.30', charges: '0.00' },
    },
  ])('when $title, then POSITION gives the book after the fill in rupee strings (no floats)', ({ fills, expected }) => {
    const last = fills[fills.length - 1];
    const [, position] = fillOutboxEvents(fill({ side: last.side, quantity: last.quantity, pricePaise: last.pricePaise, book: bookAfter(fills) }), ACCOUNT);
    expect(position).toMatchObject({ type: 'POSITION', strategyId: 'strat-1', orderId: 'ord-1' });
    expect(position.payload).toEqual({ tradingsymbol: BANKNIFTY_CE.tradingsymbol, exchange: 'NFO', product: 'NRML', byTradeId: 'T-100', ...expected });
    for (const k of ['averagePrice', 'realizedPnl', 'dayRealizedPnl', 'charges']) {
      expect(position.payload[k] === null || typeof position.payload[k] === 'string').toBe(true);
    }
  });

  it('when the same fill is booked again, then the keys are the same; another trade of the order gets other keys', () => {
    const keys = (f: BookedFill) => fillOutboxEvents(f, ACCOUNT).map((e) => e.key);
    expect(keys(fill())).toEqual(keys(fill()));
    expect(new Set([...keys(fill()), ...keys(fill({ tradeId: 'T-101' }))]).size).toBe(4);
  });
});

describe('alertEvent', () => {
  const alert = { kind: 'KILL_SWITCH_ENGAGED' as const, severity: 'critical' as const, message: 'halted: loss', account: ACCOUNT, occurrence: 'eng-1', at: at(20) };

  it('when an alert is raised, then it is an operators-only ALERT event with kind, severity and message', () => {
    expect(alertEvent({ ...alert, details: { by: 'ops' } })).toEqual({
      key: 'alert:KILL_SWITCH_ENGAGED:eng-1', type: 'ALERT', strategyId: null, account: ACCOUNT, orderId: null,
      payload: { kind: 'KILL_SWITCH_ENGAGED', severity: 'critical', message: 'halted: loss', details: { by: 'ops' } }, occurredAt: at(20),
    });
  });

  it('when the same occurrence is raised twice, then the key is the same (one event); another occurrence is another key', () => {
    expect(alertEvent(alert).key).toBe(alertEvent({ ...alert, at: at(21) }).key);
    expect(alertEvent(alert).key).not.toBe(alertEvent({ ...alert, occurrence: 'eng-2' }).key);
  });
});
