/**
 * The request bodies the contract shows. test/api/openapi.test.ts parses each with the route's own zod schema, so an
 * example the API would refuse fails the suite instead of misleading a client.
 */

const SYMBOL = 'BANKNIFTY26DEC52000CE';

export const EXAMPLES = {
  placeOrder: {
    clientOrderId: 'api-1', strategyId: 's1', tradingsymbol: SYMBOL, exchange: 'NFO',
    side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00', product: 'NRML',
  },
  modifyOrder: { price: '9.90' },
  intervention: { action: 'resume', note: 'fresh access token supplied' },
  cancelAll: { strategyId: 's1', reason: 'end of day' },
  killSwitch: { action: 'engage', reason: 'the strategy misbehaves' },
  placeGroup: {
    type: 'bracket', clientOrderId: 'br-1', strategyId: 's1', tradingsymbol: SYMBOL, exchange: 'NFO',
    entry: { side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00' },
    exits: { targetPrice: '12.00', stopTriggerPrice: '9.00', stopPrice: '8.55' },
  },
  cancelGroup: { reason: 'the setup is gone' },
  cancelMonitor: { reason: 'managing the position by hand' },
  brokerSession: { accessToken: 'XyZ0123456789abcdefXyZ0123456789' },
  kitePostback: {
    order_id: '151220000000000', order_timestamp: '2026-11-24 09:15:00', status: 'COMPLETE', tag: 'oms-api-1',
    filled_quantity: 30, average_price: 10,
    checksum: '2011845d9348bd6795151bf4258102a03431e3bc12a79c76f222c2d6e8a4b0e3',
  },
} as const;
