import { groupSummary, monitorSummary, orderDetails, orderSummary } from '../../src/domain/order-summary';
import { applyEvents, limitBuy, received, snapshot, submitted, trade, validated } from './fixtures';

describe('what an operator reads of an order in the Temporal UI', () => {
  it.each([
    ['a LIMIT buy', limitBuy({ quantity: 90, pricePaise: 9_800, strategyId: 's1' }), undefined, /^BUY 90 BANKNIFTY\S+ LIMIT 98\.00 · s1$/],
    ['a MARKET sell', limitBuy({ side: 'SELL', orderType: 'MARKET', pricePaise: undefined, strategyId: 's2' }), undefined, /^SELL 90 BANKNIFTY\S+ MARKET · s2$/],
    ['a stop-loss limit', limitBuy({ orderType: 'SL', pricePaise: 9_000, triggerPricePaise: 9_050 }), undefined, / SL 90\.00 trg 90\.50 · /],
    ['a split slice', limitBuy({ quantity: 600 }), 'slice-2 of order-x', / · slice-2 of order-x$/],
  ])('when the order is %s, then its summary is one line with side, size, contract, type, price and strategy', (_what, request, role, expected) => {
    expect(orderSummary(request, role)).toMatch(expected);
  });

  it('when the order moves on, then its details say its status, fill, broker order and what it waits for', () => {
    const start = received(limitBuy({ quantity: 60 }));
    const working = applyEvents(start, [validated(limitBuy({ quantity: 60 })), submitted]).state;
    expect(orderDetails(working)).toBe('**SUBMITTED** 0/60 filled\nbroker order B-1\nwaiting for: fills at the broker');
    const part = applyEvents(working, [{ type: 'BROKER_SNAPSHOT', snapshot: snapshot({ status: 'OPEN', quantity: 60, filledQuantity: 30, averagePricePaise: 10_050, trades: [trade('t1', 30, 10_050)] }), source: 'broker-poll', at: working.updatedAt }]).state;
    expect(orderDetails(part)).toMatch(/^\*\*PARTIALLY_FILLED\*\* 30\/60 filled @ 100\.50\nbroker order B-1 \(OPEN\)\nwaiting for: fills at the broker$/);
    const paused = applyEvents(part, [{ type: 'INTERVENTION_REQUIRED', reason: 'TOKEN_EXPIRED', message: 'log in', actions: ['resume', 'abandon'], at: part.updatedAt }]).state;
    expect(orderDetails(paused)).toContain('waiting for: an operator (TOKEN_EXPIRED: resume / abandon)');
  });

  it('when an order is final, then it waits for nothing and says why it ended', () => {
    const rejected = applyEvents(received(limitBuy({ quantity: 7 })), [validated(limitBuy({ quantity: 7 }))]).state;
    expect(rejected.status).toBe('REJECTED');
    const details = orderDetails(rejected);
    expect(details).toContain('waiting for: nothing (final)');
    expect(details.split('\n').at(-1)).toBe(rejected.statusMessage);
  });

  it('when a group or a monitor starts, then its summary names what it protects', () => {
    const g = { kind: 'oco' as const, clientOrderId: 'g1', strategyId: 's1', tradingsymbol: 'BANKNIFTY26DEC51000CE', exchange: 'NFO' as const, product: 'NRML' as const, variety: 'regular' as const, side: 'BUY' as const, quantity: 90, exits: { targetPaise: 12_000, stopLossPaise: 8_000 } };
    expect(groupSummary(g as never)).toBe('OCO on long 90 BANKNIFTY26DEC51000CE · s1');
    expect(groupSummary({ ...g, kind: 'bracket' } as never)).toBe('BRACKET BUY 90 BANKNIFTY26DEC51000CE · s1');
    expect(monitorSummary(limitBuy({ strategyId: 's1' }), 'order-e1')).toMatch(/^MONITOR long 90 BANKNIFTY\S+ · s1 · entry order-e1$/);
  });
});
