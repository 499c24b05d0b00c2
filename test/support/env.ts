import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What global-setup.ts started for this jest run. */
export interface TestInfraEnv {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
}

/** One file per jest run, keyed by the jest parent's pid, so parallel runs on one machine never mix. */
export function testEnvFile(jestPid: number): string {
  return path.join(os.tmpdir(), `kite-oms-test-env-${jestPid}.json`);
}

function readEnvFile(): Partial<Record<string, string>> {
  // --runInBand: the test runs in the jest process itself; with workers the jest process is our parent.
  for (const pid of [process.pid, process.ppid]) {
    try {
      return JSON.parse(fs.readFileSync(testEnvFile(pid), 'utf8')) as Record<string, string>;
    } catch {
      // try the next candidate
    }
  }
  return {};
}

/** Addresses of the shared test Postgres and Temporal server; fails with a hint when globalSetup did not run. */
export function testEnv(): TestInfraEnv {
  const fromFile = process.env.TEST_DATABASE_URL && process.env.TEST_TEMPORAL_ADDRESS ? {} : readEnvFile();
  const databaseUrl = process.env.TEST_DATABASE_URL ?? fromFile.TEST_DATABASE_URL;
  const temporalAddress = process.env.TEST_TEMPORAL_ADDRESS ?? fromFile.TEST_TEMPORAL_ADDRESS;
  const temporalNamespace = process.env.TEST_TEMPORAL_NAMESPACE ?? fromFile.TEST_TEMPORAL_NAMESPACE ?? 'default';
  if (!databaseUrl || !temporalAddress) {
    throw new Error(
      'TEST_DATABASE_URL / TEST_TEMPORAL_ADDRESS are not set: run the tests through jest (globalSetup starts ' +
        'Postgres and Temporal), or export both to use servers of your own.',
    );
  }
  return { databaseUrl, temporalAddress, temporalNamespace };
}
