import { isForward, isKiteFinal, mapKiteStatus } from '../../src/domain/kite-status';
import type { OrderStatus, Validity } from '../../src/domain/order-types';
import { ORDER_STATUSES } from '../../src/domain/order-types';

const ctx = (over: Partial<{ filledQuantity: number; cancelRequested: boolean; validity: Validity; message: string | null }> = {}) => ({
  filledQuantity: 0, cancelRequested: false, validity: 'DAY' as Validity, message: null, ...over,
});

describe('mapKiteStatus: Kite order statuses onto the OMS lifecycle', () => {
  const preOpen = ['PUT ORDER REQ RECEIVED', 'VALIDATION PENDING', 'OPEN PENDING', 'AMO REQ RECEIVED'];
  const working = ['OPEN', 'TRIGGER PENDING', 'MODIFY VALIDATION PENDING', 'MODIFY PENDING', 'MODIFIED', 'NOT MODIFIED', 'CANCEL PENDING'];

  it.each(preOpen)('when Kite reports the transient pre-open status %j with nothing filled, then the order is SUBMITTED', (kite) => {
    expect(mapKiteStatus(kite, ctx())).toBe('SUBMITTED');
  });

  it.each(preOpen)('when Kite reports %j but some quantity has filled, then the order is PARTIALLY_FILLED', (kite) => {
    expect(mapKiteStatus(kite, ctx({ filledQuantity: 30 }))).toBe('PARTIALLY_FILLED');
  });

  it.each(working)('when Kite reports the working status %j with nothing filled, then the order is OPEN', (kite) => {
    expect(mapKiteStatus(kite, ctx())).toBe('OPEN');
  });

  it.each(working)('when Kite reports %j and some quantity has filled, then the order is PARTIALLY_FILLED', (kite) => {
    expect(mapKiteStatus(kite, ctx({ filledQuantity: 30 }))).toBe('PARTIALLY_FILLED');
  });

  it.each([
    { kite: 'COMPLETE', c: ctx({ filledQuantity: 90 }), status: 'FILLED' },
    { kite: 'REJECTED', c: ctx(), status: 'REJECTED' },
    { kite: 'REJECTED', c: ctx({ filledQuantity: 30 }), status: 'REJECTED' },
    { kite: 'open', c: ctx(), status: 'OPEN' },
    { kite: 'trigger pending', c: ctx(), status: 'OPEN' },
    { kite: 'complete', c: ctx(), status: 'FILLED' },
  ])('when Kite reports $kite, then the order is $status', ({ kite, c, status }) => {
    expect(mapKiteStatus(kite, c)).toBe(status);
  });

  it.each([
    { title: 'when a DAY order is cancelled after the OMS asked, then it is CANCELLED', kite: 'CANCELLED', c: ctx({ cancelRequested: true }), status: 'CANCELLED' },
    { title: 'when an IOC order is cancelled after the OMS asked, then it is CANCELLED', kite: 'CANCELLED', c: ctx({ cancelRequested: true, validity: 'IOC' }), status: 'CANCELLED' },
    { title: 'when an IOC order is cancelled without a request, then it EXPIRED (unmatched IOC remainder)', kite: 'CANCELLED', c: ctx({ validity: 'IOC' }), status: 'EXPIRED' },
    { title: 'when a partially filled IOC order is cancelled without a request, then it EXPIRED', kite: 'CANCELLED', c: ctx({ validity: 'IOC', filledQuantity: 30 }), status: 'EXPIRED' },
    { title: 'when a TTL order is cancelled without a request, then it EXPIRED', kite: 'CANCELLED', c: ctx({ validity: 'TTL' }), status: 'EXPIRED' },
    { title: 'when a DAY order is cancelled by the exchange without an expiry message, then it is CANCELLED', kite: 'CANCELLED', c: ctx({ message: 'Cancelled by exchange' }), status: 'CANCELLED' },
    { title: 'when a DAY order is cancelled with a message about expiry, then it EXPIRED', kite: 'CANCELLED', c: ctx({ message: 'Order EXPIRED at market close' }), status: 'EXPIRED' },
    { title: 'when Kite uses the US spelling CANCELED, then it is treated the same', kite: 'CANCELED', c: ctx({ validity: 'IOC' }), status: 'EXPIRED' },
  ])('$title', ({ kite, c, status }) => {
    expect(mapKiteStatus(kite, c)).toBe(status);
  });

  it.each(['', 'UPDATE', 'SOMETHING NEW', 'LAPSED'])('when Kite reports an unknown status %j, then no mapping is guessed (null)', (kite) => {
    expect(mapKiteStatus(kite, ctx())).toBeNull();
  });
});

describe('isKiteFinal', () => {
  it.each([
    { kite: 'COMPLETE', final: true },
    { kite: 'CANCELLED', final: true },
    { kite: 'REJECTED', final: true },
    { kite: 'OPEN', final: false },
    { kite: 'TRIGGER PENDING', final: false },
    { kite: 'CANCEL PENDING', final: false },
    { kite: 'PUT ORDER REQ RECEIVED', final: false },
  ])('when Kite reports $kite, then final is $final', ({ kite, final }) => {
    expect(isKiteFinal(kite)).toBe(final);
  });
});

describe('isForward: a status never moves backwards', () => {
  const lifecycle: OrderStatus[] = ['RECEIVED', 'PENDING', 'SUBMITTED', 'OPEN', 'PARTIALLY_FILLED', 'FILLED'];
  const terminal: OrderStatus[] = ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'];

  it.each(lifecycle.slice(0, -1).map((from, i) => ({ from, to: lifecycle[i + 1] })))(
    'when the order goes from $from to $to, then that is forward',
    ({ from, to }) => expect(isForward(from, to)).toBe(true),
  );

  it.each(lifecycle.slice(1).map((from, i) => ({ from, to: lifecycle[i] })))(
    'when a stale update would take $from back to $to, then that is not forward',
    ({ from, to }) => expect(isForward(from, to)).toBe(false),
  );

  it.each(terminal.flatMap((from) => ORDER_STATUSES.map((to) => ({ from, to }))))(
    'when the order is terminal $from, then nothing ($to) is forward from it',
    ({ from, to }) => expect(isForward(from, to)).toBe(false),
  );

  it.each(ORDER_STATUSES.map((s) => ({ s })))('when the status stays $s, then that is not a move', ({ s }) => {
    expect(isForward(s, s)).toBe(false);
  });
});
