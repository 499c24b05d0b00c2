#!/usr/bin/env node
// Fails (exit 1) on any import cycle among src/**/*.ts (src/generated excluded). Every import counts, `import type`
// and `export ... from` included: a type-only cycle still ties two layers together.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const srcDir = path.join(root, 'src');
const excluded = [path.join(srcDir, 'generated')];
const MAX_CYCLES_PER_GROUP = 50;

const isExcluded = (file) => excluded.some((dir) => file === dir || file.startsWith(dir + path.sep));

function sourceFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (isExcluded(full)) continue;
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** A relative specifier resolved the way TypeScript does for CommonJS: file.ts, then dir/index.ts. */
function resolve(fromFile, spec) {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
  return candidates.find((c) => c.endsWith('.ts') && fs.existsSync(c) && fs.statSync(c).isFile()) ?? null;
}

function importGraph(files) {
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const deps = new Set();
    for (const imported of info.importedFiles) {
      const target = resolve(file, imported.fileName);
      if (target && known.has(target)) deps.add(target);
    }
    graph.set(file, [...deps].sort());
  }
  return graph;
}

/** Tarjan's strongly connected components: every cycle lies inside one component of two or more files (or a self-import). */
function stronglyConnected(graph) {
  let index = 0;
  const stack = [];
  const meta = new Map();
  const groups = [];
  const visit = (v) => {
    meta.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v)) {
      if (!meta.has(w)) {
        visit(w);
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
      } else if (meta.get(w).onStack) {
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
      }
    }
    if (meta.get(v).low === meta.get(v).index) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        meta.get(w).onStack = false;
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || graph.get(v).includes(v)) groups.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!meta.has(v)) visit(v);
  return groups;
}

/** The elementary cycles of one component, each started at its smallest file so none is listed twice. */
function cyclesIn(group, graph) {
  const members = new Set(group);
  const order = new Map(group.map((f, i) => [f, i]));
  const cycles = [];
  for (const start of group) {
    const pathStack = [start];
    const onPath = new Set([start]);
    const walk = (v) => {
      for (const w of graph.get(v)) {
        if (cycles.length >= MAX_CYCLES_PER_GROUP) return;
        if (!members.has(w) || order.get(w) < order.get(start)) continue;
        if (w === start) cycles.push([...pathStack, start]);
        else if (!onPath.has(w)) {
          pathStack.push(w);
          onPath.add(w);
          walk(w);
          onPath.delete(w);
          pathStack.pop();
        }
      }
    };
    walk(start);
  }
  return cycles;
}

function main() {
  const graph = importGraph(sourceFiles(srcDir));
  const groups = stronglyConnected(graph);
  const rel = (f) => path.relative(root, f);
  if (groups.length === 0) {
    console.log(`check-cycles: no import cycles among ${graph.size} files in src/`);
    return 0;
  }
  for (const group of groups) {
    console.log(`import cycle group of ${group.length} files: ${group.map(rel).join(', ')}`);
    const cycles = cyclesIn(group, graph);
    for (const cycle of cycles) console.log(`  ${cycle.map(rel).join(' -> ')}`);
    if (cycles.length >= MAX_CYCLES_PER_GROUP) console.log(`  (first ${MAX_CYCLES_PER_GROUP} cycles shown)`);
  }
  console.log(`check-cycles: ${groups.length} group(s) of files import each other in a cycle; break each cycle above`);
  return 1;
}

process.exitCode = main();
