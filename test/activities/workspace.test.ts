// Runs of their own (issue 21), activity side: createRun makes each run a workspace from a pinned base,
// the stage activity works there and ends with a snapshot, a restore puts it back; the base is never written.

import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HandlerRegistry } from '../../activities/handler-registry';
import { resolveProfile } from '../../activities/profile';
import { RUN_FILES } from '../../activities/run-dir';
import { createRun, loadRun, WORKSPACE_FILE } from '../../activities/run-create';
import { runStage, SNAPSHOT_FILE, type AttemptContext } from '../../activities/stage';
import type { StageInput } from '../../activities/types';
import { publishCandidate } from '../../activities/workspace/publish';
import { snapshotWorkspace } from '../../activities/workspace/snapshot';
import { mergeChildWorkspace } from '../../activities/workspace/child';
import { resumeWorkspace } from '../../activities/workspace/resume';
import { releaseWorkspace } from '../../activities/workspace/workspace';
import type { PipelineGraph } from '../../core/model';
import type { RunEnvelope } from '../../core/run-model';
import type { WorkspaceRecord } from '../../core/workspace';
import { baseState, gitIn, makeRepo, writeFiles } from '../helpers/git-repo';
import { bootCauses, checkpoint, envelope, event, failureOf, node, stageInput, tempDir } from './helpers';

const graph: PipelineGraph = {
  id: 'demo', version: '1.0.0', goal: 'g', label: 'Demo', model_stylesheet: '', capabilities: [], exports: [], attrs: {},
  nodes: [node('start', { type: 'start' }), node('work'), node('exit', { type: 'exit' })], edges: [],
};
/** A first attempt with its own cancellation signal (runs in parallel must not share one). */
const first_ = (): AttemptContext => ({ attempt: 1, heartbeat: () => undefined, signal: new AbortController().signal });

/** A registry whose `write` handler writes what the node's `file`/`text` attrs say, and records what it read first. */
function writer(seen: Record<string, string | undefined> = {}): HandlerRegistry {
  return new HandlerRegistry().register('write', {
    async execute(stage) {
      const file = String(stage.node.attrs['file']);
      seen[stage.node.id] = await readFile(join(stage.workdir, file), 'utf8').catch(() => undefined);
      seen[`${stage.node.id}:workdir`] = stage.workdir;
      if (stage.node.attrs['text'] !== undefined) await writeFile(join(stage.workdir, file), String(stage.node.attrs['text']));
      return { status: 'success' };
    },
  });
}

