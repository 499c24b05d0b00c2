import type { KiteGateway } from '../broker/kite-gateway';
import type { MarketDataCache } from '../broker/market-data';
import type { AccountSettings, AccountsConfig } from '../config/accounts-config';
import type { LoadedRiskConfig } from '../config/risk-config-file';
import { RiskConfigFile } from '../config/risk-config-file';
import type { BrokerSessionStore } from '../store/broker-session-store';
import type { ShutdownStack } from './shutdown';

/** What one broker account runs on: its keys, its stored session, its gateway (own rate limits), quotes and limits. */
export interface AccountRuntime {
  id: string;
  settings: AccountSettings;
  sessions: BrokerSessionStore;
  gateway: KiteGateway;
  marketData: MarketDataCache;
  /** The account's risk configuration, its `account` always this account's id (the gate's lock and reservations). */
  riskConfig: { current(): LoadedRiskConfig };
  /** The file behind it (GET/PUT of the risk configuration read and check it). */
  riskFile: RiskConfigFile;
}

/** Every broker account of the deployment, and which one a strategy trades through. */
export class AccountRegistry {
  constructor(private readonly config: AccountsConfig, private readonly runtimes: ReadonlyMap<string, AccountRuntime>) {}

  get defaultId(): string {
    return this.config.defaultAccount;
  }

  get default(): AccountRuntime {
    return this.get(this.config.defaultAccount);
  }

  has(id: string): boolean {
    return this.runtimes.has(id);
  }

  get(id: string): AccountRuntime {
    const r = this.runtimes.get(id);
    if (!r) throw new Error(`no broker account ${id} is configured`);
    return r;
  }

  list(): AccountRuntime[] {
    return [...this.runtimes.values()];
  }

  ids(): string[] {
    return [...this.runtimes.keys()];
  }

  accountOf(strategyId: string): string {
    return this.config.accountOf(strategyId);
  }

  forStrategy(strategyId: string): AccountRuntime {
    return this.get(this.accountOf(strategyId));
  }
}

/**
 * One RiskConfigFile per distinct file (accounts may share one), each watched for changes until shutdown; each
 * account reads it with its own id as `account`.
 */
export function accountRiskConfigs(accounts: readonly AccountSettings[], primary: RiskConfigFile, log: (line: string) => void, stops: ShutdownStack) {
  const files = new Map<string, RiskConfigFile>([[primary.path, primary]]);
  for (const a of accounts) {
    if (files.has(a.riskConfigFile)) continue;
    const f = new RiskConfigFile(a.riskConfigFile, log);
    f.watch();
    stops.push(async () => f.close());
    files.set(a.riskConfigFile, f);
  }
  return (a: AccountSettings) => {
    const file = files.get(a.riskConfigFile)!;
    const view = {
      current(): LoadedRiskConfig {
        const l = file.current();
        return l.config.account === a.id ? l : { ...l, config: { ...l.config, account: a.id } };
      },
    };
    return { file, view };
  };
}
