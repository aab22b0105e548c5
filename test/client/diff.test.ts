// `factory diff <runDir> [--stage <node>]` (issue 21): a run's and a stage's changes from the snapshots
// recorded in the run directory, read from the kept workspace or, once it is removed, the candidate remote;
// terminal control bytes an agent wrote never reach the terminal.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HandlerRegistry } from '../../activities/handler-registry';
import { createRun } from '../../activities/run-create';
import { runStage } from '../../activities/stage';
import { publishCandidate } from '../../activities/workspace/publish';
import { releaseWorkspace } from '../../activities/workspace/workspace';
import type { PipelineGraph } from '../../core/model';
import type { WorkspaceRecord } from '../../core/workspace';
import { checkpoint, envelope, event, node, stageInput, tempDir } from '../activities/helpers';
import { makeRepo } from '../helpers/git-repo';
import { runCli } from './run-cli';

const graph: PipelineGraph = {
  id: 'demo', version: '1.0.0', goal: 'g', label: 'Demo', model_stylesheet: '', capabilities: [], exports: [], attrs: {},
  nodes: [node('start', { type: 'start' }), node('exit', { type: 'exit' })], edges: [],
};
const handlers = new HandlerRegistry().register('write', {
  async execute(stage) {
    await writeFile(join(stage.workdir, String(stage.node.attrs['file'])), String(stage.node.attrs['text']));
    return { status: 'success' };
  },
});

describe('factory diff', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let runDir: string;
  let ws: WorkspaceRecord;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('factory-diff-'));
    makeRepo(join(dir, 'base'), { 'a.txt': 'one\ntwo\n' });
    const created = await createRun({ envelope: envelope('diff-1'), graph, checkpoint: checkpoint(), events: [event(1, 'run.created')], runRoot: join(dir, 'runs'), workspace: { path: join(dir, 'base') } });
    runDir = created.runDir;
    ws = created.workspace as WorkspaceRecord;
    const stage = (id: string, file: string, text: string) =>
      runStage(stageInput(runDir, node(id, { type: 'write', attrs: { file, text } }), { runId: 'diff-1', workspace: ws }), { attempt: 1, heartbeat: () => undefined, signal: new AbortController().signal }, { env: process.env, handlers });
    await stage('implement', 'a.txt', 'one\nTWO\nthree\n');
    await stage('docs', 'notes.md', 'evil \u001b]0;pwned\u0007 title\n');
  });
  afterEach(() => cleanup());

  it('shows one stage\'s changes against the commit it started from', async () => {
    const r = await runCli(['diff', runDir, '--stage', 'implement', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { from: string; to: string; files: unknown[] };
    expect(out.from).toBe(ws.start);
    expect(out.files).toEqual([{ path: 'a.txt', added: 2, deleted: 1 }]);
    const text = await runCli(['diff', runDir, '--stage', 'implement']);
    expect(text.stdout).toContain('+TWO');
    expect(text.stdout).not.toContain('notes.md');
  });

  it('shows the whole run from its start, with control bytes the agent wrote replaced', async () => {
    const r = await runCli(['diff', runDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run: [0-9a-f]{40}\.\.[0-9a-f]{40}/);
    expect(r.stdout).toContain('a.txt');
    expect(r.stdout).toContain('+evil \ufffd]0;pwned\ufffd title');
    expect(r.stdout).not.toMatch(/[\u0007\u001b]/);
  });

  it('reads the candidate remote once the workspace is removed, and says so when nothing was published', async () => {
    await releaseWorkspace({ runRoot: join(dir, 'runs'), runId: 'diff-1', keep: 'never', succeeded: true });
    const none = await runCli(['diff', runDir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nor the candidate remote');
    expect(none.stderr).toContain('nothing to diff against');
    const { dir: d2, cleanup: c2 } = await tempDir('factory-diff2-');
    try {
      makeRepo(join(d2, 'base'), { 'a.txt': 'x\n' });
      const again = await createRun({ envelope: envelope('diff-2'), graph, checkpoint: checkpoint(), events: [event(1, 'run.created')], runRoot: join(d2, 'runs'), workspace: { path: join(d2, 'base') } });
      const w2 = again.workspace as WorkspaceRecord;
      await writeFile(join(w2.dir, 'a.txt'), 'published\n');
      await runStage(stageInput(again.runDir, node('s', { type: 'write', attrs: { file: 'b.txt', text: 'b\n' } }), { runId: 'diff-2', workspace: w2 }), { attempt: 1, heartbeat: () => undefined, signal: new AbortController().signal }, { env: process.env, handlers });
      await publishCandidate({ runId: 'diff-2', runRoot: join(d2, 'runs'), workspace: w2 });
      await releaseWorkspace({ runRoot: join(d2, 'runs'), runId: 'diff-2', keep: 'never', succeeded: true });
      const r = await runCli(['diff', again.runDir, '--stat']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/a\.txt[\s|]+2 \+-/);
      expect(r.stdout).toContain('b.txt');
    } finally {
      await c2();
    }
  });

  it('refuses a stage without a snapshot and a directory without a workspace, naming them', async () => {
    const r = await runCli(['diff', runDir, '--stage', 'never-ran']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stage "never-ran" has no snapshot');
    const plain = await runCli(['diff', dir]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('has no workspace.json');
  });
});
