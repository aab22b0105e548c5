// bin/factory runs the JavaScript in dist/ and never compiles at start; a missing build, or one older
// than any source, is refused with the command to run (exit 2), never used silently. scripts/build.js
// compiles only what changed and drops the outputs of deleted sources. Checked on a copy of the tree.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, spawnCmd } from './run-cli';

const SOURCES = ['core', 'definitions', 'infra', 'client', 'workflows', 'activities', 'workers', 'render'];

function copyOfTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'factory-build-'));
  for (const d of [...SOURCES, 'bin', 'scripts']) cpSync(join(REPO, d), join(dir, d), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('the compiled CLI', () => {
  it('refuses a missing or stale build, and runs the rebuilt one', async () => {
    const dir = copyOfTree();
    try {
      const factory = (...args: string[]) => spawnCmd(process.execPath, [join(dir, 'bin', 'factory'), ...args], dir);
      const build = () => spawnCmd(process.execPath, [join(dir, 'scripts', 'build.js')], dir);

      const missing = await factory('--version');
      expect(missing).toMatchObject({ code: 2, stdout: '' });
      expect(missing.stderr).toBe('factory: there is no build in dist/: run `npm run build` (or `npm run setup`)\n');

      const first = await build();
      expect(first.stdout).toMatch(/^build: dist\/ compiled (\d+) of \1 files in \d+ ms\n$/);
      expect(readFileSync(join(dir, 'dist', 'client', 'cli.js'), 'utf8')).not.toMatch(/\binterface\b|: CliIO/);
      const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
      expect(await factory('--version')).toMatchObject({ code: 0, stdout: `${version.version}\n` });

      // an edited source makes the build stale: refused, not run
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(dir, 'client', 'outcome.ts'), later, later);
      const stale = await factory('--version');
      expect(stale.code).toBe(2);
      expect(stale.stderr).toBe('factory: client/outcome.ts changed after the build in dist/: run `npm run build` (or `npm run setup`)\n');

      writeFileSync(join(dir, 'core', 'added-later.ts'), 'export const later = 1;\n');
      rmSync(join(dir, 'render', 'png.ts'));
      const again = await build();
      expect(again.stdout).toMatch(/^build: dist\/ compiled 2 of \d+ files, removed 2 stale in \d+ ms\n$/);
      expect(existsSync(join(dir, 'dist', 'render', 'png.js'))).toBe(false);
      expect(existsSync(join(dir, 'dist', 'core', 'added-later.js'))).toBe(true);
      expect((await build()).stdout).toMatch(/^build: dist\/ up to date \(\d+ files\)/);
      expect((await factory('--version')).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
