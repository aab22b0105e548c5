// What the compiled build is made of and whether it is current; shared by scripts/build.js (which
// writes it) and bin/factory (which refuses a stale one). Plain JavaScript: it runs before any build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The repository root (this file lives in <root>/scripts/). */
const ROOT = path.join(__dirname, '..');
/** Source directories compiled into dist/ (the CLI, workers and everything they import). */
const SOURCE_DIRS = ['core', 'definitions', 'infra', 'client', 'workflows', 'activities', 'workers', 'render'];
const DIST = path.join(ROOT, 'dist');
/** Written last by a successful build; its mtime is the build's time. */
const STAMP = path.join(DIST, '.build-stamp');

/** Every TypeScript source file (absolute paths), in a stable order. */
function sourceFiles() {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(ROOT, dir));
  return out;
}

/** The compiled file of a source file. */
function outputOf(source) {
  return path.join(DIST, path.relative(ROOT, source)).replace(/\.ts$/, '.js');
}

/** Why dist/ cannot be used (missing, or a source newer than the build), or undefined when it is current. */
function staleReason() {
  let built;
  try {
    built = fs.statSync(STAMP).mtimeMs;
  } catch {
    return 'there is no build in dist/';
  }
  for (const file of sourceFiles()) {
    if (fs.statSync(file).mtimeMs > built) return `${path.relative(ROOT, file)} changed after the build in dist/`;
  }
  return undefined;
}

module.exports = { ROOT, SOURCE_DIRS, DIST, STAMP, sourceFiles, outputOf, staleReason };
