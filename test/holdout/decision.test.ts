// Holdout evaluation, decision gate and finalize end to end (issue 4): `factory worker` and
// `factory scenario-worker` in separate processes with separate roots, runs started by the CLI or a
// client. Auto decisions (approved / rejected with remediation), EVAL_FAILURE on an infrastructure
// error, human decisions (refused approvals, DECISION_FAILURE with closure blocked), verify and rerun.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import type { DecisionRecord } from '../../core/decision-policy';
import { SEARCH_ATTRIBUTES } from '../../core/temporal-names';
import type { RunEnvelope, RunEvent } from '../../core/run-model';
import { LOCK_FILE } from '../../definitions/registry';
import { approveSignal, decideSignal, decideUpdate, gatesQuery, runQuery, statusQuery } from '../../workflows/messages';
import { persistDecision } from '../../activities/finalize';
import { runCli, spawnCli } from '../client/run-cli';
import { uniqueId } from '../helpers/temporal';
import { gitIn } from '../helpers/git-repo';
import { eventually, expectGapless, readEvents, readJson, typesOf } from '../helpers/runs';
import { closedPort } from '../scenarios/helpers';
import { allEvents, settleRun, useHoldoutEnv } from './env';

const env = useHoldoutEnv();

const PASSING = [
  { id: 'greets', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['hello'] } },
  { id: 'judged', kind: 'judge', rubric: 'The candidate says hello.', criteria: ['hello'] },
];
const FAILING = [
  ...PASSING,
  { id: 'farewell', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['goodbye'] } },
];
const SHA256 = /^[0-9a-f]{64}$/;

/** The CLI against the shared server (commands that talk to Temporal get --address), from the pipeline root. */
function cli(args: readonly string[]) {
  const remote = args[0] !== 'verify';
  return spawnCli([...args, ...(remote ? ['--address', env.address] : [])], env.pipelineRoot);
}

/** The same in-process (main() with captured output): quick for short commands. */
function cliInProcess(args: readonly string[]) {
  const remote = args[0] !== 'verify';
  return runCli([...args, ...(remote ? ['--address', env.address] : [])], env.pipelineRoot);
}

/** Event types of a finished run, from the query and from events.jsonl (must agree), run.completed last. */
function finished(events: RunEvent[], runDir: string): string[] {
  expectGapless(events);
  expect(readEvents(runDir)).toEqual(events);
  expect(events[events.length - 1]?.type).toBe('run.completed');
  return typesOf(events);
}

let approvedRun: { runId: string; runDir: string; freezeDigest: string } | undefined;

/** An approved run without the CLI (when the first test is filtered out). */
async function approvedByClient(): Promise<{ runId: string; runDir: string; freezeDigest: string }> {
  const suite = await env.publishSuite('all-pass', PASSING);
  const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile(), suite: { ref: suite.ref } });
  const result = await handle.result();
  expect(result.outcome).toBe('approved');
  return { runId: result.runId, runDir: result.runDir as string, freezeDigest: (await handle.query(runQuery)).freezeDigest as string };
}

