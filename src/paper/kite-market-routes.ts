import { Router, type Request } from 'express';
import { inputError, sendData } from './errors';
import { instrumentsCsv } from './instruments';
import type { PaperInstrument } from './instruments';
import type { PriceState } from './price-path';
import { fullQuote, ltpQuote, ohlcQuote, quoteKey } from './quotes';
import type { PaperState } from './state';

function requestedInstruments(req: Request): string[] {
  const raw = req.query.i;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map(String).filter((s) => s.length > 0);
}

/** Kite's market data endpoints: instrument dump (CSV) and quotes. */
export function kiteMarketRoutes(state: PaperState): Router {
  const router = Router();

  const sendCsv = (res: import('express').Response, list: readonly PaperInstrument[]): void => {
    // Exactly `text/csv`: the official client compares the header verbatim before parsing.
    res.status(200).setHeader('Content-Type', 'text/csv');
    res.end(instrumentsCsv(list));
  };

  /** GET /instruments — every instrument (CSV). */
  router.get('/instruments', (_req, res) => sendCsv(res, state.registry.list));

  /** GET /instruments/:exchange — one exchange's instruments (CSV). */
  router.get('/instruments/:exchange', (req, res) => {
    const exchange = String(req.params.exchange).toUpperCase();
    sendCsv(res, state.registry.list.filter((i) => i.exchange === exchange));
  });

  const quoteRoute = (shape: (i: PaperInstrument, s: PriceState) => object) =>
    (req: Request, res: import('express').Response) => {
      const keys = requestedInstruments(req);
      if (keys.length === 0) throw inputError('No instruments specified. Use `i=EXCHANGE:TRADINGSYMBOL`.');
      const data: Record<string, object> = {};
      for (const key of keys) {
        const instrument = state.registry.resolve(key);
        // Kite silently leaves out instruments it does not know.
        if (instrument) data[/^\d+$/.test(key) ? key : quoteKey(instrument)] = shape(instrument, state.prices.state(instrument));
      }
      sendData(res, data);
    };

  /** GET /quote?i=NFO:SYM — full quotes with depth. */
  router.get('/quote', quoteRoute((i, s) => fullQuote(i, s, state.settings.now())));
  /** GET /quote/ltp?i=NFO:SYM — last prices. */
  router.get('/quote/ltp', quoteRoute(ltpQuote));
  /** GET /quote/ohlc?i=NFO:SYM — last price and OHLC. */
  router.get('/quote/ohlc', quoteRoute(ohlcQuote));

  return router;
}
