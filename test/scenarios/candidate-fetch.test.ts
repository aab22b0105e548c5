// A pinned candidate crosses by git, not by a shared path (issue 21): the pipeline side snapshots and
// publishes a commit to a bare remote, a scenario worker with its own scratch root fetches exactly that
// commit and evaluates there; a moved ref, a wrong tree and an unreachable remote are EVAL_FAILUREs
// naming the commit.

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createScenarioActivities } from '../../activities/scenarios';
import { publishApproved, publishCandidate } from '../../activities/workspace/publish';
import { snapshotWorkspace } from '../../activities/workspace/snapshot';
import { createWorkspace, releaseWorkspace } from '../../activities/workspace/workspace';
import type { Candidate } from '../../core/evaluation';
import type { CandidateSnapshot, WorkspaceRecord } from '../../core/workspace';
import { gitIn, makeRepo } from '../helpers/git-repo';
import { ScenarioRoot } from './helpers';

const twin = { kind: 'twin' } as const;
const root = new ScenarioRoot();

describe('pinned candidates on the scenario side', () => {
  let pipelineSide: string;
  let scenarioSide: string;
  let runRoot: string;
  let ws: WorkspaceRecord;
  let published: CandidateSnapshot;

  beforeEach(async () => {
    pipelineSide = await mkdtemp(join(tmpdir(), 'factory-pipeline-'));
    scenarioSide = await mkdtemp(join(tmpdir(), 'factory-scenario-side-'));
    runRoot = join(pipelineSide, 'runs');
    makeRepo(join(pipelineSide, 'base'), { 'README.md': 'base\n', 'answer.txt': 'unset\n' });
    ws = await createWorkspace({ runId: 'cand-1', runRoot, base: { path: join(pipelineSide, 'base') } });
    await writeFile(join(ws.dir, 'answer.txt'), 'forty-two\n');
    await snapshotWorkspace(ws, { runId: 'cand-1', node: 'implement', attempt: 1 });
    published = await publishCandidate({ runId: 'cand-1', runRoot, workspace: ws });
  });
  afterEach(async () => {
    await rm(pipelineSide, { recursive: true, force: true });
    await rm(scenarioSide, { recursive: true, force: true });
  });

  const candidateOf = (snapshot: CandidateSnapshot): Candidate => ({ ref: `git+${snapshot.remote}#${snapshot.commit}`, exports: {}, snapshot });
  const evaluate = (scenarios: Record<string, unknown>[], snapshot = published, scratchRoot = join(scenarioSide, 'scratch')) => {
    const acts = createScenarioActivities({ scenariosRoot: root.dir, scratchRoot });
    const { file, digest } = root.write('pinned', scenarios.map((s, i) => ({ id: `s${i}`, ...s })));
    return (index = 0) => acts.runScenario({ suite: { file }, expectedDigest: digest, index, candidate: candidateOf(snapshot), provider: twin });
  };
  const evalFailureOf = async (p: Promise<unknown>): Promise<ApplicationFailure> => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('EVAL_FAILURE');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    return err as ApplicationFailure;
  };

  it('evaluates the commit fetched into its own scratch root after the pipeline side removed its workspace', async () => {
    expect(published.remote).toBe(join(runRoot, '.factory', 'candidates.git'));
    expect(published.ref).toBe(`refs/factory/candidates/cand-1/${published.commit}`);
    expect(published.change).toEqual({ from: ws.start, files: 1, added: 1, deleted: 1 });
    await releaseWorkspace({ runRoot, runId: 'cand-1', keep: 'never', succeeded: true });
    expect(existsSync(ws.dir)).toBe(false);
    const scratch = join(scenarioSide, 'scratch');
    const check = `test "$(cat answer.txt)" = forty-two && test "$FACTORY_CANDIDATE_COMMIT" = ${published.commit} && test "$FACTORY_CANDIDATE_TREE" = ${published.tree} && case "$PWD" in ${scratch}/*) true;; *) false;; esac`;
    const run = evaluate([{ kind: 'command', run: check }, { kind: 'command', run: 'echo scribble > answer.txt' }, { kind: 'command', run: 'test "$(cat answer.txt)" = forty-two' }]);
    await expect(run(0)).resolves.toEqual({ status: 'pass' });
    // the candidate is read-only inside the scenario sandbox (issue 20): a scenario that tries to write
    // into its copy fails, and the next scenario's copy is still as published
    await expect(run(1)).resolves.toMatchObject({ status: 'fail' });
    await expect(run(2)).resolves.toEqual({ status: 'pass' });
    expect(await readdir(join(scratch, 'trees'))).toEqual([]);
    expect(await readdir(join(scratch, 'objects'))).toEqual([`${published.commit}.git`]);
  });

  it('fails the evaluation naming the commit when the candidate ref was force-pushed to other content', async () => {
    const other = join(pipelineSide, 'other');
    makeRepo(other, { 'answer.txt': 'something else\n' });
    gitIn(other, 'push', '--quiet', '--force', published.remote, `HEAD:${published.ref}`);
    const f = await evalFailureOf(evaluate([{ kind: 'command', run: 'true' }])());
    expect(f.message).toContain(`candidate commit ${published.commit}`);
    expect(f.message).toContain('force-pushed');
    expect(existsSync(join(scenarioSide, 'scratch', 'objects', `${published.commit}.git`))).toBe(false);
  });

  it('fails the evaluation naming the commit when the tree digest differs from the published one', async () => {
    const f = await evalFailureOf(evaluate([{ kind: 'command', run: 'true' }], { ...published, tree: '0'.repeat(40) })());
    expect(f.message).toContain(`candidate commit ${published.commit} has tree ${published.tree}`);
  });

  it('fails the evaluation naming the commit when the remote cannot be reached', async () => {
    const gone = { ...published, remote: join(scenarioSide, 'no-such-remote.git') };
    const f = await evalFailureOf(evaluate([{ kind: 'command', run: 'true' }], gone)());
    expect(f.message).toContain(`candidate commit ${published.commit} could not be fetched from ${gone.remote}`);
  });

  it('refuses a snapshot whose fields git could mistake for options, without running git', async () => {
    const hostile = { ...published, remote: '--upload-pack=touch /tmp/pwned', ref: 'refs/heads/../../x' };
    const f = await evalFailureOf(evaluate([{ kind: 'command', run: 'true' }], hostile)());
    expect(f.message).toContain('remote is not a usable git remote');
    expect(f.message).toContain('ref is not under refs/factory/candidates/');
  });

  it('publishes the approved commit as a branch, and refuses to rewind that branch to another commit', async () => {
    const branch = 'approved/{runId}';
    await expect(publishApproved({ runId: 'cand-1', runRoot, workspace: ws, commit: published.commit, branch })).resolves.toMatchObject({ branch: 'approved/cand-1' });
    expect(gitIn(pipelineSide, `--git-dir=${published.remote}`, 'rev-parse', 'refs/heads/approved/cand-1').trim()).toBe(published.commit);
    await expect(publishApproved({ runId: 'cand-1', runRoot, workspace: ws, commit: ws.start, branch })).rejects.toThrow(/rejected/);
    expect(gitIn(pipelineSide, `--git-dir=${published.remote}`, 'rev-parse', 'refs/heads/approved/cand-1').trim()).toBe(published.commit);
    await expect(publishApproved({ runId: 'cand-1', runRoot, workspace: ws, commit: published.commit, branch: 'bad..name' })).rejects.toThrow(/not a valid branch name/);
  });
});