describe('holdout evaluation and the auto decision', () => {
  it('approves with evidence (three digests, evaluation summary, gate answers) and exits 0 when every scenario passes', async () => {
    const suite = await env.publishSuite('all-pass', PASSING);
    expect(readdirSync(join(env.pipelineRoot, 'scenarios'))).toEqual([LOCK_FILE]);
    const runId = uniqueId('ho-approve');
    const pipeline = env.pipeline({ gate: true });
    const cliRun = cli(['run', pipeline, '--profile', env.profile(), '--suite', suite.ref, '--registry', env.pipelineRoot, '--run-id', runId]);
    const handle = env.client.workflow.getHandle(runId);
    const early = cliRun.then((r) => {
      throw new Error(`factory run ended before the gate opened (exit ${r.code}):\n${r.stdout}${r.stderr}`);
    });
    await Promise.race([eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human', 60_000), early]);
    early.catch(() => undefined);
    await handle.signal(approveSignal, { by: 'alice', comment: 'looks good' });
    const out = await cliRun;

    expect(notLint(out.stderr)).toEqual([]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`run ${runId}: approved`);
    expect(out.stdout).toMatch(/## Holdout evaluation\s+2\/2 passed, 0 failed, 0 errored/);
    const envelope = await handle.query(runQuery);
    const runDir = envelope.runDir as string;
    for (const f of ['decision.json', 'summary.md', 'summary.json', 'run.json', 'events.jsonl', 'artifacts.sha256.json']) expect({ f, mode: statSync(join(runDir, f)).mode & 0o777 }).toEqual({ f, mode: 0o444 });
    const types = finished(await allEvents(handle), runDir);
    expect(types.slice(-4)).toEqual(['run.evaluating', 'evaluation.completed', 'run.approved', 'run.completed']);
    const record = readJson<DecisionRecord>(join(runDir, 'decision.json'));
    expect(record).toMatchObject({ runId, decision: 'approved', mode: 'auto', by: 'factory (auto decision)' });
    expect(record.remediation).toBeUndefined();
    expect(record.evidence.digests).toEqual({ profile: expect.stringMatching(SHA256), pipeline: expect.stringMatching(SHA256), suite: suite.digest });
    expect(record.evidence.evaluation).toMatchObject({ suite: { id: 'all-pass', version: '1.0.0', digest: suite.digest }, total: 2, passed: 2, failed: 0, errored: 0, satisfaction: 1, passed_bar: true, signatures: [] });
    expect(record.evidence.gates).toEqual([{ gate: expect.any(String), node: 'review', selected: 'exit', answers: [expect.objectContaining({ by: 'alice', via: 'signal' })] }]);
    expect(record.evidence.checks.every((c) => c.ok)).toBe(true);
    expect(envelope).toMatchObject({ status: 'completed', outcome: 'approved', decision: { decision: 'approved', mode: 'auto' }, freezeDigest: expect.stringMatching(SHA256) });
    // issue 21: what was evaluated and approved is the run's pinned candidate: the build's snapshot commit
    const build = readEvents(runDir).filter((e) => e.type === 'stage.completed' && e.data['node'] === 'build').pop();
    const commit = (build?.data['snapshot'] as { commit?: string } | undefined)?.commit;
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(record.candidate).toMatchObject({ commit, tree: expect.stringMatching(/^[0-9a-f]{40}$/), remote: join(env.pipelineRoot, 'runs', '.factory', 'candidates.git') });
    expect(envelope.candidate).toEqual(record.candidate);
    approvedRun = { runId, runDir, freezeDigest: envelope.freezeDigest as string };
  }, 120_000);

  it('pushes the approved commit as the profile\'s publish_branch when the run is approved (issue 21)', async () => {
    const suite = await env.publishSuite('all-pass', PASSING);
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile({ publishBranch: 'approved/{runId}' }), suite: { ref: suite.ref } });
    const result = await handle.result();
    expect(result.outcome).toBe('approved');
    const record = readJson<DecisionRecord>(join(result.runDir as string, 'decision.json'));
    const candidate = record.candidate as NonNullable<DecisionRecord['candidate']>;
    const approved = (await allEvents(handle)).find((e) => e.type === 'run.approved');
    expect(approved?.data).toMatchObject({ commit: candidate.commit, publishedBranch: `approved/${result.runId}` });
    expect(gitIn(candidate.remote, 'rev-parse', `refs/heads/approved/${result.runId}`).trim()).toBe(candidate.commit);
  }, 120_000);

  it('rejects with a remediation path (failure signatures, rerun point) and exits 1 when a scenario fails', async () => {
    // A suite by file name that only the scenario root holds: its manifest comes from the scenario worker.
    const suite = env.scenarios.write('one-fails', FAILING);
    const name = basename(suite.file);
    expect(existsSync(join(env.pipelineRoot, name))).toBe(false);
    const runId = uniqueId('ho-reject');
    const out = await cli(['run', env.pipeline(), '--profile', env.profile(), '--suite', name, '--registry', env.pipelineRoot, '--run-id', runId, '--json']);
    expect(notLint(out.stderr)).toEqual([]);
    expect(out.code).toBe(1);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[lines.length - 1]).toMatchObject({ runId, outcome: 'rejected', status: 'completed' });

    const handle = env.client.workflow.getHandle(runId);
    const runDir = (await handle.query(runQuery)).runDir as string;
    const events = await allEvents(handle);
    expect(finished(events, runDir).slice(-3)).toEqual(['evaluation.completed', 'run.rejected', 'run.completed']);
    expect(events.find((e) => e.type === 'run.rejected')?.data).toMatchObject({ rerunFrom: 'build', signatures: 1 });
    const record = readJson<DecisionRecord>(join(runDir, 'decision.json'));
    expect(record).toMatchObject({ decision: 'rejected', mode: 'auto', reason: expect.stringContaining('pass_bar') });
    expect(record.remediation).toEqual({ signatures: [{ signature: expect.stringMatching(/^sig-[0-9a-f]{12}$/), count: 1, kind: 'fail' }], rerun_from: 'build', failed_checks: ['pass_bar'] });
    expect(record.evidence.evaluation).toMatchObject({ total: 3, passed: 2, failed: 1, passed_bar: false });
  }, 120_000);

  it('fails the run with EVAL_FAILURE (run.failed, then run.completed) when a scenario hits an infrastructure error', async () => {
    const suite = await env.publishSuite('unreachable', [...PASSING, { id: 'health', kind: 'http', request: { path: '/health' } }]);
    const pipeline = env.pipeline({ url: `http://127.0.0.1:${await closedPort()}` });
    const handle = await env.start({ pipeline, profile: env.profile(), suite: { ref: suite.ref } });
    const end = await settleRun(handle);

    expect(end.ok).toBe(false);
    if (end.ok) return;
    expect(end.failure.type).toBe('EVAL_FAILURE');
    expect(end.failure.message).toContain('errored');
    const envelope = await handle.query(runQuery);
    expect(envelope).toMatchObject({ status: 'completed', outcome: 'failed', failure: { domain: 'EVAL_FAILURE' } });
    const events = await allEvents(handle);
    const types = finished(events, envelope.runDir as string);
    expect(types.slice(-3)).toEqual(['run.evaluating', 'run.failed', 'run.completed']);
    expect(events.find((e) => e.type === 'run.failed')?.data).toMatchObject({ domain: 'EVAL_FAILURE', recovery: 'no approval path; remediate and rerun' });
    expect(existsSync(join(envelope.runDir as string, 'decision.json'))).toBe(false);
    expect(existsSync(join(envelope.runDir as string, 'artifacts.sha256.json'))).toBe(true);
  }, 120_000);
});

