import { groupPosition, planGroup, type GroupAction, type GroupFacts, type LegFacts } from '../../src/domain/order-group';
import { entryRequest, exitRequest, flattenRequest, validateGroupTerms, type GroupRequest } from '../../src/domain/order-group-legs';

/** A working leg at the broker; `over` changes what the case needs. */
const leg = (orderId: string, over: Partial<LegFacts> = {}): LegFacts => ({
  orderId, side: 'SELL', status: 'OPEN', quantity: 90, filledQuantity: 0, atBroker: true, busy: false, cancelRequested: false, lastFillAt: null, ...over,
});
const filled = (orderId: string, q: number, at = '2026-11-24T05:00:00.000Z', over: Partial<LegFacts> = {}) =>
  leg(orderId, { status: 'FILLED', quantity: q, filledQuantity: q, lastFillAt: at, ...over });
const cancelled = (orderId: string, filledQuantity = 0, over: Partial<LegFacts> = {}) => leg(orderId, { status: 'CANCELLED', filledQuantity, ...over });

const oco = (over: Partial<GroupFacts> = {}): GroupFacts => ({
  kind: 'oco', positionSide: 'BUY', positionQuantity: 90, target: leg('T'), stop: leg('S'), flattens: [], cancelRequested: false,
  triggeredBy: null, excessRecorded: 0, refusedResizes: {}, maxFlattens: 3, ...over,
});
const bracket = (over: Partial<GroupFacts> = {}): GroupFacts => ({
  kind: 'bracket', positionSide: 'BUY', positionQuantity: 0, entry: leg('E', { side: 'BUY' }), flattens: [], cancelRequested: false,
  triggeredBy: null, excessRecorded: 0, refusedResizes: {}, maxFlattens: 3, ...over,
});

/** Reads a plan as a title: "trigger by target, cancel stop (oco)". */
const says = (actions: GroupAction[]): string => actions.map((a) => {
  switch (a.kind) {
    case 'trigger': return `record the trigger by the ${a.by}`;
    case 'excess': return `record an excess of ${a.quantity}`;
    case 'place-exits': return `place exits of ${a.quantity}`;
    case 'resize': return `resize the ${a.role} from ${a.from} to ${a.to}`;
    case 'cancel': return `cancel the ${a.role} (${a.reason})`;
    case 'flatten': return `flatten ${a.quantity} with a ${a.side} (${a.reason})`;
    case 'finish': return `finish ${a.status} with ${a.openQuantity} open`;
  }
}).join(', ') || 'do nothing';
const titled = <T extends { actions: GroupAction[] }>(cases: T[]) => cases.map((c) => ({ ...c, then: says(c.actions) }));

