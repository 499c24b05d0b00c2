import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AccountsConfigError, loadAccountsConfig, type AccountsContext } from '../../src/config/accounts-config';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oms-accounts-'));
let n = 0;
const write = (json: unknown) => {
  const file = path.join(dir, `accounts-${++n}.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
};
const ctx = (over: Partial<AccountsContext> = {}): AccountsContext => ({
  mode: 'paper', single: { apiKey: 'paper_key', apiSecret: 'paper_secret', accessToken: 'paper_token' }, singleId: 'default',
  riskConfigFile: path.join(dir, 'risk.json'), root: dir, env: {}, ...over,
});

describe('the broker accounts (config/accounts.json)', () => {
  it('when there is no accounts file, then the environment is the one account, named as risk.json names it, and every strategy trades there', () => {
    const a = loadAccountsConfig(path.join(dir, 'absent.json'), ctx());
    expect(a.accounts).toEqual([expect.objectContaining({ id: 'default', apiKey: 'paper_key', apiSecret: 'paper_secret', strategies: [] })]);
    expect(a.defaultAccount).toBe('default');
    expect(a.accountOf('any-strategy')).toBe('default');
  });

  it('when live mode has no accounts file and no key or secret in the environment, then start-up is refused naming them', () => {
    expect(() => loadAccountsConfig(path.join(dir, 'absent.json'), ctx({ mode: 'live', single: { apiKey: '', apiSecret: '', accessToken: '' } }))).toThrow(/KITE_API_KEY and KITE_API_SECRET/);
  });

  it('when accounts list their strategies, then each strategy trades through its account, unlisted ones through the first, and the reserved unattributed books through theirs', () => {
    const a = loadAccountsConfig(write({ accounts: [{ id: 'own', strategies: ['s1'] }, { id: 'family', strategies: ['s2', 's3'] }] }), ctx());
    expect(['s1', 's2', 's3', 'other', '~unattributed:family'].map(a.accountOf)).toEqual(['own', 'family', 'family', 'own', 'family']);
  });

  it('when in paper mode, then the first account is the paper broker primary and the others get their own distinct paper keys', () => {
    const a = loadAccountsConfig(write({ accounts: [{ id: 'own' }, { id: 'family' }] }), ctx());
    expect(a.accounts.map((x) => x.apiKey)).toEqual(['paper_key', 'paper_key_family']);
    expect(new Set(a.accounts.map((x) => x.apiSecret)).size).toBe(2);
  });

  it('when in live mode, then keys and secrets come from the named environment variables or files, never from the file itself', () => {
    const secretFile = path.join(dir, 'family.secret');
    writeFileSync(secretFile, 'family-secret\n');
    const a = loadAccountsConfig(write({
      accounts: [
        { id: 'own', apiKeyEnv: 'OWN_KEY', apiSecretEnv: 'OWN_SECRET' },
        { id: 'family', apiKey: 'fam-key', apiSecretFile: secretFile, accessTokenEnv: 'FAM_TOKEN', riskConfigFile: 'risk-family.json' },
      ],
    }), ctx({ mode: 'live', env: { OWN_KEY: 'own-key', OWN_SECRET: 'own-secret', FAM_TOKEN: 'tok' } }));
    expect(a.accounts.map(({ id, apiKey, apiSecret, accessToken }) => ({ id, apiKey, apiSecret, accessToken }))).toEqual([
      { id: 'own', apiKey: 'own-key', apiSecret: 'own-secret', accessToken: '' },
      { id: 'family', apiKey: 'fam-key', apiSecret: 'family-secret', accessToken: 'tok' },
    ]);
    expect(a.accounts[1].riskConfigFile).toBe(path.join(dir, 'risk-family.json'));
    expect(a.accounts[0].riskConfigFile).toBe(path.join(dir, 'risk.json'));
  });

  it.each([
    ['a missing secret variable in live mode', { accounts: [{ id: 'own', apiKey: 'k', apiSecretEnv: 'NOPE' }] }, /NOPE, which is not set/],
    ['a live account without a secret at all', { accounts: [{ id: 'own', apiKey: 'k' }] }, /apiSecret is required in live mode/],
    ['a strategy in two accounts', { accounts: [{ id: 'a', apiKey: 'k1', apiSecretEnv: 'S', strategies: ['s1'] }, { id: 'b', apiKey: 'k2', apiSecretEnv: 'S', strategies: ['s1'] }] }, /strategy s1 is listed by accounts a and b/],
    ['two accounts with one id', { accounts: [{ id: 'a', apiKey: 'k1', apiSecretEnv: 'S' }, { id: 'a', apiKey: 'k2', apiSecretEnv: 'S' }] }, /two accounts are named a/],
    ['two accounts with one api key', { accounts: [{ id: 'a', apiKey: 'k', apiSecretEnv: 'S' }, { id: 'b', apiKey: 'k', apiSecretEnv: 'S' }] }, /same api key/],
    ['a secret written in the file', { accounts: [{ id: 'a', apiKey: 'k', apiSecret: 'plain' }] }, /apiSecret/],
    ['an unreadable secret file', { accounts: [{ id: 'a', apiKey: 'k', apiSecretFile: 'nope.secret' }] }, /cannot read nope.secret/],
    ['no accounts', { accounts: [] }, /accounts/],
  ])('when the file has %s, then start-up is refused naming it', (_what, json, message) => {
    expect(() => loadAccountsConfig(write(json), ctx({ mode: 'live', env: { S: 'secret' } }))).toThrow(AccountsConfigError);
    expect(() => loadAccountsConfig(write(json), ctx({ mode: 'live', env: { S: 'secret' } }))).toThrow(message);
  });
});