describe('human decision', () => {
  it('refuses approved after a failing evaluation (update and CLI give the reason, a signal records decision.failed) and accepts rejected with a remediation', async () => {
    // A suite by file: the pipeline side gets its manifest from the scenario worker, never the file.
    const suite = env.scenarios.write('human-fails', FAILING);
    const file = suite.file.slice(env.scenarios.dir.length + 1);
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile({ mode: 'human' }), suite: { file } });
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human', 60_000);

    const gates = await handle.query(gatesQuery);
    expect(gates).toEqual([expect.objectContaining({ id: 'decision', node: 'decision', closed: false, choices: [expect.objectContaining({ to: 'rejected' })] })]);
    expect(gates[0]?.prompt).toContain('pass_bar FAILED');
    const before = (await allEvents(handle)).length;
    const approve = { decision: 'approved' as const, by: 'carol', reason: 'ship it anyway' };
    const refused = await handle.executeUpdate(decideUpdate, { args: [approve] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(/approved is not allowed: pass_bar .*only rejected with a remediation path/);
    expect(await allEvents(handle)).toHaveLength(before);

    await handle.signal(decideSignal, approve);
    const failed = await eventually(async () => (await allEvents(handle)).find((e) => e.seq > before && e.type === 'decision.failed'));
    expect(failed.data).toMatchObject({ domain: 'DECISION_FAILURE', via: 'signal', by: 'carol', reason: expect.stringContaining('approved is not allowed') });
    expect((await handle.query(statusQuery)).status).toBe('awaiting_human');

    const decide = (...args: string[]) => cliInProcess(['decide', handle.workflowId, '--by', 'carol', ...args]);
    const cliRefused = await decide('--decision', 'approved', '--reason', 'ship it anyway');
    expect(cliRefused.code).toBe(2);
    expect(cliRefused.stderr).toMatch(/decision refused \(DECISION_FAILURE\): approved is not allowed/);
    const cliNoRemediation = await decide('--decision', 'rejected', '--reason', 'farewell is missing');
    expect(cliNoRemediation.code).toBe(2);
    expect(cliNoRemediation.stderr).toContain('rejected needs a remediation path');

    const accepted = await decide('--decision', 'rejected', '--reason', 'farewell is missing', '--remediation', 'add the farewell and rerun from build', '--json');
    expect(accepted.code).toBe(0);
    const record = JSON.parse(accepted.stdout) as DecisionRecord;
    expect(record).toMatchObject({ decision: 'rejected', mode: 'human', by: 'carol', remediation: { rerun_from: 'build', notes: 'add the farewell and rerun from build', failed_checks: ['pass_bar'] } });
    // who sent the decide update, as the server recorded it (issue 20): our CLI's OS user, host and pid
    const cliIdentity = `factory-cli ${userInfo().username}@${hostname()} pid ${process.pid}`;
    expect(record.identity).toBe(cliIdentity);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'rejected', status: 'completed' });
    expect(readJson(join(result.runDir as string, 'decision.json'))).toEqual(record);
    const events = await allEvents(handle);
    const types = finished(events, result.runDir as string);
    expect(types.slice(-4)).toEqual(['run.awaiting_human', 'decision.failed', 'run.rejected', 'run.completed']);
    expect(events.find((e) => e.type === 'run.rejected')?.data).toMatchObject({ by: 'carol', identity: cliIdentity });
    expect(readFileSync(join(result.runDir as string, 'summary.md'), 'utf8')).toContain(`**rejected** by carol (human; Temporal client: ${cliIdentity})`);
  }, 120_000);

  it('records DECISION_FAILURE and keeps the run open (awaiting_human, RUNNING) until a valid decision arrives when decide inputs are invalid', async () => {
    const suite = await env.publishSuite('human-passes', PASSING);
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile({ mode: 'human', approvers: ['alice'] }), suite: { ref: suite.ref } });
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human', 60_000);
    expect((await handle.query(gatesQuery))[0]?.choices.map((c) => c.to)).toEqual(['approved', 'rejected']);
    // what is decided on: the pinned candidate's change and commit (issue 21)
    const pinned = (await handle.query(runQuery)).candidate;
    expect((await handle.query(gatesQuery))[0]?.prompt).toMatch(new RegExp(`; candidate: \\d+ files?, \\+\\d+ -\\d+ at ${pinned?.commit.slice(0, 12)}$`));

    const invalid: [unknown, RegExp][] = [
      [{ by: 'alice', reason: 'no decision' }, /"decision" must be "approved" or "rejected"/],
      [{ decision: 'maybe', by: 'alice', reason: 'unsure' }, /"decision" must be "approved" or "rejected", got "maybe"/],
      [{ decision: 'approved', by: 'mallory', reason: 'I say so' }, /"mallory" may not decide; approvers: alice/],
      [{ decision: 'approved', by: 'alice', reason: '  ' }, /"reason" is required/],
      [{ decision: 'rejected', by: 'alice', reason: 'not good enough' }, /rejected needs a remediation path/],
      [{ decision: 'approved', by: 'alice', reason: 'x'.repeat(20_000) }, /^decision too large: 200\d\d characters/],
    ];
    for (const [input, reason] of invalid) {
      const err = await handle.executeUpdate(decideUpdate, { args: [input as never] }).catch((e: unknown) => e);
      expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(reason);
      await handle.signal(decideSignal, input as never);
    }
    const failures = await eventually(async () => {
      const f = (await allEvents(handle)).filter((e) => e.type === 'decision.failed');
      return f.length === invalid.length && f;
    });
    failures.forEach((f, i) => expect(String(f.data['reason'])).toMatch(invalid[i]?.[1] as RegExp));
    // a refusal never carries the raw input back (the 20,000-character reason above)
    expect(Math.max(...failures.map((f) => JSON.stringify(f.data).length))).toBeLessThan(400);
    expect(failures.every((f) => f.data['domain'] === 'DECISION_FAILURE')).toBe(true);
    expect((await handle.query(statusQuery)).status).toBe('awaiting_human');
    const desc = await handle.describe();
    expect(desc.status.name).toBe('RUNNING');
    expect((desc.searchAttributes as Record<string, unknown[]>)[SEARCH_ATTRIBUTES.status]).toEqual(['awaiting_human']);
    const runDir = (await handle.query(runQuery)).runDir as string;
    expect(existsSync(join(runDir, 'decision.json'))).toBe(false);

    // the valid decision by signal from a client that says it is alice's laptop: the 7th decide signal of this
    // execution (six refused above), so its identity is read from the 7th WorkflowExecutionSignaled named decide
    const connection = await Connection.connect({ address: env.address });
    try {
      const laptop = new Client({ connection, namespace: env.namespace, identity: 'alice-laptop' });
      await laptop.workflow.getHandle(handle.workflowId).signal(decideSignal, { decision: 'approved', by: 'alice', reason: 'holdout green' });
    } finally {
      await connection.close();
    }
    const result = await handle.result();
    expect(result.outcome).toBe('approved');
    const events = await allEvents(handle);
    const types = finished(events, runDir);
    expect(types.slice(-3)).toEqual(['decision.failed', 'run.approved', 'run.completed']);
    expect(readJson<DecisionRecord>(join(runDir, 'decision.json'))).toMatchObject({ decision: 'approved', mode: 'human', by: 'alice', identity: 'alice-laptop', reason: 'holdout green' });
    expect(events.find((e) => e.type === 'run.approved')?.data).toMatchObject({ by: 'alice', identity: 'alice-laptop' });
  }, 120_000);
});

