import { Router } from 'express';
import { z } from 'zod';
import { inputError, sendData } from './errors';
import { istDate } from './ist-time';
import { accountSummary, commodityMarginsView, equityMarginsView, orderMarginEstimate } from './margins';
import { rupeesToPaise } from './money';
import { positionView } from './portfolio';
import { touchPaise } from './quotes';
import { marketView, type PaperState } from './state';

const marginOrderSchema = z.array(
  z.object({
    exchange: z.string().min(1),
    tradingsymbol: z.string().min(1),
    transaction_type: z.enum(['BUY', 'SELL']),
    variety: z.string().optional(),
    product: z.string().default('NRML'),
    order_type: z.enum(['MARKET', 'LIMIT', 'SL', 'SL-M']),
    quantity: z.coerce.number().int().positive(),
    price: z.coerce.number().min(0).optional(),
    trigger_price: z.coerce.number().min(0).optional(),
  }),
);

/** Kite's portfolio, funds and user endpoints. */
export function kitePortfolioRoutes(state: PaperState): Router {
  const router = Router();
  const summary = () =>
    accountSummary(state.portfolio.list(), state.settings.startingCashPaise, marketView(state), state.settings.marginRates);

  /** GET /portfolio/positions — {net, day}; the paper broker has no overnight positions, so both match. */
  router.get('/portfolio/positions', (_req, res) => {
    const list = state.portfolio.list().map((p) => {
      const s = state.prices.state(p.instrument);
      return positionView(p, s.pricePaise, s.closePaise);
    });
    sendData(res, { net: list, day: list.map((p) => ({ ...p })) });
  });

  /** GET /portfolio/holdings — no demat holdings in paper. */
  router.get('/portfolio/holdings', (_req, res) => sendData(res, []));

  /** GET /user/margins — all segments. */
  router.get('/user/margins', (_req, res) => {
    sendData(res, { equity: equityMarginsView(summary()), commodity: commodityMarginsView() });
  });

  /** GET /user/margins/:segment — equity or commodity. */
  router.get('/user/margins/:segment', (req, res) => {
    const segment = String(req.params.segment);
    if (segment === 'equity') return sendData(res, equityMarginsView(summary()));
    if (segment === 'commodity') return sendData(res, commodityMarginsView());
    throw inputError('Invalid segment. Use `equity` or `commodity`.');
  });

  /** POST /margins/orders — JSON array of orders -> margin estimate per order. */
  router.post('/margins/orders', (req, res) => {
    const orders = marginOrderSchema.parse(req.body);
    const market = marketView(state);
    const tradeDate = istDate(state.settings.now());
    const data = orders.map((o) => {
      const instrument = state.registry.find(o.exchange, o.tradingsymbol);
      if (!instrument || !instrument.tradable) throw inputError(`Invalid instrument \`${o.exchange}:${o.tradingsymbol}\`.`);
      const given = rupeesToPaise(o.price ?? 0) ?? 0;
      const pricePaise = given > 0 ? given : touchPaise(instrument, market.lastPaise(instrument), o.transaction_type);
      return orderMarginEstimate(
        { instrument, product: o.product, side: o.transaction_type, quantity: o.quantity, pricePaise },
        market, state.settings.marginRates, state.settings.chargeRates, tradeDate,
      );
    });
    sendData(res, data);
  });

  /** GET /user/profile — the account's paper user. */
  router.get('/user/profile', (_req, res) => {
    sendData(res, {
      user_id: state.settings.userId, user_name: 'Paper Trader', user_shortname: 'Paper', email: 'paper@example.invalid',
      user_type: 'individual', broker: 'ZERODHA', exchanges: ['NSE', 'NFO'], products: ['CNC', 'NRML', 'MIS'],
      order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'], avatar_url: null, meta: { demat_consent: 'physical' },
    });
  });

  return router;
}