describe('planning an OCO pair', () => {
  it.each(titled<{ title: string; facts: GroupFacts; actions: GroupAction[] }>([
    { title: 'both exits rest unfilled', facts: oco(), actions: [] },
    {
      title: 'the target fills completely', facts: oco({ target: filled('T', 90) }),
      actions: [{ kind: 'trigger', by: 'target' }, { kind: 'cancel', role: 'stop', orderId: 'S', reason: 'oco' }],
    },
    {
      title: 'the stop fills completely', facts: oco({ stop: filled('S', 90) }),
      actions: [{ kind: 'trigger', by: 'stop' }, { kind: 'cancel', role: 'target', orderId: 'T', reason: 'oco' }],
    },
    {
      title: 'the target fills 30 of 90', facts: oco({ target: leg('T', { status: 'PARTIALLY_FILLED', filledQuantity: 30 }) }),
      actions: [{ kind: 'resize', role: 'stop', orderId: 'S', from: 90, to: 60 }],
    },
    {
      title: 'the stop, already resized, fills 30 more after the target filled 30', facts: oco({ target: leg('T', { status: 'PARTIALLY_FILLED', filledQuantity: 30 }), stop: leg('S', { quantity: 60, status: 'PARTIALLY_FILLED', filledQuantity: 30 }) }),
      actions: [{ kind: 'resize', role: 'target', orderId: 'T', from: 90, to: 60 }],
    },
    {
      title: 'partial fills of both close the position without either filling completely',
      facts: oco({ target: leg('T', { status: 'PARTIALLY_FILLED', filledQuantity: 60 }), stop: leg('S', { quantity: 30, status: 'PARTIALLY_FILLED', filledQuantity: 30 }) }),
      actions: [{ kind: 'cancel', role: 'target', orderId: 'T', reason: 'closed' }, { kind: 'cancel', role: 'stop', orderId: 'S', reason: 'closed' }],
    },
    {
      title: 'a resize is already in flight for the stop', facts: oco({ target: leg('T', { status: 'PARTIALLY_FILLED', filledQuantity: 30 }), stop: leg('S', { busy: true }) }),
      actions: [],
    },
    {
      title: 'the broker refused to resize the stop to 60', facts: oco({ target: leg('T', { status: 'PARTIALLY_FILLED', filledQuantity: 30 }), refusedResizes: { S: 60 } }),
      actions: [],
    },
    {
      title: 'the stop is not at the broker yet', facts: oco({ target: leg('T', { status: 'PARTIALLY_FILLED', filledQuantity: 30 }), stop: leg('S', { status: 'PENDING', atBroker: false }) }),
      actions: [],
    },
    {
      title: 'the target filled and the stop cancel is on its way', facts: oco({ triggeredBy: 'target', target: filled('T', 90), stop: leg('S', { cancelRequested: true }) }),
      actions: [],
    },
    {
      title: 'both exits filled completely before the cancel landed',
      facts: oco({ triggeredBy: 'target', target: filled('T', 90), stop: filled('S', 90, '2026-11-24T05:00:01.000Z', { cancelRequested: true }) }),
      actions: [{ kind: 'excess', quantity: 90, exitsFilled: 180, position: 90 }, { kind: 'flatten', side: 'BUY', quantity: 90, attempt: 1, reason: 'excess' }],
    },
    {
      title: 'both filled at the first look, the stop earlier',
      facts: oco({ target: filled('T', 90, '2026-11-24T05:00:02.000Z'), stop: filled('S', 90, '2026-11-24T05:00:01.000Z') }),
      actions: [{ kind: 'trigger', by: 'stop' }, { kind: 'excess', quantity: 90, exitsFilled: 180, position: 90 }, { kind: 'flatten', side: 'BUY', quantity: 90, attempt: 1, reason: 'excess' }],
    },
    {
      title: 'the stop filled 30 of its 90 before its cancel landed',
      facts: oco({ triggeredBy: 'target', excessRecorded: 0, target: filled('T', 90), stop: cancelled('S', 30, { cancelRequested: true }) }),
      actions: [{ kind: 'excess', quantity: 30, exitsFilled: 120, position: 90 }, { kind: 'flatten', side: 'BUY', quantity: 30, attempt: 1, reason: 'excess' }],
    },
    {
      title: 'the excess flatten is still working', facts: oco({ triggeredBy: 'target', excessRecorded: 90, target: filled('T', 90), stop: filled('S', 90), flattens: [leg('F1', { side: 'BUY' })] }),
      actions: [],
    },
    {
      title: 'the excess flatten filled', facts: oco({ triggeredBy: 'target', excessRecorded: 90, target: filled('T', 90), stop: filled('S', 90), flattens: [filled('F1', 90, undefined, { side: 'BUY' })] }),
      actions: [{ kind: 'finish', status: 'COMPLETED', openQuantity: 0 }],
    },
    {
      title: 'a flatten was cancelled after 30 of 90', facts: oco({ triggeredBy: 'target', excessRecorded: 90, target: filled('T', 90), stop: filled('S', 90), flattens: [cancelled('F1', 30, { side: 'BUY' })] }),
      actions: [{ kind: 'flatten', side: 'BUY', quantity: 60, attempt: 2, reason: 'excess' }],
    },
    {
      title: 'every allowed flatten was refused', facts: oco({ maxFlattens: 1, triggeredBy: 'target', excessRecorded: 90, target: filled('T', 90), stop: filled('S', 90), flattens: [leg('F1', { side: 'BUY', status: 'REJECTED' })] }),
      actions: [{ kind: 'finish', status: 'ENDED_OPEN', openQuantity: -90, reason: 'the position is still -90 after 1 flatten orders' }],
    },
    {
      title: 'the target filled and the stop was cancelled', facts: oco({ triggeredBy: 'target', target: filled('T', 90), stop: cancelled('S', 0, { cancelRequested: true }) }),
      actions: [{ kind: 'finish', status: 'COMPLETED', openQuantity: 0 }],
    },
    {
      title: 'the group is cancelled', facts: oco({ cancelRequested: true }),
      actions: [{ kind: 'cancel', role: 'target', orderId: 'T', reason: 'group-cancel' }, { kind: 'cancel', role: 'stop', orderId: 'S', reason: 'group-cancel' }],
    },
    {
      title: 'both exits were cancelled on request', facts: oco({ cancelRequested: true, target: cancelled('T'), stop: cancelled('S') }),
      actions: [{ kind: 'finish', status: 'CANCELLED', openQuantity: 90 }],
    },
    {
      title: 'both exits were rejected by the broker', facts: oco({ target: leg('T', { status: 'REJECTED' }), stop: leg('S', { status: 'REJECTED' }) }),
      actions: [{ kind: 'finish', status: 'ENDED_OPEN', openQuantity: 90 }],
    },
    {
      title: 'both buying exits of a short position filled', facts: oco({ positionSide: 'SELL', triggeredBy: 'stop', target: filled('T', 60, undefined, { side: 'BUY' }), stop: filled('S', 90, undefined, { side: 'BUY' }), excessRecorded: 60 }),
      actions: [{ kind: 'flatten', side: 'SELL', quantity: 60, attempt: 1, reason: 'excess' }],
    },
  ]))('when $title, then $then', ({ facts, actions }) => {
    expect(planGroup(facts)).toEqual(actions);
  });
});

