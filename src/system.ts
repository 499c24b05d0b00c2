import { brokerSettings, type Env } from './config/env';
import { startApi } from './system/api-part';
import { loadSystemConfig } from './system/configuration';
import { connectCore } from './system/core';
import { startDatabase, startPaperBroker, startTemporal } from './system/infrastructure';
import { ShutdownStack } from './system/shutdown';
import { startWorker } from './system/worker-part';

export interface RunningSystem {
  apiUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  databaseUrl: string;
  paperBrokerUrl: string | undefined;
  stop(): Promise<void>;
}

/** Brings up every part the environment does not provide, in dependency order; stop() takes them down in reverse. */
export async function startSystem(env: Env, log: (line: string) => void = console.log, parts: { worker?: boolean; api?: boolean } = {}): Promise<RunningSystem> {
  const stops = new ShutdownStack(log);
  const stop = () => stops.stopAll();
  try {
    const config = loadSystemConfig(env, log, stops);
    const databaseUrl = await startDatabase(env, log, stops);
    const temporal = await startTemporal(env, stops);
    const broker = brokerSettings(env);
    const paperBrokerUrl = await startPaperBroker(env, broker, stops, config.accounts);
    const endpoints = { databaseUrl, temporalAddress: temporal.address, paperBrokerUrl };
    const core = await connectCore({ env, log, config, endpoints, broker }, stops);
    if (parts.worker !== false) await startWorker(core, stops);
    const apiUrl = parts.api !== false ? await startApi(core, stops) : '';
    return { apiUrl, temporalAddress: temporal.address, temporalUiUrl: temporal.uiUrl, databaseUrl, paperBrokerUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
