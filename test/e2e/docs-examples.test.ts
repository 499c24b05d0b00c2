import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '../../src/config/access-config';
import { EnvSchema } from '../../src/config/env';
import { TEST_KEYS } from '../support/access-config';
import { startStack, type Stack } from './stack';

/*
 * Every fenced shell block (bash, sh, shell) of README.md and docs/*.md that contains `curl` runs as printed, in
 * document order within its file, against one started stack; so does a block that only sets the stack variables
 * (the later blocks need them). The one rewrite: lines that set the stack variables (`OMS=...`, `PAPER=...`,
 * `KEY=...`, `SKEY=...`) get the test stack's values instead of `npm start`'s; the first test checks that the printed
 * values are the ones `npm start` really uses.
 *
 * Each curl's HTTP status is recorded through a curlrc (`write-out` to stderr), so the command stays as printed. A
 * block must exit 0 and each of its curls must answer 2xx, or exactly the status its fence names (```bash status=409).
 * Variables a block sets (SYM, ...) carry to the doc's later blocks.
 *
 * Not run: `text` blocks (the real Kite login and token exchange in docs/live-trading.md need a Kite account and a
 * browser login) and shell blocks without curl (`npm start`, `docker compose`, the Temporal CLI: the stack's task
 * queue and ids differ from `npm start`'s).
 */

const ROOT = path.resolve(__dirname, '../..');
/** The variables a doc sets once at its top: the API, the paper broker, an operator key, a strategy key (s1). */
type StackVar = 'OMS' | 'PAPER' | 'KEY' | 'SKEY';

interface Example { file: string; line: number; code: string; status: number | null }

function docFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

function examplesOf(file: string): Example[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const out: Example[] = [];
  const fence = /^```(\w*)([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const [, lang, info, code] = m;
    // A block that sets the stack variables runs too, even without a curl: the doc's later blocks need them.
    if (!['bash', 'sh', 'shell'].includes(lang) || !(/\bcurl\b/.test(code) || /^(OMS|PAPER|KEY|SKEY)=/m.test(code))) continue;
    const status = /\bstatus=(\d{3})\b/.exec(info);
    out.push({ file, line: text.slice(0, m.index).split('\n').length, code, status: status ? Number(status[1]) : null });
  }
  return out;
}

/** The values a doc prints for the stack variables, e.g. { OMS: 'http://127.0.0.1:3000' }. */
function printedStackVars(file: string): Partial<Record<StackVar, string>> {
  const found: Partial<Record<StackVar, string>> = {};
  for (const ex of examplesOf(file)) {
    for (const m of ex.code.matchAll(/^(OMS|PAPER|KEY|SKEY)=(\S+)/gm)) found[m[1] as StackVar] = m[2];
  }
  return found;
}

function withStackValues(code: string, values: Record<StackVar, string>): string {
  return code.replace(/^(OMS|PAPER|KEY|SKEY)=\S+/gm, (_l, name: StackVar) => `${name}=${values[name]}`);
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 124) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const files = docFiles();
const byFile = files.map((file) => ({ file, examples: examplesOf(file) })).filter((f) => f.examples.length > 0);

describe('the documentation examples', () => {
  it('when a doc prints the stack variables, then they are what npm start uses', () => {
    const env = EnvSchema.parse({});
    const access = JSON.parse(readFileSync(path.join(ROOT, env.ACCESS_CONFIG_FILE), 'utf8')) as { keys: { role: string; sha256: string; strategies?: string[] }[] };
    const expected: Record<StackVar, (v: string) => boolean> = {
      OMS: (v) => v === `http://${env.API_HOST}:${env.API_PORT}`,
      PAPER: (v) => v === `http://${env.PAPER_HOST}:${env.PAPER_PORT}`,
      KEY: (v) => access.keys.some((k) => k.role === 'operator' && k.sha256 === sha256(v)),
      SKEY: (v) => access.keys.some((k) => k.role === 'strategy' && k.sha256 === sha256(v) && (k.strategies ?? []).includes('s1')),
    };
    const wrong = byFile.flatMap(({ file }) => Object.entries(printedStackVars(file))
      .filter(([name, value]) => !expected[name as StackVar](value!)).map(([name, value]) => `${file}: ${name}=${value}`));
    expect(wrong).toEqual([]);
    expect(byFile.map((f) => f.file)).toContain('README.md');
  });

  describe('run as printed against a started stack', () => {
    let stack: Stack;
    let values: Record<StackVar, string>;
    let curlHome: string;

    beforeAll(async () => {
      // The shipped risk configuration, so a price or size that `npm start` would refuse fails here too.
      stack = await startStack({ RISK_CONFIG_FILE: path.join(ROOT, 'config/risk.json') });
      values = { OMS: stack.sys.apiUrl, PAPER: stack.sys.paperBrokerUrl!, KEY: TEST_KEYS.operator, SKEY: TEST_KEYS.strategyA };
      curlHome = mkdtempSync(path.join(os.tmpdir(), 'oms-docs-curl-'));
      writeFileSync(path.join(curlHome, '.curlrc'), 'write-out = "%{stderr}@@HTTP %{http_code}\\n"\n');
    }, 120_000);

    afterAll(async () => {
      await stack?.close();
    });

    for (const { file, examples } of byFile) {
      it(`when the examples of ${file} run in order, then each exits 0 with the status the doc says`, async () => {
        const stateFile = path.join(curlHome, `${file.replace(/\W/g, '_')}.state`);
        const names = [...new Set(examples.flatMap((ex) => [...ex.code.matchAll(/(?:^|[\s;(])([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1])))];
        const failures: string[] = [];
        for (const ex of examples) {
          const script = [
            'set -eo pipefail',
            `if [ -f '${stateFile}' ]; then source '${stateFile}'; fi`,
            withStackValues(ex.code, values),
            names.length ? `declare -p ${names.join(' ')} > '${stateFile}' 2>/dev/null || true` : '',
          ].join('\n');
          // In a temp folder: an example may write a file (audit.csv).
          const r = await bash(script, curlHome, { ...process.env, CURL_HOME: curlHome }, 60_000);
          const statuses = [...r.stderr.matchAll(/@@HTTP (\d{3})/g)].map((m) => Number(m[1]));
          const ok = (s: number) => (ex.status === null ? s >= 200 && s < 300 : s === ex.status);
          const curls = /\bcurl\b/.test(ex.code);
          if (r.code !== 0 || (curls && statuses.length === 0) || !statuses.every(ok)) {
            failures.push(`${file}:${ex.line}: exit ${r.code}, HTTP ${statuses.join(',') || 'none'} (expected ${ex.status ?? '2xx'})\n` +
              `${ex.code}\n--- stdout\n${r.stdout.slice(0, 1500)}\n--- stderr\n${r.stderr.slice(0, 1500)}`);
          }
        }
        expect(failures).toEqual([]);
      }, 240_000);
    }
  });
});