describe('planning a bracket', () => {
  const entry = (filledQuantity: number, over: Partial<LegFacts> = {}) =>
    leg('E', { side: 'BUY', status: filledQuantity === 90 ? 'FILLED' : filledQuantity > 0 ? 'PARTIALLY_FILLED' : 'OPEN', filledQuantity, ...over });

  it.each(titled<{ title: string; facts: GroupFacts; actions: GroupAction[] }>([
    { title: 'the entry has not filled', facts: bracket(), actions: [] },
    { title: 'the entry fills its first 30 of 90', facts: bracket({ entry: entry(30) }), actions: [{ kind: 'place-exits', quantity: 30 }] },
    { title: 'the entry fills all 90 at once', facts: bracket({ entry: entry(90) }), actions: [{ kind: 'place-exits', quantity: 90 }] },
    {
      title: 'the entry reaches 60 with exits of 30', facts: bracket({ entry: entry(60), target: leg('T', { quantity: 30 }), stop: leg('S', { quantity: 30 }) }),
      actions: [{ kind: 'resize', role: 'target', orderId: 'T', from: 30, to: 60 }, { kind: 'resize', role: 'stop', orderId: 'S', from: 30, to: 60 }],
    },
    {
      title: 'the entry is complete with exits of 60', facts: bracket({ entry: entry(90), target: leg('T', { quantity: 60 }), stop: leg('S', { quantity: 60 }) }),
      actions: [{ kind: 'resize', role: 'target', orderId: 'T', from: 60, to: 90 }, { kind: 'resize', role: 'stop', orderId: 'S', from: 60, to: 90 }],
    },
    {
      title: 'the entry grows while the target has filled 20 of its 30', facts: bracket({ entry: entry(60), target: leg('T', { quantity: 30, status: 'PARTIALLY_FILLED', filledQuantity: 30 - 10 }), stop: leg('S', { quantity: 10 }) }),
      actions: [{ kind: 'resize', role: 'target', orderId: 'T', from: 30, to: 60 }, { kind: 'resize', role: 'stop', orderId: 'S', from: 10, to: 40 }],
    },
    {
      title: 'the target fills while the entry is still working', facts: bracket({ entry: entry(30), target: filled('T', 30), stop: leg('S', { quantity: 30 }) }),
      actions: [{ kind: 'trigger', by: 'target' }, { kind: 'cancel', role: 'entry', orderId: 'E', reason: 'oco' }, { kind: 'cancel', role: 'stop', orderId: 'S', reason: 'oco' }],
    },
    {
      title: 'the entry filled 30 more after the target had filled',
      facts: bracket({ triggeredBy: 'target', entry: entry(60, { status: 'CANCELLED' }), target: filled('T', 30), stop: cancelled('S') }),
      actions: [{ kind: 'flatten', side: 'SELL', quantity: 30, attempt: 1, reason: 'residual' }],
    },
    {
      title: 'the bracket is cancelled while the entry is partly filled and the exits work',
      facts: bracket({ cancelRequested: true, entry: entry(30), target: leg('T', { quantity: 30 }), stop: leg('S', { quantity: 30 }) }),
      actions: [{ kind: 'cancel', role: 'entry', orderId: 'E', reason: 'group-cancel' }, { kind: 'cancel', role: 'target', orderId: 'T', reason: 'group-cancel' }, { kind: 'cancel', role: 'stop', orderId: 'S', reason: 'group-cancel' }],
    },
    {
      title: 'the cancelled bracket has nothing live', facts: bracket({ cancelRequested: true, entry: entry(30, { status: 'CANCELLED' }), target: cancelled('T'), stop: cancelled('S') }),
      actions: [{ kind: 'finish', status: 'CANCELLED', openQuantity: 30 }],
    },
    {
      title: 'the bracket is cancelled before the entry filled anything', facts: bracket({ cancelRequested: true, entry: entry(0, { status: 'CANCELLED' }) }),
      actions: [{ kind: 'finish', status: 'CANCELLED', openQuantity: 0 }],
    },
    { title: 'the entry is rejected', facts: bracket({ entry: entry(0, { status: 'REJECTED', atBroker: false }) }), actions: [{ kind: 'finish', status: 'ENTRY_NOT_FILLED', openQuantity: 0 }] },
  ]))('when $title, then $then', ({ facts, actions }) => {
    expect(planGroup(facts)).toEqual(actions);
  });

  it('when the entry fills in three slices of 30, then the exits are sized 30, 60 and 90 and never above the entry filled', () => {
    const sizes: number[] = [];
    let target: LegFacts | undefined;
    let stop: LegFacts | undefined;
    for (const entryFilled of [30, 60, 90]) {
      const facts = bracket({ entry: entry(entryFilled), target, stop });
      for (const a of planGroup(facts)) {
        if (a.kind === 'place-exits') { target = leg('T', { quantity: a.quantity }); stop = leg('S', { quantity: a.quantity }); }
        if (a.kind === 'resize') { if (a.role === 'target') target = leg('T', { quantity: a.to }); else stop = leg('S', { quantity: a.to }); }
      }
      expect(target?.quantity).toBe(stop?.quantity);
      expect(target?.quantity).toBeLessThanOrEqual(groupPosition(facts).base);
      sizes.push(target?.quantity ?? 0);
    }
    expect(sizes).toEqual([30, 60, 90]);
  });
});

