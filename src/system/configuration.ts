import path from 'node:path';
import { AccessConfigError, loadAccessConfig, type AccessControl } from '../config/access-config';
import { loadChargesConfig } from '../config/charges-config';
import { brokerSettings, type Env } from '../config/env';
import { loadAccountsConfig, type AccountsConfig } from '../config/accounts-config';
import { loadExecutionConfig, type ExecutionConfig } from '../config/execution-config';
import { loadEventsConfig, type EventsConfig } from '../config/events-config';
import { loadMonitorConfig, type MonitorConfig } from '../config/monitor-config';
import { loadReconciliationConfig, type ReconciliationConfig } from '../config/reconciliation-config';
import { RiskConfigFile } from '../config/risk-config-file';
import { projectRoot } from '../infra/binaries';
import type { ShutdownStack } from './shutdown';

/** Every configuration file the OMS reads, parsed once at start-up. */
export interface SystemConfig {
  riskConfig: RiskConfigFile;
  access: AccessControl;
  execution: ExecutionConfig;
  chargeRates: ReturnType<typeof loadChargesConfig>;
  reconciliation: ReconciliationConfig;
  monitor: MonitorConfig;
  events: EventsConfig;
  /** The broker accounts (config/accounts.json, else the one account of the environment). */
  accounts: AccountsConfig;
}

/**
 * Reads the configuration files before anything else runs, the risk configuration first, so a bad file stops start-up
 * at once; then watches the risk file for changes until shutdown.
 */
export function loadSystemConfig(env: Env, log: (line: string) => void, stops: ShutdownStack): SystemConfig {
  const file = (name: string) => path.resolve(projectRoot(), name);
  const riskConfig = new RiskConfigFile(file(env.RISK_CONFIG_FILE), log);
  const config: SystemConfig = {
    riskConfig,
    access: loadAccessConfig(file(env.ACCESS_CONFIG_FILE)),
    execution: loadExecutionConfig(file(env.EXECUTION_CONFIG_FILE)),
    chargeRates: loadChargesConfig(file(env.CHARGES_CONFIG_FILE)),
    reconciliation: loadReconciliationConfig(file(env.RECONCILIATION_CONFIG_FILE)),
    monitor: loadMonitorConfig(file(env.MONITOR_CONFIG_FILE)),
    events: loadEventsConfig(file(env.EVENTS_CONFIG_FILE)),
    accounts: loadAccountsConfig(file(env.ACCOUNTS_CONFIG_FILE), {
      mode: env.BROKER_MODE, single: brokerSettings(env), singleId: riskConfig.current().config.account,
      riskConfigFile: riskConfig.path, root: projectRoot(), env: process.env,
    }),
  };
  if (env.BROKER_MODE === 'live' && config.access.hasDemoKeys()) {
    throw new AccessConfigError(`${env.ACCESS_CONFIG_FILE} still holds the paper demo keys; configure your own keys before trading live`);
  }
  riskConfig.watch();
  stops.push(async () => riskConfig.close());
  return config;
}
