import { brokerSettings, ConfigError, parseEnv } from '../../src/config/env';

describe('parseEnv: per-order polling', () => {
  it('when the order-book watcher is on (the default), then each order polls rarely: 15 min backing off to 1 h', () => {
    expect(parseEnv({})).toMatchObject({ ORDER_BOOK_POLL_MS: 1500, ORDER_POLL_MIN_MS: 900_000, ORDER_POLL_MAX_MS: 3_600_000 });
  });

  it('when the watcher is off, then each order is its own pull channel: 2 s backing off to 2 min', () => {
    expect(parseEnv({ ORDER_BOOK_POLL_MS: '0' })).toMatchObject({ ORDER_POLL_MIN_MS: 2_000, ORDER_POLL_MAX_MS: 120_000 });
  });

  it('when the polling is set, then the setting wins, and a minimum alone raises the default maximum when it must', () => {
    expect(parseEnv({ ORDER_POLL_MIN_MS: '300', ORDER_POLL_MAX_MS: '1000' })).toMatchObject({ ORDER_POLL_MIN_MS: 300, ORDER_POLL_MAX_MS: 1000 });
    expect(parseEnv({ ORDER_BOOK_POLL_MS: '0', ORDER_POLL_MIN_MS: '600000' })).toMatchObject({ ORDER_POLL_MIN_MS: 600_000, ORDER_POLL_MAX_MS: 600_000 });
  });

  it('when the maximum is below the minimum, then the configuration is refused naming the variable', () => {
    expect(() => parseEnv({ ORDER_POLL_MIN_MS: '5000', ORDER_POLL_MAX_MS: '1000' })).toThrow(ConfigError);
    expect(() => parseEnv({ ORDER_POLL_MIN_MS: '5000', ORDER_POLL_MAX_MS: '1000' })).toThrow(/ORDER_POLL_MAX_MS/);
  });
});

describe('parseEnv: live credentials', () => {
  it('when live mode has a key and a secret but no access token, then it starts (the daily login supplies the token) with an empty one', () => {
    const env = parseEnv({ BROKER_MODE: 'live', KITE_API_KEY: 'k', KITE_API_SECRET: 's' });
    expect(brokerSettings(env)).toMatchObject({ apiKey: 'k', apiSecret: 's', accessToken: '', root: 'https://api.kite.trade' });
  });

  // Without the key or the secret, live mode is refused by the accounts configuration (test/config/accounts-config.test.ts):
  // an accounts file may name every account's credentials instead.
});
