// Names and environment git sees from factory (issue 21): a run id becomes a valid branch of its own
// whatever it holds, and the worker's GIT_* variables never redirect a workspace's git into another repository.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gitEnv, runBranch } from '../../activities/workspace/git';
import { snapshotWorkspace } from '../../activities/workspace/snapshot';
import { createWorkspace } from '../../activities/workspace/workspace';
import { writeFile } from 'node:fs/promises';
import { baseState, makeRepo } from '../helpers/git-repo';
import { tempDir } from './helpers';

describe('runBranch', () => {
  test.each([
    ['run-7', 'factory/run-7'],
    ['a.b', undefined],
    ['../../heads/main', undefined],
    ['-rf', 'factory/-rf'],
    ['x.lock', undefined],
    ['a b@{1}~^:?*[\\', undefined],
    ['ümlaut', undefined],
    ['', undefined],
  ])('makes %j a valid branch of its own', (runId, exact) => {
    const branch = runBranch(runId);
    if (exact) expect(branch).toBe(exact);
    else expect(branch).toMatch(/^factory\/[A-Za-z0-9_-]*-[0-9a-f]{10}$/);
    expect(() => execFileSync('git', ['check-ref-format', '--branch', branch])).not.toThrow();
  });

  it('gives two run ids that clean up alike two branches', () => {
    expect(runBranch('a.b')).not.toBe(runBranch('a_b'));
  });
});

describe('the environment git runs in', () => {
  it('drops GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE but keeps the transport settings', () => {
    const env = gitEnv({ PATH: '/bin', GIT_DIR: '/x', GIT_WORK_TREE: '/y', GIT_INDEX_FILE: '/z', GIT_SSH_COMMAND: 'ssh -i k', GIT_CONFIG_PARAMETERS: "'core.hooksPath'='/evil'" });
    expect(env).toMatchObject({ PATH: '/bin', GIT_SSH_COMMAND: 'ssh -i k', GIT_OPTIONAL_LOCKS: '0', GIT_AUTHOR_NAME: 'factory' });
    for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_CONFIG_PARAMETERS']) expect(env[k]).toBeUndefined();
  });

  it('snapshots into the run\'s repository even when the worker\'s GIT_DIR names the base', async () => {
    const { dir, cleanup } = await tempDir('factory-ws-env-');
    const saved = process.env.GIT_DIR;
    try {
      const base = join(dir, 'base');
      makeRepo(base, { 'a.txt': 'a\n' });
      const before = baseState(base);
      const ws = await createWorkspace({ runId: 'env', runRoot: join(dir, 'runs'), base: { path: base } });
      process.env.GIT_DIR = join(base, '.git');
      await writeFile(join(ws.dir, 'b.txt'), 'b\n');
      const snap = await snapshotWorkspace(ws, { runId: 'env', node: 'n', attempt: 1 });
      delete process.env.GIT_DIR;
      expect(snap.changed).toBe(true);
      expect(baseState(base)).toEqual(before);
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
      await cleanup();
    }
  });
});
