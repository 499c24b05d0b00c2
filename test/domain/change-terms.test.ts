import { inPaise } from '../../src/domain/order-modification';

describe('new terms in the HTTP API units or in paise (the Temporal CLI takes both)', () => {
  it.each([
    [{ price: '98.05' }, { changes: { pricePaise: 9_805 } }],
    [{ price: '98', triggerPrice: '97.5', quantity: 60 }, { changes: { pricePaise: 9_800, triggerPricePaise: 9_750, quantity: 60 } }],
    [{ pricePaise: 9_805 }, { changes: { pricePaise: 9_805 } }],
    [{ orderType: 'MARKET' }, { changes: { orderType: 'MARKET' } }],
  ])('when the terms are %j, then they are %j', (terms, expected) => {
    expect(inPaise(terms)).toEqual(expected);
  });

  it.each([
    [{ price: '98.055' }, 'PRICE_NOT_VALID', 'price'],
    [{ price: '-1' }, 'PRICE_NOT_VALID', 'price'],
    [{ price: 'ninety' }, 'PRICE_NOT_VALID', 'price'],
    [{ triggerPrice: '0' }, 'PRICE_NOT_VALID', 'triggerPrice'],
    [{ price: '98.05', pricePaise: 9_805 }, 'PRICE_GIVEN_TWICE', 'price'],
  ])('when the terms are %j, then they are refused (%s on %s)', (terms, code, field) => {
    expect(inPaise(terms)).toEqual({ invalid: expect.objectContaining({ code, field }) });
  });
});