describe('self-approval of the decision', () => {
  it('refuses the decision of the run\'s starter and accepts another approver\'s when the profile says allow_self_approval: false', async () => {
    const suite = await env.publishSuite('human-self', PASSING);
    // env.start starts runs as "tester"
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile({ mode: 'human', approvers: ['alice', 'tester'], allowSelfApproval: false }), suite: { ref: suite.ref } });
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human', 60_000);
    expect((await handle.query(gatesQuery))[0]).toMatchObject({ id: 'decision', allowSelfApproval: false });
    const err = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approved', by: 'tester', reason: 'my own run' }] }).catch((e: unknown) => e);
    expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(/self-approval is not allowed: "tester" started this run/);
    await handle.signal(decideSignal, { decision: 'approved', by: 'tester', reason: 'my own run' });
    await eventually(async () => (await allEvents(handle)).some((e) => e.type === 'decision.failed' && /self-approval/.test(String(e.data['reason']))));
    await handle.signal(decideSignal, { decision: 'approved', by: 'alice', reason: 'holdout green' });
    const result = await handle.result();
    expect(result.outcome).toBe('approved');
    expect(readJson<DecisionRecord>(join(result.runDir as string, 'decision.json'))).toMatchObject({ decision: 'approved', by: 'alice' });
  }, 120_000);
});

