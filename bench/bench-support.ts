import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { parseEnv, type Env } from '../src/config/env';
import { benchRiskConfig } from './bench-risk-config';

/** CPU seconds (user + system) of the processes whose command line mentions `dir`, their children included. */
export function cpuSecondsOf(dir: string): { temporal: number; postgres: number } {
  const tick = 100; // USER_HZ on Linux
  const procs = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return [{ pid: Number(pid), cmd, ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) }];
    } catch { return []; }
  });
  const total = (match: (cmd: string) => boolean) => {
    const roots = procs.filter((p) => p.cmd.includes(dir) && match(p.cmd));
    const ids = new Set(roots.map((r) => r.pid));
    const children = procs.filter((p) => ids.has(p.ppid));
    return [...roots, ...children].reduce((s, p) => s + p.own + (ids.has(p.pid) ? p.reaped : 0), 0) / tick;
  };
  return { temporal: total((c) => /temporal/.test(c)), postgres: total((c) => /postgres/.test(c)) };
}


/**
 * With BENCH_CPU_PROF=<dir>, the OMS phase of each rate is profiled (the whole process: API, worker, paper broker)
 * and written as <dir>/<name>.cpuprofile (open it in Chrome DevTools or speedscope).
 */
export async function profiled(name: string, body: () => Promise<void>): Promise<void> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return body();
  const session = new inspector.Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((resolve, reject) => session.post(method, (err, r) => (err ? reject(err) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    await body();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * A bench system's environment in a fresh data directory: its own ports, the bench risk config, the paper broker's
 * rate limit off and the OMS's broker limits raised as several accounts would have them (the phases measure the OMS's
 * own overhead). The polling settings of the bench's environment pass through, to compare; `extra` (a bench's own
 * settings, e.g. its update channels) goes last.
 */
export function benchEnv(prefix: string, extra: Record<string, string> = {}): { env: Env; dataDir: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const base = 20000 + Math.floor(Math.random() * 20000);
  const riskFile = path.join(dataDir, 'risk.json');
  fs.writeFileSync(riskFile, JSON.stringify(benchRiskConfig()));
  const env = parseEnv({ RISK_CONFIG_FILE: riskFile, DATA_DIR: dataDir, API_PORT: String(base), PAPER_PORT: String(base + 1), PG_PORT: String(base + 2), TEMPORAL_DEV_PORT: String(base + 3), TEMPORAL_UI_PORT: String(base + 4), PAPER_RATE_LIMIT: 'off', PAPER_STARTING_CASH: '1000000000',
    BROKER_ORDERS_PER_SECOND: '1000', BROKER_ORDERS_PER_MINUTE: '60000',
    ...Object.fromEntries(['ORDER_POLL_MIN_MS', 'ORDER_POLL_MAX_MS', 'ORDER_BOOK_POLL_MS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))), ...extra });
  return { env, dataDir };
}

/** Busy CPU seconds of the whole machine since boot (every core, every process), from /proc/stat. */
export function machineBusySeconds(): number {
  const [, ...f] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ
}
