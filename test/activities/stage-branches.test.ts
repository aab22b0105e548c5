// Parallel branches that reach one node at once (issue 24 item 3): each attempt gets its own stage directory,
// so branch A's `fail` in status.json is never read back as branch B's `success`.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HandlerRegistry } from '../../activities/handler-registry';
import { runStage, stageDirFor, type AttemptContext } from '../../activities/stage';
import { node, stageInput, tempDir } from './helpers';

const attempt: AttemptContext = { attempt: 1, heartbeat: () => undefined, signal: new AbortController().signal };

describe('stage directories of parallel branches', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('keeps each branch\'s status.json when two branches run the same node at once', async () => {
    // A writes `fail` and waits until B has written `success` into its directory: with one shared
    // directory A would read B's success back as its own outcome
    let bWrote!: () => void;
    const bDone = new Promise<void>((r) => (bWrote = r));
    const handlers = new HandlerRegistry().register('custom', {
      execute: async (stage) => {
        const fail = stage.context['who'] === 'A';
        await writeFile(join(stage.stageDir, 'status.json'), JSON.stringify({ outcome: fail ? 'fail' : 'success', failure_reason: fail ? 'A broke' : undefined }));
        await writeFile(join(stage.stageDir, `${String(stage.context['who'])}.txt`), 'mine');
        if (fail) await bDone;
        else bWrote();
        return { status: 'success' };
      },
    });
    const shared = node('check', { type: 'custom' });
    const deps = { env: process.env, handlers };
    const [a, b] = await Promise.all([
      runStage(stageInput(dir, shared, { context: { who: 'A' }, branch: 'left', visit: 1, attempt: 1, maxAttempts: 1 }), attempt, deps),
      runStage(stageInput(dir, shared, { context: { who: 'B' }, branch: 'right', visit: 1, attempt: 1, maxAttempts: 1 }), attempt, deps),
    ]);
    expect(a).toMatchObject({ status: 'fail', failure_reason: 'A broke' });
    expect(b).toMatchObject({ status: 'success' });
    expect((await readdir(join(dir, 'check@left'))).sort()).toEqual(['A.txt', 'status.json']);
    // visits count per branch (the workflow's RunState.branchVisit): both are at their first visit
    expect((await readdir(join(dir, 'check@right'))).sort()).toEqual(['B.txt', 'status.json']);
    expect(JSON.parse(await readFile(join(dir, 'check@left', 'status.json'), 'utf8'))).toMatchObject({ outcome: 'fail' });
  });

  test.each<[string, string | undefined, number | undefined, string]>([
    ['check', undefined, undefined, 'check'],
    ['check', undefined, 3, 'check'],
    ['check', 'left', 1, 'check@left'],
    ['check', 'left', 2, 'check@left@v2'],
    ['a@b', undefined, undefined, 'a%40b'],
    ['a', 'b/../c', 1, 'a@b%2F%2E%2E%2Fc'],
  ])('names node %j on branch %j visit %j as %j', (id, branch, visit, want) => {
    expect(stageDirFor(id, branch, visit)).toBe(want);
  });
});
