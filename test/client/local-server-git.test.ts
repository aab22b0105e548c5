// The local server's directory stays out of git (issue 23): `factory server start` (or an embedded run)
// in a git repository leaves `git status` clean, so a run whose base is that repository (workdir `.`) is
// not refused as dirty because of the server's own files; a .gitignore the user put there is kept.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopLocalServer } from '../../client/local-server';
import { runCli } from './run-cli';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await stopLocalServer(dir).catch(() => undefined);
});

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'factory-server-git-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '.');
  writeFileSync(join(dir, 'README'), 'hi\n');
  git('add', 'README');
  git('commit', '-q', '-m', 'init');
  return dir;
}

describe('the local server in a git repository', () => {
  it('leaves git status clean: its state, log and record are ignored', async () => {
    const dir = repo();
    const start = await runCli(['server', 'start'], dir);
    expect(start.code).toBe(0);
    expect(execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' })).toBe('');
    expect((await runCli(['server', 'stop'], dir)).code).toBe(0);
    expect(execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' })).toBe('');
  }, 120_000);

  it('keeps a .gitignore of the user\'s in .factory/', async () => {
    const dir = repo();
    mkdirSync(join(dir, '.factory'));
    writeFileSync(join(dir, '.factory', '.gitignore'), 'mine\n');
    expect((await runCli(['server', 'start'], dir)).code).toBe(0);
    expect(readFileSync(join(dir, '.factory', '.gitignore'), 'utf8')).toBe('mine\n');
    await runCli(['server', 'stop'], dir);
  }, 120_000);
});
