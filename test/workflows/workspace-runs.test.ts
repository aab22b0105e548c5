// Issue 21, workflow half: every run works in its own workspace cloned from the pinned base, each stage
// ends with a snapshot recorded in stage.completed, the last snapshot is the run's pinned candidate,
// and `rerun --from <node>` starts from the snapshot the earlier run had before that node.

import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint, RunEnvelope, RunEvent } from '../../core/run-model';
import { baseState, gitIn, makeRepo } from '../helpers/git-repo';
import { answerSignal, gatesQuery, runQuery } from '../../workflows/messages';
import { runCli } from '../client/run-cli';
import { eventually, handlerOf, pipelineYaml, readEvents, readJson, scriptHandler, settle, startedNodes, testProfileYaml, useRunEnv, workspace, type Workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';

jest.setTimeout(300_000);

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.ws-script', script.handler));

/** A base repository and a project whose profile names it as environment.workdir. */
function project(pipeline: string, files: Record<string, string>, environment = ''): { ws: Workspace; base: string; baseCommit: string } {
  const base = join(mkdtempSync(join(tmpdir(), 'factory-base-')), 'repo');
  const baseCommit = makeRepo(base, files);
  const profile = testProfileYaml().replace('workdir: .,', `workdir: ${JSON.stringify(base)},${environment}`);
  return { ws: workspace(pipeline, { profile }), base, baseCommit };
}

const completed = (events: readonly RunEvent[], node: string): RunEvent | undefined => events.find((e) => e.type === 'stage.completed' && e.data['node'] === node);

describe('runs of their own (issue 21)', () => {
  it('gives 20 runs started at once their own workspace: each writes the same file, each gets its own candidate commit, the base stays clean', async () => {
    // each run writes its id to the same path, waits, and fails if another run's write is what it reads back
    const write = `printf '%s' "$FACTORY_RUN_ID" > same.txt; sleep 1; test "$(cat same.txt)" = "$FACTORY_RUN_ID"`;
    const pipeline = pipelineYaml('many', [`{ id: write, type: tool, tool_command: ${JSON.stringify(write)} }`], ['{ from: start, to: write }', '{ from: write, to: exit }']);
    const { ws, base } = project(pipeline, { 'README.md': 'base\n' });
    const before = baseState(base);

    const handles = await Promise.all(Array.from({ length: 20 }, () => env.start(ws)));
    const ends = await Promise.all(handles.map((h) => settle(h)));
    const failed = ends.flatMap((e) => (e.ok ? [] : [e.failure.message]));
    expect(failed).toEqual([]);

    const commits = new Set<string>();
    for (const end of ends) {
      if (!end.ok) continue;
      const { runDir, runId } = end.result;
      const envelope = readJson<RunEnvelope>(join(runDir as string, 'run.json'));
      const candidate = envelope.candidate;
      expect(candidate).toBeDefined();
      if (!candidate) continue;
      commits.add(candidate.commit);
      // the candidate holds this run's own content, fetched from the remote by commit
      expect(gitIn(candidate.remote, 'show', `${candidate.commit}:same.txt`)).toBe(runId);
      expect(gitIn(candidate.remote, 'rev-parse', candidate.ref).trim()).toBe(candidate.commit);
      const snapshot = completed(readEvents(runDir as string), 'write')?.data['snapshot'] as Record<string, unknown> | undefined;
      expect(snapshot).toMatchObject({ commit: candidate.commit, parent: envelope.workspace?.start, changed: true, files: 1 });
      expect(candidate.change).toMatchObject({ from: envelope.workspace?.start, files: 1, added: 1 });
    }
    expect(commits.size).toBe(20);
    expect(baseState(base)).toEqual(before);
    expect(gitIn(base, 'status', '--porcelain')).toBe('');
  });

  it('restarts a retried stage from the head before its first attempt: a failed attempt\'s files are gone', async () => {
    // attempt 1 leaves a stray file and fails; attempt 2 must not see it
    const flaky = `if [ "$FACTORY_ATTEMPT" = 1 ]; then echo junk > stray.txt; exit 1; fi; test ! -e stray.txt && echo ok > done.txt`;
    const pipeline = pipelineYaml('retry', [`{ id: flaky, type: tool, max_retries: 1, tool_command: ${JSON.stringify(flaky)} }`], ['{ from: start, to: flaky }', '{ from: flaky, to: exit }']);
    const { ws } = project(pipeline, { 'README.md': 'base\n' });
    const end = await settle(await env.start(ws));
    if (!end.ok) throw new Error(end.failure.message);
    const envelope = readJson<RunEnvelope>(join(end.result.runDir as string, 'run.json'));
    const candidate = envelope.candidate as NonNullable<RunEnvelope['candidate']>;
    expect(gitIn(candidate.remote, 'ls-tree', '--name-only', candidate.commit).split('\n').filter(Boolean).sort()).toEqual(['README.md', 'done.txt']);
  });

  it('a goal_gate detour restarts from the snapshot before its retry target: what the failed pass wrote is gone', async () => {
    const nodes = [
      `{ id: plan, type: tool, tool_command: ${JSON.stringify('echo plan >> log.txt')} }`,
      '{ id: impl, type: test.ws-script, goal_gate: true, retry_target: plan, attrs: { outcomes: "fail,success" } }',
      `{ id: note, type: tool, tool_command: ${JSON.stringify('echo note >> log.txt')} }`,
    ];
    const edges = ['{ from: start, to: plan }', '{ from: plan, to: impl }', '{ from: impl, to: exit, condition: "outcome=success" }', '{ from: impl, to: note, condition: "outcome=fail" }', '{ from: note, to: exit }'];
    const { ws } = project(pipelineYaml('detour', nodes, edges), { 'log.txt': 'base\n' });
    const end = await settle(await env.start(ws));
    if (!end.ok) throw new Error(end.failure.message);
    const runDir = end.result.runDir as string;
    const events = readEvents(runDir);
    expect(startedNodes(events)).toEqual(['start', 'plan', 'impl', 'note', 'plan', 'impl']);
    const envelope = readJson<RunEnvelope>(join(runDir, 'run.json'));
    const plans = events.filter((e) => e.type === 'stage.completed' && e.data['node'] === 'plan').map((e) => e.data['snapshot'] as { parent: string });
    expect(plans.map((p) => p.parent)).toEqual([envelope.workspace?.start, envelope.workspace?.start]);
    const candidate = envelope.candidate as NonNullable<RunEnvelope['candidate']>;
    // without the restore the second pass would add to the first: base, plan, note, plan
    expect(gitIn(candidate.remote, 'show', `${candidate.commit}:log.txt`)).toBe('base\nplan\n');
  });

  it('rerun --from implement starts at the snapshot the finished run had before implement, and walks from implement', async () => {
    const nodes = [
      `{ id: prepare, type: tool, tool_command: ${JSON.stringify('echo prepared >> log.txt')} }`,
      `{ id: implement, type: tool, tool_command: ${JSON.stringify('echo implemented >> log.txt')} }`,
    ];
    const pipeline = pipelineYaml('rerun', nodes, ['{ from: start, to: prepare }', '{ from: prepare, to: implement }', '{ from: implement, to: exit }']);
    const { ws, baseCommit } = project(pipeline, { 'log.txt': 'base\n' });
    const first = await settle(await env.start(ws));
    if (!first.ok) throw new Error(first.failure.message);
    const firstDir = first.result.runDir as string;
    const firstEvents = readEvents(firstDir);
    const beforeImplement = (completed(firstEvents, 'prepare')?.data['snapshot'] as { commit: string }).commit;
    expect((completed(firstEvents, 'implement')?.data['snapshot'] as { parent: string }).parent).toBe(beforeImplement);

    const again = await settle(await env.start(ws, { rerunOf: first.result.runId, rerunFrom: { runDir: firstDir, node: 'implement' } }));
    if (!again.ok) throw new Error(again.failure.message);
    const runDir = again.result.runDir as string;
    const envelope = readJson<RunEnvelope>(join(runDir, 'run.json'));
    expect(envelope.workspace?.start).toBe(beforeImplement);
    expect(envelope.workspace?.from).toMatchObject({ node: 'implement', commit: beforeImplement });
    expect(envelope.workspace?.base).toMatchObject({ kind: 'git', commit: baseCommit });
    const events = readEvents(runDir);
    expect(events.filter((e) => e.type === 'stage.started').map((e) => e.data['node'])).toEqual(['implement']);
    const candidate = envelope.candidate as NonNullable<RunEnvelope['candidate']>;
    // from the base it would lack "prepared"; from the finished run's end it would say "implemented" twice
    expect(gitIn(candidate.remote, 'show', `${candidate.commit}:log.txt`)).toBe('base\nprepared\nimplemented\n');
  });

  it('a rerun from a node the earlier run never ran is a BOOT_FAILURE naming it', async () => {
    const pipeline = pipelineYaml('rerun-missing', [`{ id: only, type: tool, tool_command: ${JSON.stringify('echo x > x.txt')} }`], ['{ from: start, to: only }', '{ from: only, to: exit }']);
    const { ws } = project(pipeline, { 'a.txt': 'a\n' });
    const first = await settle(await env.start(ws));
    if (!first.ok) throw new Error(first.failure.message);
    const end = await settle(await env.start(ws, { rerunFrom: { runDir: first.result.runDir as string, node: 'nowhere' } }));
    expect(end.ok).toBe(false);
    if (end.ok) return;
    expect(end.failure.type).toBe('BOOT_FAILURE');
    expect(JSON.stringify(end.failure.details ?? end.failure.message)).toContain('nowhere');
  });

  it('shows what changed so far at a mid-run wait.human gate: the gate record, factory gates, the event and the Temporal UI details name the files, +/- lines and the commit, bounded and sanitized', async () => {
    // 25 new files, one edited, and one whose name carries an escape sequence and markdown (the agent chooses names)
    const write = `for i in $(seq -w 1 25); do echo "line $i" > gen_$i.txt; done; printf 'v2\\nmore\\n' > app.txt; printf 'x' > "$(printf 'a\\033]52;c;evil\\007[x](y)')"`;
    const pipeline = pipelineYaml(
      'gate-change',
      [`{ id: write, type: tool, tool_command: ${JSON.stringify(write)} }`, '{ id: review, type: wait.human, prompt: "Ship it?" }', '{ id: ship, type: tool, tool_command: "true" }'],
      ['{ from: start, to: write }', '{ from: write, to: review }', '{ from: review, to: ship, label: "[A] Approve" }', '{ from: ship, to: exit }'],
    );
    const { ws } = project(pipeline, { 'app.txt': 'v1\n' });
    const handle = await env.start(ws);
    try {
      const gate = await eventually(async () => (await handle.query(gatesQuery)).find((g) => g.id === 'review'));
      const status = await handle.query(runQuery);
      const snapshot = completed(readEvents(status.runDir as string), 'write')?.data['snapshot'] as { commit: string } | undefined;
      expect(snapshot?.commit).toMatch(/^[0-9a-f]{40}$/);
      const start = readJson<RunEnvelope>(join(status.runDir as string, 'run.json')).workspace?.start;
      expect(gate.change).toMatchObject({ commit: snapshot?.commit, from: start, files: 27, added: 28, deleted: 1, more: 7 });
      const listed = gate.change?.listed ?? [];
      expect(listed).toHaveLength(20);
      // git's order (by path): the escaped name first, then app.txt, then the generated files
      expect(listed[0]?.path).toBe('a\\x1b]52;c;evil\\x07[x](y)');
      expect(listed[1]).toEqual({ path: 'app.txt', added: 2, deleted: 1 });
      expect(listed[2]).toEqual({ path: 'gen_01.txt', added: 1, deleted: 0 });

      const shown = await runCli(['gates', handle.workflowId, '--address', testTemporalEnv().address]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`changed so far: 27 files, +28 -1 at ${snapshot?.commit.slice(0, 12)} (since ${start?.slice(0, 12)})`);
      expect(shown.stdout).toContain('    app.txt +2 -1');
      expect(shown.stdout).toContain('    and 7 more');
      expect(shown.stdout).not.toContain('\x1b');

      const awaiting = readEvents(status.runDir as string).find((e) => e.type === 'run.awaiting_human');
      expect(awaiting?.data['change']).toEqual(gate.change);

      const meta = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
      expect(meta.currentDetails).toContain(`Changed so far: 27 files, +28 -1 at ${snapshot?.commit.slice(0, 12)}`);
      expect(meta.currentDetails).toContain('- app.txt +2 -1');
      expect(meta.currentDetails).toContain('- a\\\\x1b\\]52;c;evil\\\\x07\\[x\\](y) +1 -0');
      expect(meta.currentDetails).toContain('- and 7 more');
      expect(meta.currentDetails).not.toContain('\x1b');
      await handle.signal(answerSignal, { gate: 'review', choice: 'ship', by: 'alice' });
      expect((await handle.result()).outcome).toBe('succeeded');
    } finally {
      await handle.terminate('test over').catch(() => undefined);
    }
  });

  describe('factory run --resume', () => {
    // `two` writes a stray file and hangs on its first call (the run is terminated meanwhile); on the second it
    // must find the workspace at the snapshot after `one`: a.txt there, the stray file gone
    const calls = new Map<string, number>();
    const seen = new Map<string, { stray: boolean; a?: string }>();
    beforeAll(() =>
      env.register('test.ws-resume', handlerOf(async (stage) => {
        const n = (calls.get(stage.runId) ?? 0) + 1;
        calls.set(stage.runId, n);
        if (n === 1) {
          writeFileSync(join(stage.workdir, 'stray.txt'), 'left by the interrupted stage\n');
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 30_000);
            stage.signal.addEventListener('abort', () => (clearTimeout(t), resolve()));
          });
          return { status: 'fail', failure_reason: 'interrupted' };
        }
        seen.set(stage.runId, { stray: existsSync(join(stage.workdir, 'stray.txt')), a: readFileSync(join(stage.workdir, 'a.txt'), 'utf8') });
        writeFileSync(join(stage.workdir, 'b.txt'), 'two\n');
        return { status: 'success' };
      })),
    );
    const pipeline = pipelineYaml(
      'resume-ws',
      ['{ id: one, type: tool, tool_command: "echo one > a.txt" }', '{ id: two, type: test.ws-resume }'],
      ['{ from: start, to: one }', '{ from: one, to: two }', '{ from: two, to: exit }'],
    );

    /** Starts a run, waits until `two` hangs with the checkpoint at it, terminates it; returns what resuming needs. */
    async function interrupted(): Promise<{ ws: Workspace; runId: string; runDir: string; afterOne: string; record: NonNullable<RunEnvelope['workspace']> }> {
      const { ws } = project(pipeline, { 'README.md': 'base\n' });
      const first = await env.start(ws);
      const runDir = join(ws.dir, 'runs', first.workflowId);
      await eventually(async () => (calls.get(first.workflowId) === 1 && readJson<Checkpoint>(join(runDir, 'checkpoint.json')).next_node === 'two' ? true : undefined));
      await first.terminate('simulated crash during a stage');
      const cp = readJson<Checkpoint>(join(runDir, 'checkpoint.json'));
      const afterOne = (completed(readEvents(runDir), 'one')?.data['snapshot'] as { commit: string }).commit;
      expect(cp.workspace_head).toBe(afterOne);
      return { ws, runId: first.workflowId, runDir, afterOne, record: readJson<RunEnvelope>(join(runDir, 'run.json')).workspace as NonNullable<RunEnvelope['workspace']> };
    }

    it('continues in its workspace from the snapshot its checkpoint names: what the interrupted stage left is gone', async () => {
      const { ws, runId, runDir, afterOne, record } = await interrupted();
      // the interrupted stage's snapshot never reached the run: a commit on the branch past the checkpoint's head
      gitIn(record.dir, `--git-dir=${record.gitDir}`, `--work-tree=${record.dir}`, 'add', '--all');
      gitIn(record.dir, `--git-dir=${record.gitDir}`, `--work-tree=${record.dir}`, 'commit', '--quiet', '-m', 'unrecorded');
      const resumed = await env.start(ws, { runId, resume: true, runDir }, `${runId}-resumed`);
      const result = await resumed.result();
      expect(result.outcome).toBe('succeeded');
      expect(seen.get(runId)).toEqual({ stray: false, a: 'one\n' });
      const created = readEvents(runDir).filter((e) => e.type === 'run.created');
      expect(created[1]?.data).toMatchObject({ workspaceHead: afterOne, workspaceRecreated: false });
      const two = completed(readEvents(runDir), 'two')?.data['snapshot'] as { parent: string; commit: string };
      expect(two.parent).toBe(afterOne);
      const candidate = readJson<RunEnvelope>(join(runDir, 'run.json')).candidate as NonNullable<RunEnvelope['candidate']>;
      expect(candidate.commit).toBe(two.commit);
      expect(gitIn(candidate.remote, 'ls-tree', '--name-only', candidate.commit).split('\n').filter(Boolean).sort()).toEqual(['README.md', 'a.txt', 'b.txt']);
    });

    it('makes a removed workspace again from the candidate remote when it holds the head, and refuses with BOOT_FAILURE naming the commit when nothing does', async () => {
      const { ws, runId, runDir, afterOne, record } = await interrupted();
      const home = join(record.gitDir, '..');
      // keep the head aside (a bare copy outside the run root), then lose the workspace
      const stash = join(ws.dir, 'stash.git');
      gitIn(ws.dir, 'init', '--quiet', '--bare', stash);
      gitIn(ws.dir, `--git-dir=${record.gitDir}`, 'push', '--quiet', stash, `${afterOne}:refs/heads/kept`);
      rmSync(home, { recursive: true, force: true });
      const refused = await settle(await env.start(ws, { runId, resume: true, runDir }, `${runId}-resumed`));
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.failure.type).toBe('BOOT_FAILURE');
      expect(JSON.stringify(refused.failure.details)).toContain(`the snapshot to continue from, ${afterOne}, is in none of`);

      // the head in the candidate remote under the run root (as a published candidate brings it): made again from there
      const remote = join(ws.dir, 'runs', '.factory', 'candidates.git');
      gitIn(ws.dir, 'init', '--quiet', '--bare', remote);
      gitIn(ws.dir, `--git-dir=${stash}`, 'push', '--quiet', remote, `${afterOne}:refs/factory/candidates/${runId}/${afterOne}`);
      const resumed = await env.start(ws, { runId, resume: true, runDir }, `${runId}-resumed-2`);
      expect((await resumed.result()).outcome).toBe('succeeded');
      expect(seen.get(runId)).toEqual({ stray: false, a: 'one\n' });
      expect(readEvents(runDir).filter((e) => e.type === 'run.created').at(-1)?.data).toMatchObject({ workspaceHead: afterOne, workspaceRecreated: true });
      const two = completed(readEvents(runDir), 'two')?.data['snapshot'] as { parent: string };
      expect(two.parent).toBe(afterOne);
    });
  });

  it('refuses a plain-directory base over the profile\'s environment.workspace.max_base_files with a BOOT_FAILURE naming the directory and the limit', async () => {
    const pipeline = pipelineYaml('big-base', [`{ id: only, type: tool, tool_command: ${JSON.stringify('true')} }`], ['{ from: start, to: only }', '{ from: only, to: exit }']);
    const profile = testProfileYaml().replace('workdir: .,', 'workdir: ., workspace: { max_base_files: 3 },');
    const ws = workspace(pipeline, { profile });
    for (let i = 0; i < 5; i++) ws.write(`file${i}.txt`, `${i}\n`);
    const end = await settle(await env.start(ws));
    expect(end.ok).toBe(false);
    if (end.ok) return;
    expect(end.failure.type).toBe('BOOT_FAILURE');
    expect(end.failure.message).toContain('holds more than 3 files and directories: over environment.workspace.max_base_files (3)');
    expect(end.failure.message).toContain(`environment.workdir ${realpathSync(ws.dir)} (a plain directory`);
  });

  it('refuses a dirty base with a BOOT_FAILURE naming the file, and leaves it as it was', async () => {
    const pipeline = pipelineYaml('dirty', [`{ id: only, type: tool, tool_command: ${JSON.stringify('true')} }`], ['{ from: start, to: only }', '{ from: only, to: exit }']);
    const { ws, base } = project(pipeline, { 'a.txt': 'a\n' });
    writeFileSync(join(base, 'uncommitted.txt'), 'wip\n');
    const before = baseState(base);
    const end = await settle(await env.start(ws));
    expect(end.ok).toBe(false);
    if (end.ok) return;
    expect(end.failure.type).toBe('BOOT_FAILURE');
    expect(JSON.stringify(end.failure.details)).toContain('uncommitted.txt');
    expect(baseState(base)).toEqual(before);
  });
});