describe('human decision across continue-as-new', () => {
  it('continues as new while waiting for the decision, without a second evaluation or gate, and records the decision given after it when refused decide signals pile up', async () => {
    const suite = await env.publishSuite('human-can', PASSING);
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile({ mode: 'human', approvers: ['alice'] }), suite: { ref: suite.ref }, historyLimit: 40 });
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human', 60_000);
    const first = (await handle.describe()).runId;
    for (let i = 0; i < 30; i++) await handle.signal(decideSignal, { decision: 'approved', by: 'mallory', reason: `${i}:${'x'.repeat(20_000)}` });
    // the latest execution took the decision over: still awaiting it, same choices
    await eventually(async () => (await handle.describe()).runId !== first && (await handle.query(statusQuery)).status === 'awaiting_human', 60_000);
    expect((await handle.query(gatesQuery))[0]).toMatchObject({ id: 'decision', choices: [{ to: 'approved' }, { to: 'rejected' }], approvers: ['alice'] });

    const decided = await cliInProcess(['decide', handle.workflowId, '--decision', 'approved', '--reason', 'holdout green', '--by', 'alice']);
    expect(decided).toMatchObject({ code: 0, stdout: `run ${handle.workflowId}: approved by alice — holdout green\n` });
    const result = await handle.result();
    expect(result.outcome).toBe('approved');
    const runDir = result.runDir as string;
    const events = await allEvents(handle);
    const types = finished(events, runDir);
    for (const type of ['run.evaluating', 'evaluation.completed', 'run.awaiting_human', 'run.approved']) expect([type, types.filter((t) => t === type)]).toEqual([type, [type]]);
    const handovers = events.filter((e) => e.type === 'run.continued_as_new' && e.data['gate'] === 'decision');
    expect(handovers.length).toBeGreaterThanOrEqual(1);
    expect(handovers.every((e) => e.data['next'] === 'decision')).toBe(true);
    expect(types.filter((t) => t === 'decision.failed')).toHaveLength(30);
    expect(JSON.stringify(events)).not.toContain('xxxxxxxxxx');
    expect(readJson<DecisionRecord>(join(runDir, 'decision.json'))).toMatchObject({ decision: 'approved', mode: 'human', by: 'alice', evidence: { evaluation: { passed: 2, total: 2 } } });
  }, 180_000);
});