describe('group terms and legs', () => {
  const g = (over: Partial<GroupRequest> = {}): GroupRequest => ({
    kind: 'bracket', clientOrderId: 'b1', strategyId: 's1', tradingsymbol: 'X', exchange: 'NFO', product: 'NRML', variety: 'regular', side: 'BUY', quantity: 90,
    entry: { orderType: 'LIMIT', pricePaise: 10_000 }, exits: { targetPricePaise: 12_000, stopTriggerPaise: 9_000, stopPricePaise: 8_950 }, ...over,
  });

  it.each([
    { title: 'a long with its target below the stop', over: { exits: { targetPricePaise: 8_000, stopTriggerPaise: 9_000 } }, field: 'exits.targetPrice' },
    { title: 'a short with its target above the stop', over: { side: 'SELL' as const, entry: { orderType: 'MARKET' as const }, exits: { targetPricePaise: 12_000, stopTriggerPaise: 11_000 } }, field: 'exits.targetPrice' },
    { title: 'an SL stop selling with its limit above its trigger', over: { exits: { targetPricePaise: 12_000, stopTriggerPaise: 9_000, stopPricePaise: 9_050 } }, field: 'exits.stopPrice' },
    { title: 'a bracket without an entry', over: { entry: undefined }, field: 'entry' },
    { title: 'a LIMIT entry without a price', over: { entry: { orderType: 'LIMIT' as const } }, field: 'entry.price' },
    { title: 'an entry priced beyond the target', over: { entry: { orderType: 'LIMIT' as const, pricePaise: 12_500 } }, field: 'entry.price' },
    { title: 'an OCO with an entry', over: { kind: 'oco' as const }, field: 'entry' },
  ])('when $title, then the group is refused naming $field', ({ over, field }) => {
    expect(validateGroupTerms(g(over))).toMatchObject({ field });
  });

  it('when the terms are sound, then nothing is refused', () => {
    expect(validateGroupTerms(g())).toBeNull();
    expect(validateGroupTerms(g({ kind: 'oco', entry: undefined, side: 'SELL', exits: { targetPricePaise: 8_000, stopTriggerPaise: 11_000 } }))).toBeNull();
  });

  it('when legs are built for a long bracket, then the entry buys and the exits sell: target LIMIT, stop SL, flatten MARKET', () => {
    expect(entryRequest(g())).toMatchObject({ clientOrderId: 'b1-entry', side: 'BUY', quantity: 90, orderType: 'LIMIT', pricePaise: 10_000, metadata: { group: 'group-b1', legRole: 'entry' } });
    expect(exitRequest(g(), 'target', 30)).toMatchObject({ clientOrderId: 'b1-target', side: 'SELL', quantity: 30, orderType: 'LIMIT', pricePaise: 12_000 });
    expect(exitRequest(g(), 'stop', 30)).toMatchObject({ clientOrderId: 'b1-stop', side: 'SELL', orderType: 'SL', pricePaise: 8_950, triggerPricePaise: 9_000 });
    expect(flattenRequest(g(), 2, 'BUY', 30)).toMatchObject({ clientOrderId: 'b1-flatten-2', side: 'BUY', quantity: 30, orderType: 'MARKET' });
  });

  it('when a stop names no limit price, then it is still an SL (never SL-M, blocked for options), its limit 5% beyond the trigger', () => {
    const longStop = exitRequest(g({ exits: { targetPricePaise: 12_000, stopTriggerPaise: 9_000 } }), 'stop', 30);
    expect(longStop).toMatchObject({ side: 'SELL', orderType: 'SL', triggerPricePaise: 9_000, pricePaise: 8_550 });
    const shortStop = exitRequest(g({ kind: 'oco', entry: undefined, side: 'SELL', exits: { targetPricePaise: 8_000, stopTriggerPaise: 11_005 } }), 'stop', 30);
    expect(shortStop).toMatchObject({ side: 'BUY', orderType: 'SL', triggerPricePaise: 11_005, pricePaise: 11_560 }); // 115.5525 raised to the tick
  });
});
