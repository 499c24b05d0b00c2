import { KiteConnect, type Connect } from 'kiteconnect';
import { nearestMonthlyOption, type PaperInstrument } from '../../src/paper/instruments';
import { createPaperBroker, type PaperBroker, type PaperBrokerOptions } from '../../src/paper/paper-broker';

export const API_KEY = 'test_key';
export const ACCESS_TOKEN = 'test_token';
export const API_SECRET = 'test_secret';

export interface Harness {
  broker: PaperBroker;
  root: string;
  kite: Connect;
  option: PaperInstrument;
  /** JSON call to the control API; resolves the `data` of the envelope, rejects on non-2xx. */
  control<T = any>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Places an order with the real client (market_protection is missing from the client's types). */
  place(params: Record<string, unknown>, variety?: string): Promise<{ order_id: string }>;
  close(): Promise<void>;
}

/** Starts a broker on a free port with quiet logs and fast, deterministic defaults (manual matching, no ticks). */
export async function startHarness(overrides: Partial<PaperBrokerOptions> = {}): Promise<Harness> {
  const broker = createPaperBroker({
    apiKey: API_KEY,
    accessToken: ACCESS_TOKEN,
    apiSecret: API_SECRET,
    logger: () => undefined,
    ...overrides,
    matching: { mode: 'manual', tickIntervalMs: 0, fillDelayMs: 10, sliceIntervalMs: 10, ...overrides.matching },
  });
  const port = await broker.listen(0);
  const root = `http://127.0.0.1:${port}`;
  const kite = new KiteConnect({ api_key: API_KEY, access_token: ACCESS_TOKEN, root, timeout: 2000 } as any);
  const option = nearestMonthlyOption(broker.instruments(), 'CE');
  return {
    broker,
    root,
    kite,
    option,
    async control(method, path, body) {
      const res = await fetch(`${root}${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as { data: any; message?: string };
      if (!res.ok) throw new Error(`control ${method} ${path} -> ${res.status}: ${json.message}`);
      return json.data;
    },
    place(params, variety = 'regular') {
      return (kite.placeOrder as any)(variety, {
        exchange: 'NFO',
        tradingsymbol: option.tradingsymbol,
        transaction_type: 'BUY',
        quantity: 30,
        product: 'NRML',
        order_type: 'LIMIT',
        price: 100,
        ...params,
      });
    },
    close: () => broker.close(),
  };
}

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** Captures a rejection of the real client (it rejects with plain `{status, message, error_type, data}`). */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ error_type: string; message: string; status?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { error_type: string; message: string };
  }
  throw new Error('expected the call to be rejected');
}
