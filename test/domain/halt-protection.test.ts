import { managedExitOf, planHaltSweep, type HaltBookFacts, type HaltOrderFacts } from '../../src/domain/halt-protection';

/** Which live orders a halt cancels and which it keeps working because they protect an open position. */
const SYM = 'BANKNIFTY26DEC52000CE';
const order = (orderId: string, o: Partial<HaltOrderFacts> = {}): HaltOrderFacts => ({
  orderId, strategyId: 's1', exchange: 'NFO', tradingsymbol: SYM, product: 'NRML', side: 'SELL', quantity: 30, filledQuantity: 0,
  parentId: null, legRole: null, ...o,
});
const book = (quantity: number, o: Partial<HaltBookFacts> = {}): HaltBookFacts => ({ strategyId: 's1', exchange: 'NFO', tradingsymbol: SYM, product: 'NRML', quantity, ...o });
const leg = (group: string, role: string, o: Partial<HaltOrderFacts> = {}) => order(`order-${group}-${role}`, { parentId: `group-${group}`, legRole: role, ...o });
const ocoOn = (group: string, side: 'BUY' | 'SELL', quantity = 30) => [leg(group, 'target', { side, quantity }), leg(group, 'stop', { side, quantity })];

type Row = { when: string; orders: HaltOrderFacts[]; books: HaltBookFacts[]; flattening?: boolean; expected: [string, 'keep' | 'cancel', string][] };

const table: Row[] = [
  {
    when: 'an OCO (target + stop selling 30) protects a long 30',
    orders: ocoOn('a', 'SELL'), books: [book(30)],
    expected: [['order-a-target', 'keep', 'GROUP_EXIT'], ['order-a-stop', 'keep', 'GROUP_EXIT']],
  },
  {
    when: 'an OCO (buying 30) protects a short 30',
    orders: ocoOn('a', 'BUY'), books: [book(-30)],
    expected: [['order-a-target', 'keep', 'GROUP_EXIT'], ['order-a-stop', 'keep', 'GROUP_EXIT']],
  },
  {
    when: 'a plain entry rests beside the OCO',
    orders: [order('order-entry', { side: 'BUY' }), ...ocoOn('a', 'SELL')], books: [book(30)],
    expected: [['order-entry', 'cancel', 'NOT_PROTECTIVE'], ['order-a-target', 'keep', 'GROUP_EXIT'], ['order-a-stop', 'keep', 'GROUP_EXIT']],
  },
  {
    when: 'a standalone stop-loss order reduces the long but belongs to no OCO, bracket or monitor',
    orders: [order('order-sl', { side: 'SELL' })], books: [book(30)],
    expected: [['order-sl', 'cancel', 'NOT_PROTECTIVE']],
  },
  {
    when: 'a bracket entry has not filled (no exits yet)',
    orders: [leg('b', 'entry', { side: 'BUY', quantity: 90 })], books: [],
    expected: [['order-b-entry', 'cancel', 'ENTRY']],
  },
  {
    when: 'a bracket entry has filled 30 of 90 and its exits rest for those 30',
    orders: [leg('b', 'entry', { side: 'BUY', quantity: 90, filledQuantity: 30 }), ...ocoOn('b', 'SELL')], books: [book(30)],
    expected: [['order-b-entry', 'cancel', 'ENTRY'], ['order-b-target', 'keep', 'GROUP_EXIT'], ['order-b-stop', 'keep', 'GROUP_EXIT']],
  },
  {
    when: 'the exits rest on a book that is already flat',
    orders: ocoOn('a', 'SELL'), books: [book(0)],
    expected: [['order-a-target', 'cancel', 'NOT_REDUCING'], ['order-a-stop', 'cancel', 'NOT_REDUCING']],
  },
  {
    when: 'the exits sell while the book is short (a fill would add to the short)',
    orders: ocoOn('a', 'SELL'), books: [book(-30)],
    expected: [['order-a-target', 'cancel', 'NOT_REDUCING'], ['order-a-stop', 'cancel', 'NOT_REDUCING']],
  },
  {
    when: 'the long belongs to another strategy',
    orders: ocoOn('a', 'SELL'), books: [book(30, { strategyId: 's2' })],
    expected: [['order-a-target', 'cancel', 'NOT_REDUCING'], ['order-a-stop', 'cancel', 'NOT_REDUCING']],
  },
  {
    when: 'the long is in another product (MIS) than the exits (NRML)',
    orders: ocoOn('a', 'SELL'), books: [book(30, { product: 'MIS' })],
    expected: [['order-a-target', 'cancel', 'NOT_REDUCING'], ['order-a-stop', 'cancel', 'NOT_REDUCING']],
  },
  {
    when: 'the OCO is bigger than the long (60 on 30)',
    orders: ocoOn('a', 'SELL', 60), books: [book(30)],
    expected: [['order-a-target', 'cancel', 'OVER_CLOSES'], ['order-a-stop', 'cancel', 'OVER_CLOSES']],
  },
  {
    when: 'two OCOs of 30 each cover one long 30 (the older one keeps it)',
    orders: [...ocoOn('a', 'SELL'), ...ocoOn('b', 'SELL')], books: [book(30)],
    expected: [
      ['order-a-target', 'keep', 'GROUP_EXIT'], ['order-a-stop', 'keep', 'GROUP_EXIT'],
      ['order-b-target', 'cancel', 'OVER_CLOSES'], ['order-b-stop', 'cancel', 'OVER_CLOSES'],
    ],
  },
  {
    when: 'two OCOs of 15 each share a long 30',
    orders: [...ocoOn('a', 'SELL', 15), ...ocoOn('b', 'SELL', 15)], books: [book(30)],
    expected: [
      ['order-a-target', 'keep', 'GROUP_EXIT'], ['order-a-stop', 'keep', 'GROUP_EXIT'],
      ['order-b-target', 'keep', 'GROUP_EXIT'], ['order-b-stop', 'keep', 'GROUP_EXIT'],
    ],
  },
  {
    when: 'the target has filled 10 of 30 (the book is long 20) and the stop was resized to 20',
    orders: [leg('a', 'target', { quantity: 30, filledQuantity: 10 }), leg('a', 'stop', { quantity: 20 })], books: [book(20)],
    expected: [['order-a-target', 'keep', 'GROUP_EXIT'], ['order-a-stop', 'keep', 'GROUP_EXIT']],
  },
  {
    when: 'the target has just filled 10 of 30 (the book is long 20) and the stop\'s resize to 20 is still on its way',
    orders: [leg('a', 'target', { quantity: 30, filledQuantity: 10 }), leg('a', 'stop', { quantity: 30 })], books: [book(20)],
    expected: [['order-a-target', 'keep', 'GROUP_EXIT'], ['order-a-stop', 'keep', 'GROUP_EXIT']],
  },
  {
    when: 'a position monitor is closing the long with a MARKET exit',
    orders: [order('order-m-exit-1', { parentId: 'monitor-m', legRole: 'exit-1', quantity: 30 })], books: [book(30)],
    expected: [['order-m-exit-1', 'keep', 'MONITOR_EXIT']],
  },
  {
    when: 'a group buys back an excess its exits over-sold (the book is short 30)',
    orders: [leg('a', 'flatten-1', { side: 'BUY' })], books: [book(-30)],
    expected: [['order-a-flatten-1', 'keep', 'GROUP_FLATTEN']],
  },
  {
    when: 'the halt flattens positions itself',
    orders: [order('order-entry', { side: 'BUY' }), ...ocoOn('a', 'SELL')], books: [book(30)], flattening: true,
    expected: [['order-entry', 'cancel', 'NOT_PROTECTIVE'], ['order-a-target', 'cancel', 'FLATTENING'], ['order-a-stop', 'cancel', 'FLATTENING']],
  },
  {
    when: 'a kept monitor exit was split into slices',
    orders: [
      order('order-m-exit-1', { parentId: 'monitor-m', legRole: 'exit-1', quantity: 30 }),
      order('order-m-exit-1-slice-1', { parentId: 'order-m-exit-1', legRole: 'slice-1', quantity: 15 }),
      order('order-m-exit-1-slice-2', { parentId: 'order-m-exit-1', legRole: 'slice-2', quantity: 15 }),
    ],
    books: [book(30)],
    expected: [['order-m-exit-1', 'keep', 'MONITOR_EXIT'], ['order-m-exit-1-slice-1', 'keep', 'SLICE_OF_KEPT'], ['order-m-exit-1-slice-2', 'keep', 'SLICE_OF_KEPT']],
  },
  {
    when: 'a split entry is live with its slices',
    orders: [order('order-big', { side: 'BUY', quantity: 1200 }), order('order-big-slice-1', { side: 'BUY', quantity: 600, parentId: 'order-big', legRole: 'slice-1' })],
    books: [],
    expected: [['order-big', 'cancel', 'NOT_PROTECTIVE'], ['order-big-slice-1', 'cancel', 'NOT_PROTECTIVE']],
  },
];

