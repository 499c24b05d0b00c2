import { INFRA_KEY, type TestInfraHandle } from './global-setup';

/** Stops what global-setup.ts started (nothing when the servers were given from outside). */
export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  const handle = globals[INFRA_KEY] as TestInfraHandle | undefined;
  delete globals[INFRA_KEY];
  await handle?.stop();
}
