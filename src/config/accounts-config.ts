import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJsonConfig } from './config-file';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, '1-32 chars of letters, digits, _ -');
const strategyId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -');
/** Credentials are named, never written: an environment variable, or a file (a mounted secret). */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name (A-Z, 0-9, _)');
const secretRef = { env: envName.optional(), file: z.string().min(1).optional() };

const AccountSchema = z.strictObject({
  id,
  /** The Kite app's api_key (not a secret, but per environment): `apiKey`, or `apiKeyEnv`. */
  apiKey: z.string().min(1).optional(),
  apiKeyEnv: envName.optional(),
  apiSecretEnv: secretRef.env,
  apiSecretFile: secretRef.file,
  /** Optional: the daily login stores the token; one given here is used until the broker refuses it. */
  accessTokenEnv: secretRef.env,
  accessTokenFile: secretRef.file,
  /** This account's limits (risk.json shape); absent: RISK_CONFIG_FILE. Its `account` key is replaced by `id`. */
  riskConfigFile: z.string().min(1).optional(),
  /** The strategies that trade through this account. A strategy belongs to one account; unlisted ones to the first. */
  strategies: z.array(strategyId).default([]),
  /** Paper mode: the simulated account's opening cash in rupees (default: PAPER_STARTING_CASH). */
  paperStartingCash: z.number().positive().max(1e12).optional(),
});

export const AccountsConfigSchema = z.strictObject({
  note: z.string().optional(),
  accounts: z.array(AccountSchema).min(1),
});

/** One broker account as the system runs it. */
export interface AccountSettings {
  id: string;
  apiKey: string;
  apiSecret: string;
  accessToken: string;
  /** Absolute path of its risk configuration. */
  riskConfigFile: string;
  strategies: readonly string[];
  paperStartingCash?: number;
}

export interface AccountsConfig {
  /** The first account: strategies no account lists trade here, and the zero-config deployment's only account. */
  defaultAccount: string;
  accounts: AccountSettings[];
  /** The account of a strategy. */
  accountOf(strategyId: string): string;
}

export class AccountsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountsConfigError';
  }
}

export interface AccountsContext {
  mode: 'paper' | 'live';
  /** The single account when there is no accounts file: KITE_* of the environment (or the paper demo keys). */
  single: { apiKey: string; apiSecret: string; accessToken: string };
  /** The account id of the single account (risk.json's `account`). */
  singleId: string;
  riskConfigFile: string;
  root: string;
  env: NodeJS.ProcessEnv;
}

/** config/accounts.json when it exists, else the one account of the environment (zero configuration). */
export function loadAccountsConfig(file: string, ctx: AccountsContext): AccountsConfig {
  if (!existsSync(file)) {
    // No KITE_ACCESS_TOKEN needed: the daily login (/api/v1/accounts/<id>/login) stores the day's token for every process.
    if (ctx.mode === 'live' && (!ctx.single.apiKey || !ctx.single.apiSecret)) {
      throw new AccountsConfigError(`KITE_API_KEY and KITE_API_SECRET are required when BROKER_MODE=live (or name the accounts in ${file})`);
    }
    return accountsOf([{ id: ctx.singleId, ...ctx.single, riskConfigFile: ctx.riskConfigFile, strategies: [] }]);
  }
  const parsed = readJsonConfig(file, 'accounts configuration', AccountsConfigSchema, (m) => new AccountsConfigError(m));
  return resolveAccounts(parsed, ctx, file);
}

export function resolveAccounts(parsed: z.output<typeof AccountsConfigSchema>, ctx: AccountsContext, where: string): AccountsConfig {
  const fail = (m: string): never => {
    throw new AccountsConfigError(`${where}: ${m}`);
  };
  const read = (label: string, ref: { env?: string; file?: string }, required: boolean): string | null => {
    if (ref.env && ref.file) fail(`${label}: give the environment variable or the file, not both`);
    if (ref.env) return ctx.env[ref.env] || (required ? fail(`${label} names the environment variable ${ref.env}, which is not set`) : null);
    if (ref.file) {
      try {
        return readFileSync(path.resolve(ctx.root, ref.file), 'utf8').trim();
      } catch (err) {
        return fail(`${label}: cannot read ${ref.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    return required ? fail(`${label} is required in live mode (…Env or …File)`) : null;
  };
  const live = ctx.mode === 'live';
  const seen = new Map<string, string>();
  const accounts = parsed.accounts.map((a, i): AccountSettings => {
    const label = `accounts[${a.id}]`;
    if (parsed.accounts.findIndex((b) => b.id === a.id) !== i) fail(`two accounts are named ${a.id}`);
    for (const s of a.strategies) {
      if (seen.has(s)) fail(`strategy ${s} is listed by accounts ${seen.get(s)} and ${a.id}; a strategy trades through one account`);
      seen.set(s, a.id);
    }
    if (a.apiKey && a.apiKeyEnv) fail(`${label}: give apiKey or apiKeyEnv, not both`);
    const apiKey = a.apiKey ?? read(`${label}.apiKeyEnv`, { env: a.apiKeyEnv }, live);
    const apiSecret = read(`${label}.apiSecret`, { env: a.apiSecretEnv, file: a.apiSecretFile }, live);
    const accessToken = read(`${label}.accessToken`, { env: a.accessTokenEnv, file: a.accessTokenFile }, false);
    // Paper mode: the first account is the paper broker's primary (the demo keys), the others get their own keys.
    const paper = i === 0 ? ctx.single : { apiKey: `paper_key_${a.id}`, apiSecret: `paper_secret_${a.id}`, accessToken: `paper_token_${a.id}` };
    return {
      id: a.id, strategies: a.strategies, paperStartingCash: a.paperStartingCash,
      ...(live ? { apiKey: apiKey!, apiSecret: apiSecret!, accessToken: accessToken ?? '' } : paper),
      riskConfigFile: path.resolve(ctx.root, a.riskConfigFile ?? ctx.riskConfigFile),
    };
  });
  const keys = new Set(accounts.map((a) => a.apiKey));
  if (keys.size !== accounts.length) fail('two accounts have the same api key');
  return accountsOf(accounts);
}

function accountsOf(accounts: AccountSettings[]): AccountsConfig {
  const byStrategy = new Map(accounts.flatMap((a) => a.strategies.map((s) => [s, a.id] as const)));
  const defaultAccount = accounts[0].id;
  // The reserved books name their account: `~unattributed:<account>` (a kill switch's flatten trades it there).
  const reserved = (s: string) => (s.startsWith('~unattributed:') ? s.slice('~unattributed:'.length) : undefined);
  return { defaultAccount, accounts, accountOf: (s) => byStrategy.get(s) ?? reserved(s) ?? defaultAccount };
}
