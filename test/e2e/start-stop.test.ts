import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/infra/binaries';
import { freePort } from '../support/ports';

/**
 * `npm start` as a person runs it: the whole system on embedded defaults (Postgres, the Temporal dev server, the paper
 * broker, worker, API) comes up ready, and a Ctrl-C at the terminal — SIGINT to the whole process group — stops it
 * cleanly: exit 0, no warning or error on the way down (the worker drains while Postgres and Temporal still run), and
 * nothing left listening. Run `npm run build` first (the process runs dist/).
 */
const refused = (port: number) => new Promise<boolean>((resolve) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(false); });
  socket.once('error', () => resolve(true));
});

it('when npm start is up and Ctrl-C reaches its process group, then it stops with exit 0, no warning or error, and nothing left running', async () => {
  const ports = { API_PORT: await freePort(), PAPER_PORT: await freePort(), PG_PORT: await freePort(), TEMPORAL_DEV_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort() };
  const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'oms-start-')), LOG_FORMAT: 'json' };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'KITE_API_ROOT', 'ACCOUNTS_CONFIG_FILE']) delete env[name];
  // Its own process group, as a shell gives a foreground job: the test signals the group like a terminal's Ctrl-C.
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', 'main.js')], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 150_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${out.slice(-3000)}`);
      const ready = await fetch(`http://127.0.0.1:${ports.API_PORT}/ready`).then((r) => r.status, () => 0);
      if (ready === 200) break;
      if (Date.now() > deadline) throw new Error(`not ready in time:\n${out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    process.kill(-child.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 60 s'), 60_000))]);
    expect(code).toBe(0);
    const records = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string });
    const stopping = records.findIndex((r) => r.msg === 'SIGINT: stopping');
    expect(stopping).toBeGreaterThan(0);
    expect(records.slice(stopping).filter((r) => r.level !== 'info' && r.level !== 'debug').map((r) => `${r.level}: ${r.msg}`)).toEqual([]);
    expect(out).not.toMatch(/IllegalStateError|Unhandled|ECONNREFUSED/);
    for (const port of Object.values(ports)) expect(await refused(port)).toBe(true);
  } finally {
    if (child.exitCode === null) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }
  }
}, 240_000);