describe('run workspaces', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let base: string;
  let baseCommit: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('factory-ws-'));
    base = join(dir, 'base');
    baseCommit = makeRepo(base, { 'README.md': 'hello\n', 'src/app.txt': 'v1\n', 'gone.txt': 'delete me\n' });
  });
  afterEach(() => cleanup());

  const create = (runId: string, extra: Partial<Parameters<typeof createRun>[0]> = {}) =>
    createRun({ envelope: envelope(runId), graph, checkpoint: checkpoint(), events: [event(1, 'run.created')], runRoot: join(dir, 'runs'), workspace: { path: base }, ...extra });
  const stage = (runDir: string, ws: WorkspaceRecord, id: string, attrs: Record<string, string>, extra: Partial<StageInput> = {}) =>
    stageInput(runDir, node(id, { type: 'write', attrs }), { runId: 'r', workdir: base, workspace: { ...ws }, ...extra });

  it('gives 20 runs started at once 20 different commits of the same file name, and leaves the base untouched', async () => {
    const before = baseState(base);
    const ids = Array.from({ length: 20 }, (_, i) => `run-${i}`);
    const results = await Promise.all(
      ids.map(async (id) => {
        const created = await create(id);
        const ws = created.workspace as WorkspaceRecord;
        const res = await runStage(stage(created.runDir, ws, 'implement', { file: 'same.txt', text: `written by ${id}\n` }), first_(), { env: process.env, handlers: writer() });
        return { id, created, ws, res };
      }),
    );
    const commits = results.map((r) => r.res.snapshot?.commit);
    expect(new Set(commits).size).toBe(20);
    for (const { id, created, ws, res } of results) {
      expect(res.status).toBe('success');
      expect(res.snapshot).toMatchObject({ changed: true, parent: baseCommit, node: 'implement', attempt: 1, files: 1, added: 1, deleted: 0 });
      expect(gitIn(base, `--git-dir=${ws.gitDir}`, 'show', `${res.snapshot?.commit}:same.txt`)).toBe(`written by ${id}\n`);
      expect(gitIn(base, `--git-dir=${ws.gitDir}`, 'log', '-1', '--format=%an|%s', ws.branch)).toBe(`factory|factory: run r node implement attempt 1\n`);
      const run = JSON.parse(await readFile(join(created.runDir, RUN_FILES.envelope), 'utf8')) as RunEnvelope;
      expect(run.workspace?.base).toEqual({ kind: 'git', path: base, commit: baseCommit });
      expect(JSON.parse(await readFile(join(created.runDir, WORKSPACE_FILE), 'utf8'))).toEqual(ws);
      expect(JSON.parse(await readFile(join(created.runDir, 'implement', SNAPSHOT_FILE), 'utf8'))).toEqual(res.snapshot);
      expect(ws.dir.startsWith(join(dir, 'runs'))).toBe(true);
      expect(existsSync(join(ws.dir, '.git'))).toBe(false);
    }
    expect(baseState(base)).toEqual(before);
    expect(before.status).toBe('');
    expect(existsSync(join(base, 'same.txt'))).toBe(false);
  });

  it('refuses a dirty base with a BOOT_FAILURE naming the files, before any run file exists', async () => {
    await writeFile(join(base, 'src/app.txt'), 'edited\n');
    await writeFile(join(base, 'new file.txt'), 'untracked\n');
    const causes = bootCauses(await failureOf(create('dirty')));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toContain('"src/app.txt"');
    expect(causes[0]).toContain('"new file.txt"');
    expect(causes[0]).toContain('environment.allow_dirty_base');
    expect(existsSync(join(dir, 'runs', 'dirty'))).toBe(false);
  });

  it('snapshots and records a dirty base when the profile allows it, and leaves the base as dirty as it was', async () => {
    await writeFile(join(base, 'src/app.txt'), 'edited\n');
    await writeFile(join(base, 'untracked.txt'), 'new\n');
    await rm(join(base, 'gone.txt'));
    const before = baseState(base);
    const { workspace } = await create('dirty-ok', { workspace: { path: base, allowDirty: true } });
    const ws = workspace as WorkspaceRecord;
    expect(ws.base).toMatchObject({ kind: 'git', commit: baseCommit, dirty: { files: ['gone.txt', 'src/app.txt', 'untracked.txt'] } });
    expect(ws.base.kind === 'git' && ws.base.dirty?.commit).toBe(ws.start);
    expect(gitIn(base, `--git-dir=${ws.gitDir}`, 'rev-parse', `${ws.start}^`).trim()).toBe(baseCommit);
    expect(await readFile(join(ws.dir, 'src/app.txt'), 'utf8')).toBe('edited\n');
    expect(await readFile(join(ws.dir, 'untracked.txt'), 'utf8')).toBe('new\n');
    expect(existsSync(join(ws.dir, 'gone.txt'))).toBe(false);
    expect(baseState(base)).toEqual(before);
  });

  it('pins environment.ref to its commit, and refuses a ref that names none', async () => {
    gitIn(base, 'tag', 'v1');
    writeFiles(base, { 'src/app.txt': 'v2\n' });
    gitIn(base, 'commit', '--quiet', '-am', 'v2');
    const { workspace } = await create('pinned', { workspace: { path: base, ref: 'v1' } });
    expect(workspace?.base).toEqual({ kind: 'git', path: base, ref: 'v1', commit: baseCommit });
    expect(await readFile(join(workspace?.dir as string, 'src/app.txt'), 'utf8')).toBe('v1\n');
    const causes = bootCauses(await failureOf(create('unknown', { workspace: { path: base, ref: 'no-such-tag' } })));
    expect(causes[0]).toContain('environment.ref "no-such-tag" names no commit');
    const dashed = bootCauses(await failureOf(create('dashed', { workspace: { path: base, ref: '--output=/tmp/x' } })));
    expect(dashed[0]).toContain('is not a ref name');
  });

  it('copies a plain directory and records its content digest (the same content, the same digest)', async () => {
    const plain = join(dir, 'plain');
    writeFiles(plain, { 'a.txt': 'A\n', 'sub/b.txt': 'B\n' });
    const one = (await create('plain-1', { workspace: { path: plain } })).workspace as WorkspaceRecord;
    const two = (await create('plain-2', { workspace: { path: plain } })).workspace as WorkspaceRecord;
    expect(one.base).toMatchObject({ kind: 'directory', path: plain });
    expect(one.base.kind === 'directory' && one.base.tree).toBe(two.base.kind === 'directory' && two.base.tree);
    expect(await readFile(join(one.dir, 'sub/b.txt'), 'utf8')).toBe('B\n');
    await writeFile(join(one.dir, 'a.txt'), 'changed by the run\n');
    expect(await readFile(join(plain, 'a.txt'), 'utf8')).toBe('A\n');
    expect(existsSync(join(plain, '.git'))).toBe(false);
  });

  it('refuses a plain base over environment.workspace.max_base_files or max_base_bytes with a BOOT_FAILURE naming the directory and the limit, before any run file exists', async () => {
    const plain = join(dir, 'plain-big');
    writeFiles(plain, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i % 3}/f${i}.txt`, 'x'.repeat(100)])));
    const files = bootCauses(await failureOf(create('too-many', { workspace: { path: plain, limits: { maxBytes: 1024 ** 3, maxFiles: 20 } } })));
    expect(files).toEqual([expect.stringContaining(`environment.workdir ${plain} (a plain directory, copied whole into every run's workspace) holds more than 20 files and directories: over environment.workspace.max_base_files (20)`)]);
    const bytes = bootCauses(await failureOf(create('too-large', { workspace: { path: plain, limits: { maxBytes: 2_000, maxFiles: 1_000 } } })));
    expect(bytes).toEqual([expect.stringContaining('holds more than 2,000 bytes: over environment.workspace.max_base_bytes (2000)')]);
    for (const id of ['too-many', 'too-large']) {
      expect(existsSync(join(dir, 'runs', id))).toBe(false);
      expect(existsSync(join(dir, 'runs', '.factory', 'workspaces', id))).toBe(false);
    }
    // within the limits (3,000 bytes, 33 entries) it is copied
    expect((await create('fits', { workspace: { path: plain, limits: { maxBytes: 3_000, maxFiles: 33 } } })).workspace).toMatchObject({ base: { kind: 'directory' } });
  });

  it('refuses a plain base holding the worker\'s own state directory (its run key), and leaves the run root and the project\'s .factory out of the copy', async () => {
    const plain = join(dir, 'plain-state');
    writeFiles(plain, { 'src/a.txt': 'A\n', '.factory/temporal.db': 'server state\n', 'worker-state/run-key': 'secret\n' });
    const saved = process.env.FACTORY_STATE_DIR;
    process.env.FACTORY_STATE_DIR = join(plain, 'worker-state');
    try {
      const causes = bootCauses(await failureOf(create('state', { workspace: { path: plain } })));
      expect(causes).toEqual([expect.stringContaining(`environment.workdir ${plain} (a plain directory, copied whole into every run's workspace) contains the worker's own state directory ${join(plain, 'worker-state')} (its run key)`)]);
      expect(existsSync(join(dir, 'runs', 'state'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.FACTORY_STATE_DIR;
      else process.env.FACTORY_STATE_DIR = saved;
    }
    // the run root inside the base (workdir . with run_root runs) and the project's .factory: copied around
    // (a glob character in its name: the size count prunes it by its exact path; 4 entries are left to count)
    const runRoot = join(plain, 'runs[1]');
    const make = (id: string) => createRun({ envelope: envelope(id), graph, checkpoint: checkpoint(), events: [event(1, 'run.created')], runRoot, workspace: { path: plain, limits: { maxBytes: 1024 ** 3, maxFiles: 4 } } });
    await make('inside-first');
    const made = await make('inside');
    const ws = made.workspace as WorkspaceRecord;
    expect(await readFile(join(ws.dir, 'src/a.txt'), 'utf8')).toBe('A\n');
    expect(existsSync(join(ws.dir, 'worker-state', 'run-key'))).toBe(true); // no longer the worker's: copied like any file
    expect(existsSync(join(ws.dir, '.factory'))).toBe(false);
    expect(existsSync(join(ws.dir, 'runs[1]'))).toBe(false);
  });

  it('returns the same workspace when createRun is retried, and loadRun reads it back', async () => {
    const first = await create('again');
    const second = await create('again');
    expect(second.workspace).toEqual(first.workspace);
    expect((await loadRun({ runDir: first.runDir })).workspace).toEqual(first.workspace);
  });

  it('starts a stage from the snapshot the workflow names, dropping what came after it', async () => {
    const { runDir, workspace } = await create('restore');
    const ws = workspace as WorkspaceRecord;
    const seen: Record<string, string | undefined> = {};
    const deps = { env: process.env, handlers: writer(seen) };
    const a = await runStage(stage(runDir, ws, 'a', { file: 'x.txt', text: 'one\n' }), first_(), deps);
    await runStage(stage(runDir, ws, 'b', { file: 'x.txt', text: 'two\n' }), first_(), deps);
    await writeFile(join(ws.dir, 'stray.txt'), 'left behind by a failed attempt\n');
    const c = await runStage(stage(runDir, { ...ws }, 'c', { file: 'x.txt' }, { workspace: { ...ws, restoreTo: a.snapshot?.commit as string } }), first_(), deps);
    expect(seen['c']).toBe('one\n');
    expect(seen['c:workdir']).toBe(ws.dir);
    expect(existsSync(join(ws.dir, 'stray.txt'))).toBe(false);
    expect(c.snapshot).toMatchObject({ changed: false, commit: a.snapshot?.commit, parent: a.snapshot?.commit, files: 0 });
    expect(gitIn(base, `--git-dir=${ws.gitDir}`, 'rev-parse', ws.branch).trim()).toBe(a.snapshot?.commit);
  });

  it('snapshots into the run\'s own repository when the agent plants a .git pointing at the base, and runs none of its hooks', async () => {
    const before = baseState(base);
    const { runDir, workspace } = await create('planted');
    const ws = workspace as WorkspaceRecord;
    const marker = join(dir, 'hook-ran');
    const hostile = new HandlerRegistry().register('write', {
      async execute(stage) {
        // a gitfile sending git to the base, then (second stage) a .git directory with a hook and an fsmonitor config
        if (stage.node.id === 'redirect') await writeFile(join(stage.workdir, '.git'), `gitdir: ${join(base, '.git')}\n`);
        else {
          await rm(join(stage.workdir, '.git'), { force: true });
          writeFiles(stage.workdir, {
            '.git/hooks/pre-commit': `#!/bin/sh\ntouch ${marker}\n`,
            '.git/config': `[core]\n\tfsmonitor = touch ${marker}\n\thooksPath = .git/hooks\n`,
            '.gitattributes': '* filter=evil\n',
          });
        }
        await writeFile(join(stage.workdir, 'work.txt'), `${stage.node.id}\n`);
        return { status: 'success' };
      },
    });
    for (const id of ['redirect', 'hooks']) {
      const res = await runStage(stage(runDir, ws, id, {}), first_(), { env: process.env, handlers: hostile });
      expect(res.snapshot?.changed).toBe(true);
      expect(gitIn(base, `--git-dir=${ws.gitDir}`, 'show', `${res.snapshot?.commit}:work.txt`)).toBe(`${id}\n`);
    }
    expect(existsSync(marker)).toBe(false);
    expect(baseState(base)).toEqual(before);
  });

  it('starts a rerun from the snapshot before the named stage, fetched from the candidate remote once the first run\'s workspace is gone', async () => {
    const runRoot = join(dir, 'runs');
    const first = await create('first');
    const ws = first.workspace as WorkspaceRecord;
    const deps = { env: process.env, handlers: writer() };
    const setup = await runStage(stage(first.runDir, ws, 'setup', { file: 'setup.txt', text: 'set up\n' }), first_(), deps);
    await runStage(stage(first.runDir, ws, 'implement', { file: 'impl.txt', text: 'implemented\n' }), first_(), deps);
    await runStage(stage(first.runDir, ws, 'docs', { file: 'docs.txt', text: 'documented\n' }), first_(), deps);
    await publishCandidate({ runId: 'first', runRoot, workspace: ws });
    await releaseWorkspace({ runRoot, runId: 'first', keep: 'never', succeeded: true });

    const rerun = (await create('second', { workspace: { path: base, from: { runDir: first.runDir, node: 'implement' } } })).workspace as WorkspaceRecord;
    expect(rerun.start).toBe(setup.snapshot?.commit);
    expect(rerun.from).toEqual({ runDir: first.runDir, node: 'implement', commit: setup.snapshot?.commit });
    expect(await readFile(join(rerun.dir, 'setup.txt'), 'utf8')).toBe('set up\n');
    expect(existsSync(join(rerun.dir, 'impl.txt'))).toBe(false);
    expect(gitIn(base, `--git-dir=${rerun.gitDir}`, 'rev-parse', rerun.branch).trim()).toBe(setup.snapshot?.commit);

    const never = bootCauses(await failureOf(create('third', { workspace: { path: base, from: { runDir: first.runDir, node: 'deploy' } } })));
    expect(never[0]).toContain('has no snapshot of stage "deploy"');
    await rm(join(runRoot, '.factory', 'candidates.git'), { recursive: true });
    const gone = bootCauses(await failureOf(create('fourth', { workspace: { path: base, from: { runDir: first.runDir, node: 'implement' } } })));
    expect(gone[0]).toContain(`snapshot ${setup.snapshot?.commit} of the run in ${first.runDir} is neither in its workspace nor in its candidate remote`);
  });

  it('takes the no-change fast path only when nothing changed: a new untracked file, a deletion, a mode change and a rewrite with the same bytes are each told apart', async () => {
    const { workspace } = await create('fast');
    const ws = workspace as WorkspaceRecord;
    const snap = (node: string) => snapshotWorkspace(ws, { runId: 'fast', node, attempt: 1 });
    const head = () => gitIn(base, `--git-dir=${ws.gitDir}`, 'rev-parse', ws.branch).trim();
    const same = await snap('nothing');
    expect(same).toMatchObject({ changed: false, commit: ws.start, parent: ws.start, tree: gitIn(base, `--git-dir=${ws.gitDir}`, 'rev-parse', `${ws.start}^{tree}`).trim(), files: 0 });
    await writeFile(join(ws.dir, 'src', 'app.txt'), 'v1\n'); // same bytes, new mtime
    expect(await snap('touched')).toMatchObject({ changed: false, commit: ws.start });
    const cases: [string, () => Promise<void>, string][] = [
      ['untracked', async () => writeFiles(ws.dir, { 'deep/new.txt': 'new\n' }), 'deep/new.txt'],
      ['deleted', () => rm(join(ws.dir, 'gone.txt')), 'gone.txt'],
      ['mode', () => chmod(join(ws.dir, 'README.md'), 0o755), 'README.md'],
    ];
    for (const [node, change, path] of cases) {
      const before = head();
      await change();
      const s = await snap(node);
      expect(s).toMatchObject({ changed: true, parent: before, files: 1 });
      expect(head()).toBe(s.commit);
      expect(gitIn(base, `--git-dir=${ws.gitDir}`, 'diff-tree', '-r', '--name-only', '--no-commit-id', before, s.commit).trim()).toBe(path);
      expect(await snap(`${node}-again`)).toMatchObject({ changed: false, commit: s.commit, parent: s.commit, tree: s.tree });
    }
    await rm(ws.gitDir, { recursive: true });
    await expect(snap('broken')).rejects.toThrow(/has no HEAD commit/);
  });

  it('brings a manager loop child\'s commit back: a fast-forward, a merge when the parent moved, and the conflicting files named when both changed one', async () => {
    const runRoot = join(dir, 'runs');
    const parent = (await create('parent')).workspace as WorkspaceRecord;
    const snap = (ws: WorkspaceRecord, runId: string, node: string, files: Record<string, string>) => {
      writeFiles(ws.dir, files);
      return snapshotWorkspace(ws, { runId, node, attempt: 1 });
    };
    const childRun = async (id: string, base: string, files: Record<string, string>) => {
      const child = (await create(id, { workspace: { path: base, fromWorkspace: { gitDir: parent.gitDir, commit: base } } })).workspace as WorkspaceRecord;
      expect(child).toMatchObject({ start: base, base: { kind: 'git', path: parent.gitDir, commit: base } });
      await snap(child, id, 'build', files);
      const published = await publishCandidate({ runId: id, runRoot, workspace: child });
      return { commit: published.commit, remote: published.remote, ref: published.ref, runId: id };
    };
    const merge = (base: string, child: Awaited<ReturnType<typeof childRun>>) => mergeChildWorkspace({ runId: 'parent', node: 'manage', workspace: parent, base, child });

    const a = (await snap(parent, 'parent', 'prep', { 'shared.txt': 'one\n' })).commit;
    const ff = await merge(a, await childRun('child-ff', a, { 'child.txt': 'from the child\n' }));
    expect(ff.snapshot).toMatchObject({ parent: a, changed: true, files: 1 });
    expect(await readFile(join(parent.dir, 'child.txt'), 'utf8')).toBe('from the child\n');

    const b = ff.snapshot?.commit as string;
    const side = await childRun('child-merge', b, { 'other.txt': 'child\n' });
    const moved = (await snap(parent, 'parent', 'lane', { 'lane.txt': 'parent\n' })).commit;
    const merged = await merge(b, side);
    expect(merged.snapshot).toMatchObject({ parent: moved, changed: true, files: 1 });
    expect(gitIn(base, `--git-dir=${parent.gitDir}`, 'rev-list', '--parents', '-n', '1', merged.snapshot?.commit as string).trim().split(' ').slice(1)).toEqual([moved, side.commit]);
    expect(await readFile(join(parent.dir, 'other.txt'), 'utf8')).toBe('child\n');
    expect(await readFile(join(parent.dir, 'lane.txt'), 'utf8')).toBe('parent\n');

    const c = merged.snapshot?.commit as string;
    const clash = await childRun('child-clash', c, { 'shared.txt': 'child says\n', 'child-only.txt': 'x\n' });
    const before = (await snap(parent, 'parent', 'lane2', { 'shared.txt': 'parent says\n' })).commit;
    expect(await merge(c, clash)).toEqual({ conflicts: ['shared.txt'] });
    expect(gitIn(base, `--git-dir=${parent.gitDir}`, 'rev-parse', parent.branch).trim()).toBe(before);
    expect(await readFile(join(parent.dir, 'shared.txt'), 'utf8')).toBe('parent says\n');
    expect(existsSync(join(parent.dir, 'child-only.txt'))).toBe(false);
  });

  it('resumes in the kept workspace at the checkpoint\'s head: a removed work tree is checked out again, a malformed head is refused', async () => {
    const { workspace } = await create('resume');
    const ws = workspace as WorkspaceRecord;
    writeFiles(ws.dir, { 'kept.txt': 'snapshotted\n' });
    const head = (await snapshotWorkspace(ws, { runId: 'resume', node: 'one', attempt: 1 })).commit;
    writeFiles(ws.dir, { 'stray.txt': 'left by the interrupted stage\n' });
    await rm(ws.dir, { recursive: true });
    expect(await resumeWorkspace({ workspace: ws, head })).toEqual({ workspace: ws, head, recreated: false });
    expect(await readFile(join(ws.dir, 'kept.txt'), 'utf8')).toBe('snapshotted\n');
    expect(existsSync(join(ws.dir, 'stray.txt'))).toBe(false);
    const bad = bootCauses(await failureOf(resumeWorkspace({ workspace: ws, head: '--upload-pack=evil' })));
    expect(bad[0]).toContain('which is not a commit id');
  });

  it('takes the snapshots of parallel branches in one workspace one at a time, each on top of the other', async () => {
    const { runDir, workspace } = await create('lanes');
    const ws = workspace as WorkspaceRecord;
    const deps = { env: process.env, handlers: writer() };
    const lanes = await Promise.all(['left', 'right', 'middle'].map((id) => runStage(stage(runDir, ws, id, { file: `${id}.txt`, text: `${id}\n` }), first_(), deps)));
    const snaps = lanes.map((l) => l.snapshot);
    const head = gitIn(base, `--git-dir=${ws.gitDir}`, 'rev-parse', ws.branch).trim();
    const chain = gitIn(base, `--git-dir=${ws.gitDir}`, 'rev-list', `${ws.start}..${head}`).trim().split('\n');
    for (const s of snaps) if (s?.changed) expect(chain).toContain(s.commit);
    for (const id of ['left', 'right', 'middle']) expect(gitIn(base, `--git-dir=${ws.gitDir}`, 'show', `${head}:${id}.txt`)).toBe(`${id}\n`);
  });

  it('keeps a failed run\'s workspace and removes a succeeded one under the on_failure policy', async () => {
    const runRoot = join(dir, 'runs');
    const ok = (await create('ok')).workspace as WorkspaceRecord;
    const bad = (await create('bad')).workspace as WorkspaceRecord;
    expect(await releaseWorkspace({ runRoot, runId: 'ok', keep: 'on_failure', succeeded: true })).toMatchObject({ removed: true });
    expect(await releaseWorkspace({ runRoot, runId: 'bad', keep: 'on_failure', succeeded: false })).toMatchObject({ removed: false });
    expect(existsSync(ok.dir)).toBe(false);
    expect(existsSync(bad.dir)).toBe(true);
  });

  test.each([
    ['candidates.git', (root: string) => join(root, 'candidates.git')],
    ['ssh://git.example.com/factory/candidates.git', () => 'ssh://git.example.com/factory/candidates.git'],
    ['git@git.example.com:factory/candidates.git', () => 'git@git.example.com:factory/candidates.git'],
  ])('resolves the candidate remote %s like workdir when it is a path, and keeps URLs', async (remote, expected) => {
    await writeFile(join(dir, 'p.yaml'), `kind: FactoryProfile\nid: p\nprovider: { kind: twin }\nenvironment: { workspace: { remote: "${remote}" } }\n`);
    const { profile } = await resolveProfile({ profile: { file: 'p.yaml' } }, { registryRoot: dir, env: {} });
    expect(profile.environment.workspace.remote).toBe(expected(dir));
  });
});
