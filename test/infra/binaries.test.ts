import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli, findTemporalTestServer, MissingBinaryError } from '../../src/infra/binaries';

describe('locating the Temporal binaries', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'oms-bin-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  function installFake(relative: string): string {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    return file;
  }

  test('when nothing is installed, then the error says to run npm run setup', () => {
    expect(() => findTemporalCli({}, root)).toThrow(MissingBinaryError);
    expect(() => findTemporalTestServer({}, root)).toThrow(/npm run setup/);
  });

  test('the venv copy is preferred, and a pip --target install is found as well', () => {
    const venv = installFake('.tools/venv/bin/temporal');
    const target = installFake('.tools/py/bin/temporal-test-server');

    expect(findTemporalCli({}, root)).toBe(venv);
    expect(findTemporalTestServer({}, root)).toBe(target);
  });

  test('a binary elsewhere under .tools is found by searching', () => {
    const nested = installFake('.tools/other/lib/pkg/bin/temporal');

    expect(findTemporalCli({}, root)).toBe(nested);
  });

  test('an environment override wins, and a wrong override is an error rather than a silent fallback', () => {
    installFake('.tools/venv/bin/temporal');
    const custom = installFake('custom/temporal');

    expect(findTemporalCli({ TEMPORAL_CLI_PATH: custom }, root)).toBe(custom);
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: path.join(root, 'nope') }, root)).toThrow(/TEMPORAL_CLI_PATH/);
  });
});
