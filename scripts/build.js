#!/usr/bin/env node
// Compiles the TypeScript sources into dist/ (CommonJS, ES2022, source maps) with swc, which
// @temporalio/worker already ships: transpile only, file by file (`npm run typecheck` type-checks).
// Incremental: a file is compiled when its source is newer than its output; outputs of deleted
// sources are removed; dist/.build-stamp is written last. Usage: node scripts/build.js [--force]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { transformFileSync } = require('@swc/core');
const { DIST, ROOT, STAMP, sourceFiles, outputOf } = require('./build-state');

const SWC_OPTIONS = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
  module: { type: 'commonjs' },
  sourceMaps: true,
  swcrc: false,
};

/** A source stamped in the future (clock skew, a copy) must not look newer than its build forever. */
function notBefore(file, mtimeMs) {
  if (fs.statSync(file).mtimeMs >= mtimeMs) return;
  // utimes takes whole milliseconds: round up, or a source with a sub-millisecond stamp stays "newer" forever
  const t = new Date(Math.ceil(mtimeMs) + 1);
  fs.utimesSync(file, t, t);
}

function build(force) {
  const started = Date.now();
  const sources = sourceFiles();
  const wanted = new Set();
  let compiled = 0;
  for (const source of sources) {
    const out = outputOf(source);
    wanted.add(out);
    wanted.add(`${out}.map`);
    if (!force && fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(source).mtimeMs) continue;
    const result = transformFileSync(source, { ...SWC_OPTIONS, filename: source, sourceFileName: path.relative(path.dirname(out), source) });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${result.code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    if (result.map) fs.writeFileSync(`${out}.map`, result.map);
    notBefore(out, fs.statSync(source).mtimeMs);
    compiled++;
  }
  let removed = 0;
  const prune = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) prune(full);
      else if (full !== STAMP && !wanted.has(full)) {
        fs.rmSync(full);
        removed++;
      }
    }
  };
  prune(DIST);
  fs.mkdirSync(DIST, { recursive: true });
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  notBefore(STAMP, Math.max(0, ...sources.map((f) => fs.statSync(f).mtimeMs)));
  return { compiled, removed, total: sources.length, ms: Date.now() - started };
}

if (require.main === module) {
  try {
    const r = build(process.argv.includes('--force'));
    process.stdout.write(`build: dist/ ${r.compiled ? `compiled ${r.compiled} of ${r.total} files` : `up to date (${r.total} files)`}${r.removed ? `, removed ${r.removed} stale` : ''} in ${r.ms} ms\n`);
  } catch (err) {
    process.stderr.write(`build: ERROR: ${err && err.message ? err.message : String(err)} (in ${path.relative(ROOT, process.cwd()) || '.'})\n`);
    process.exitCode = 1;
  }
}

module.exports = { build };