describe('planHaltSweep: what a halt keeps working', () => {
  it.each(table)('when $when, then each order is kept or cancelled as a protective exit should be', ({ orders, books, flattening, expected }) => {
    const plan = planHaltSweep(orders, books, { flattening: flattening ?? false });
    expect(plan.map((d) => [d.orderId, d.action, d.reason])).toEqual(expected);
  });

  it('when an exit is kept or refused, then the message says how much it may close of which book, or why it could add risk', () => {
    const [kept] = planHaltSweep(ocoOn('a', 'SELL'), [book(30)], { flattening: false });
    expect(kept.message).toBe(`an exit of group-a: sells at most 30 of the long 30 in s1 NFO:${SYM} NRML`);
    const [refused] = planHaltSweep(ocoOn('a', 'SELL'), [book(0)], { flattening: false });
    expect(refused.message).toBe(`an exit of group-a: it sells while the book s1 NFO:${SYM} NRML is flat, so a fill would open or add`);
  });
});

describe('managedExitOf', () => {
  it.each([
    { parentId: 'group-a', legRole: 'target', kind: 'GROUP_EXIT' },
    { parentId: 'group-a', legRole: 'stop', kind: 'GROUP_EXIT' },
    { parentId: 'group-a', legRole: 'flatten-2', kind: 'GROUP_FLATTEN' },
    { parentId: 'monitor-x', legRole: 'exit-1', kind: 'MONITOR_EXIT' },
    { parentId: 'group-a', legRole: 'entry', kind: null },
    { parentId: 'order-x', legRole: 'slice-1', kind: null },
    { parentId: null, legRole: null, kind: null },
  ])('when a leg is $legRole of $parentId, then it is $kind', ({ parentId, legRole, kind }) => {
    expect(managedExitOf({ orderId: 'o', parentId, legRole })?.kind ?? null).toBe(kind);
  });
});