describe('finalize: verify and rerun', () => {
  it('verifies a finished run, links a rerun both ways, and detects a modified artifact (exit 1)', async () => {
    const old = approvedRun ?? (await approvedByClient());
    const ok = await cliInProcess(['verify', old.runDir, '--digest', old.freezeDigest]);
    expect(ok.stdout).toMatch(/^ok: \d+ files match/m);
    const approved = readJson<DecisionRecord>(join(old.runDir, 'decision.json')).candidate;
    expect(ok.stdout).toContain(`candidate commit ${approved?.commit} is in ${approved?.remote}`);
    expect(ok.code).toBe(0);

    const rerun = await cli(['rerun', old.runDir, '--registry', env.pipelineRoot, '--auto-approve', '--json']);
    const result = JSON.parse(rerun.stdout.trim().split('\n').pop() as string) as { runId: string; runDir: string; outcome: string };
    expect(result.outcome).toBe('approved');
    expect(rerun.code).toBe(0);
    expect(readJson<RunEnvelope>(join(result.runDir, 'run.json')).rerunOf).toBe(old.runId);
    expect((await env.client.workflow.getHandle(result.runId).query(runQuery)).rerunOf).toBe(old.runId);
    expect(readJson(join(old.runDir, 'lineage.json'))).toEqual({ runId: old.runId, reruns: [{ runId: result.runId, at: expect.any(String) }] });
    expect((await cliInProcess(['verify', old.runDir, '--digest', old.freezeDigest])).code).toBe(0);

    // decision.json is written once: a different record is refused, even by the activity itself.
    const record = readJson<DecisionRecord>(join(old.runDir, 'decision.json'));
    await expect(persistDecision({ runDir: old.runDir, record: { ...record, decision: 'rejected' } })).rejects.toThrow(/never overwritten/);

    const summary = join(old.runDir, 'summary.md');
    chmodSync(summary, 0o644);
    writeFileSync(summary, '# Run approved (edited afterwards)\n');
    const bad = await cli(['verify', old.runDir, '--digest', old.freezeDigest]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('modified: summary.md');
    expect(bad.stdout).toContain('FAILED');
  }, 180_000);
});

/** stderr without `factory run`'s lint preview (warnings it prints before starting, issue 22). */
function notLint(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !/^lint: /.test(l) && !/^\s+fix: /.test(l));
}
