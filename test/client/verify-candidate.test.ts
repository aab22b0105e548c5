// The decided candidate in the record (issue 21): decision.json names the commit and tree, summary.md
// shows base and candidate, and `factory verify` fails once the candidate remote no longer holds that
// commit under its ref (force-pushed) — the run directory itself still matches its freeze.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finalizeRun, persistDecision } from '../../activities/finalize';
import { createRun } from '../../activities/run-create';
import { publishCandidate } from '../../activities/workspace/publish';
import { snapshotWorkspace } from '../../activities/workspace/snapshot';
import type { DecisionRecord } from '../../core/decision-policy';
import type { PipelineGraph } from '../../core/model';
import type { WorkspaceRecord } from '../../core/workspace';
import { checkpoint, envelope, event, node, tempDir } from '../activities/helpers';
import { gitIn, makeRepo } from '../helpers/git-repo';
import { runCli } from './run-cli';

const graph: PipelineGraph = {
  id: 'demo', version: '1.0.0', goal: 'g', label: 'Demo', model_stylesheet: '', capabilities: [], exports: [], attrs: {},
  nodes: [node('start', { type: 'start' }), node('exit', { type: 'exit' })], edges: [],
};

describe('factory verify and the decided candidate', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('factory-verify-cand-')));
  afterEach(() => cleanup());

  it('passes while the remote holds the approved commit, and fails naming it once the ref was force-pushed', async () => {
    const baseCommit = makeRepo(join(dir, 'base'), { 'a.txt': 'a\n' });
    const runRoot = join(dir, 'runs');
    const env0 = envelope('verify-cand');
    const { runDir, workspace } = await createRun({ envelope: env0, graph, checkpoint: checkpoint(), events: [event(1, 'run.created')], runRoot, workspace: { path: join(dir, 'base') } });
    const ws = workspace as WorkspaceRecord;
    await writeFile(join(ws.dir, 'a.txt'), 'approved content\n');
    await snapshotWorkspace(ws, { runId: env0.runId, node: 'implement', attempt: 1 });
    const candidate = await publishCandidate({ runId: env0.runId, runRoot, workspace: ws });
    const record: DecisionRecord = {
      runId: env0.runId, decision: 'approved', mode: 'human', by: 'alice', at: '2024-01-01T00:00:00.000Z', reason: 'looks right', candidate,
      evidence: { digests: env0.digests, checks: [], gates: [] },
    };
    await persistDecision({ runDir, record });
    const finished = { ...env0, runDir, status: 'completed' as const, workspace: ws, candidate };
    const { freezeDigest } = await finalizeRun({ runDir, events: [event(2, 'run.completed')], envelope: finished, summary: { envelope: finished, decision: record } });

    const summary = await readFile(join(runDir, 'summary.md'), 'utf8');
    expect(summary).toContain(`- base: \`${baseCommit}\` of ${join(dir, 'base')}`);
    expect(summary).toContain(`- candidate: commit \`${candidate.commit}\` (tree ${candidate.tree})`);
    expect(JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8'))).toMatchObject({ candidate, base: { kind: 'git', commit: baseCommit } });

    const ok = await runCli(['verify', runDir, '--digest', freezeDigest]);
    expect(ok.stdout).toContain(`candidate commit ${candidate.commit} is in ${candidate.remote}`);
    expect(ok.code).toBe(0);

    const other = join(dir, 'other');
    makeRepo(other, { 'a.txt': 'something else\n' });
    gitIn(other, 'push', '--quiet', '--force', candidate.remote, `HEAD:${candidate.ref}`);
    const bad = await runCli(['verify', runDir, '--digest', freezeDigest]);
    expect(bad.stdout).toContain(`problem: candidate commit ${candidate.commit}: ${candidate.remote} has ${candidate.ref} at`);
    expect(bad.stdout).toContain('FAILED');
    expect(bad.code).toBe(1);
  });
});
