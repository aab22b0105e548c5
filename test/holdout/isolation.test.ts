// Holdout isolation (SPEC §5) and the late scenario worker: runs wait in `evaluating` until a scenario
// worker polls; a suite changed between boot and evaluation is an EVAL_FAILURE; and a canary string in
// every scenario field reaches nothing on the pipeline side — history, run directory, events, the
// pipeline worker's output, the CLI's output — while it does reach the scenario side.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { DecisionRecord } from '../../core/decision-policy';
import { SEARCH_ATTRIBUTES } from '../../core/temporal-names';
import { runQuery, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { runCli, spawnCli, type CliResult } from '../client/run-cli';
import { eventually, readJson, sleep } from '../helpers/runs';
import { uniqueId } from '../helpers/temporal';
import { closedPort } from '../scenarios/helpers';
import { historyText } from '../scenarios/temporal';
import { allEvents, filesUnder, settleRun, useHoldoutEnv } from './env';

const env = useHoldoutEnv({ lateScenarioWorker: true });

const PASSING = [
  { id: 'greets', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['hello'] } },
  { id: 'judged', kind: 'judge', rubric: 'The candidate says hello.', criteria: ['hello'] },
];

describe('late scenario worker', () => {
  it('waits in evaluating without a scenario worker, then approves the unchanged suite and fails the changed one with EVAL_FAILURE once one starts', async () => {
    expect(env.scenarioWorker).toBeUndefined();
    const unchanged = await env.publishSuite('late-unchanged', PASSING);
    const changed = await env.publishSuite('late-changed', PASSING);
    const profile = env.profile();
    const pipeline = env.pipeline();
    const a = await env.start({ pipeline, profile, suite: { ref: unchanged.ref } });
    const b = await env.start({ pipeline, profile, suite: { ref: changed.ref } });

    for (const h of [a, b]) await eventually(async () => (await h.query(statusQuery)).status === 'evaluating', 60_000);
    await sleep(2000);
    for (const h of [a, b]) {
      expect((await h.query(statusQuery)).status).toBe('evaluating');
      const desc = await h.describe();
      expect(desc.status.name).toBe('RUNNING');
      expect((desc.searchAttributes as Record<string, unknown[]>)[SEARCH_ATTRIBUTES.status]).toEqual(['evaluating']);
      const child = await env.client.workflow.getHandle(`${h.workflowId}.evaluation.0`).describe();
      expect({ status: child.status.name, taskQueue: child.taskQueue, type: child.type }).toEqual({ status: 'RUNNING', taskQueue: env.scenarioQueue, type: 'evaluateSuite' });
    }
    // The suite changes on the scenario side after boot bound its digest.
    appendFileSync(changed.file, '# edited after publishing\n');

    const startedAt = Date.now();
    await env.startScenarioWorker();
    const [endA, endB] = await Promise.all([settleRun(a), settleRun(b)]);
    console.log(`late scenario worker: runs settled ${Date.now() - startedAt} ms after the worker process was spawned`);

    expect(endA).toMatchObject({ ok: true, result: { outcome: 'approved' } });
    expect(endB.ok).toBe(false);
    if (endB.ok) return;
    expect(endB.failure.type).toBe('EVAL_FAILURE');
    const envelope = await b.query(runQuery);
    expect(envelope).toMatchObject({ outcome: 'failed', failure: { domain: 'EVAL_FAILURE' } });
    expect(envelope.failure?.causes.join('\n')).toContain(`the run was booted with ${changed.digest}: the suite changed between boot and evaluation`);
    const types = (await allEvents(b)).map((e) => e.type);
    expect(types.slice(-3)).toEqual(['run.evaluating', 'run.failed', 'run.completed']);
  }, 180_000);
});

describe('holdout isolation (canary)', () => {
  const C = `CANARY-${randomUUID()}`;
  const hits: string[] = [];
  let serviceUrl = '';
  let suite: { ref: string; file: string; digest: string };
  const service = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push(`${req.method} ${req.url} ${String(req.headers['x-canary'])} ${body}`);
      if (req.url === `/${C}/echo`) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ canary: req.headers['x-canary'], body }));
      else res.writeHead(404).end(`not found: ${req.url}`);
    });
  });
  // The canary in every field a scenario has: ids, titles, commands, expected output, http method
  // path/headers/body and expectations, rubrics, criteria, and the suite's must_pass ids.
  const scenarios = [
    { id: `cmd-pass-${C}`, title: `title ${C}`, kind: 'command', run: `echo ${C}`, expect: { exit_code: 0, stdout_contains: [C], stdout_matches: C } },
    { id: `cmd-fail-${C}`, title: `title ${C}`, kind: 'command', run: `echo ${C}; exit 3`, expect: { exit_code: 0, stdout_contains: [`${C}-never`], stdout_matches: `^${C}-never$` } },
    {
      id: `http-pass-${C}`,
      title: `title ${C}`,
      kind: 'http',
      request: { method: 'POST', path: `/${C}/echo`, headers: { 'x-canary': C }, body: C },
      expect: { status: 200, body_contains: [C], json: { '$.canary': C, '$.body': C } },
    },
    {
      id: `http-fail-${C}`,
      title: `title ${C}`,
      kind: 'http',
      request: { method: 'PUT', path: `/${C}/missing`, headers: { 'x-canary': C }, body: C },
      expect: { status: 200, body_contains: [C], json: { '$.canary': C } },
    },
    { id: `judge-pass-${C}`, title: `title ${C}`, kind: 'judge', rubric: `Judge ${C}\n- hello`, criteria: ['hello'] },
    { id: `judge-fail-${C}`, title: `title ${C}`, kind: 'judge', rubric: `Judge ${C}\n- ${C}`, criteria: [C] },
  ];
  const cli = (args: string[]) => spawnCli([...args, '--address', env.address], env.pipelineRoot);
  /** Read commands run in-process (same main(), output captured; no tsx start-up per call). */
  const read = (args: string[]) => runCli(args[0] === 'verify' ? args : [...args, '--address', env.address], env.pipelineRoot);

  beforeAll(async () => {
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', () => r()));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    suite = await env.publishSuite('canary-suite', scenarios, { pass_bar: { satisfaction: 0.5, must_pass: [`cmd-pass-${C}`, `http-pass-${C}`] } });
  });
  afterAll(() => new Promise<void>((r) => service.close(() => r())));

  /** Asserts C is absent from everything the pipeline side holds for `runId`; returns the CLI outputs read. */
  async function expectNoCanary(runId: string, opts: { evaluated: boolean; allReads?: boolean }): Promise<{ decoded: string; outputs: CliResult[] }> {
    const handle = env.client.workflow.getHandle(runId);
    const envelope = await handle.query(runQuery);
    const history = await handle.fetchHistory();
    const decoded = await historyText(env.client, runId);
    expect(decoded).toContain(envelope.digests.pipeline); // payloads are decoded (the envelope carries the digests)
    expect(JSON.stringify(history)).not.toContain(C);
    expect(decoded).not.toContain(C);
    if (opts.evaluated) {
      expect(decoded).toContain('evaluateSuite'); // the child's start and end, as the parent saw them
      const evalHistory = await historyText(env.client, `${runId}.evaluation.0`);
      expect(evalHistory).toContain(suite.digest);
      expect(evalHistory).not.toContain(C);
    }
    const events = await allEvents(handle);
    expect(events[events.length - 1]?.type).toBe('run.completed');
    expect(JSON.stringify(events)).not.toContain(C);
    expect(JSON.stringify(envelope)).not.toContain(C);
    const reads = opts.allReads ? [['status', runId, '--json'], ['status', runId], ['events', runId, '--json'], ['events', runId], ['gates', runId, '--json']] : [['status', runId, '--json'], ['events', runId]];
    const outputs = await Promise.all(reads.map(read));
    if (envelope.runDir) {
      expect(existsSync(join(envelope.runDir, 'artifacts.sha256.json'))).toBe(true);
      const files = filesUnder(envelope.runDir);
      expect([...files.keys()]).toEqual(expect.arrayContaining(['run.json', 'events.jsonl', 'summary.md', 'summary.json', 'checkpoint.json', 'artifacts.sha256.json']));
      for (const [name, bytes] of files) expect({ name, leaks: name.includes(C) || bytes.toString('utf8').includes(C) }).toEqual({ name, leaks: false });
      if (opts.allReads) outputs.push(...(await Promise.all([read(['events', envelope.runDir]), read(['verify', envelope.runDir, '--json'])])));
    }
    for (const o of outputs) {
      expect(o.stdout.length).toBeGreaterThan(0);
      expect(`${o.stdout}${o.stderr}`).not.toContain(C);
    }
    return { decoded, outputs };
  }

  it('keeps the canary out of history, run directory, events and CLI output when a full run passes some scenarios and fails others', async () => {
    expect(readFileSync(suite.file, 'utf8').split(C).length - 1).toBeGreaterThanOrEqual(scenarios.length * 3);
    await env.startScenarioWorker();
    const runId = uniqueId('canary');
    const run = await cli(['run', env.pipeline({ url: serviceUrl }), '--profile', env.profile(), '--suite', suite.ref, '--registry', env.pipelineRoot, '--run-id', runId]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`run ${runId}: rejected`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(C);

    // The run really evaluated every scenario: 3 passed, 3 failed with 3 distinct signatures.
    const runDir = (await env.client.workflow.getHandle(runId).query(runQuery)).runDir as string;
    const record = readJson<DecisionRecord>(join(runDir, 'decision.json'));
    expect(record.evidence.evaluation).toMatchObject({ total: 6, passed: 3, failed: 3, errored: 0, mustPassOk: true, passed_bar: false });
    expect(record.remediation?.signatures).toHaveLength(3);
    expect(hits.filter((h) => h.split(C).length === 4)).toHaveLength(2);
    const { decoded } = await expectNoCanary(runId, { evaluated: true, allReads: true });
    expect(decoded).toContain(record.remediation?.signatures[0]?.signature); // the child's result, as the parent recorded it
  }, 120_000);

  it('keeps the canary out of the EVAL_FAILURE the pipeline side sees when scenarios hit infrastructure errors', async () => {
    await env.startScenarioWorker();
    const runId = uniqueId('canary-eval');
    const pipeline = env.pipeline({ url: `http://127.0.0.1:${await closedPort()}` });
    const run = await cli(['run', pipeline, '--profile', env.profile(), '--suite', suite.ref, '--registry', env.pipelineRoot, '--run-id', runId, '--json']);
    expect(run.code).toBe(1);
    const last = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { outcome: string; failure: { domain: string; message: string } };
    expect(last).toMatchObject({ outcome: 'failed', failure: { domain: 'EVAL_FAILURE', message: expect.stringContaining('2 of 6 scenarios errored') } });
    expect(`${run.stdout}${run.stderr}`).not.toContain(C);
    const end = await settleRun(env.client.workflow.getHandle(runId) as WorkflowHandle<typeof runPipeline>);
    expect(end.ok).toBe(false);
    if (end.ok) return;
    expect(JSON.stringify({ message: end.failure.message, details: end.failure.details })).not.toContain(C);
    await expectNoCanary(runId, { evaluated: true });
  }, 120_000);

  it('keeps the canary out of the BOOT_FAILURE when a suite file that quotes it does not load on the scenario worker', async () => {
    await env.startScenarioWorker();
    const bad = env.scenarios.write('canary-broken', [
      { id: `bad-kind-${C}`, kind: C, run: C },
      { id: `bad-expect-${C}`, kind: 'command', run: `echo ${C}`, expect: { exit_code: C, stdout_contains: C } },
    ]);
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile(), suite: { file: bad.file.slice(env.scenarios.dir.length + 1) } });
    const end = await settleRun(handle);
    expect(end.ok).toBe(false);
    if (end.ok) return;
    expect(end.failure.type).toBe('BOOT_FAILURE');
    expect(JSON.stringify({ message: end.failure.message, details: end.failure.details })).not.toContain(C);
    await expectNoCanary(handle.workflowId, { evaluated: false });
  }, 120_000);

  it('never lets the canary into the pipeline worker process output, while the scenario worker saw it', () => {
    expect(hits.length).toBeGreaterThan(0);
    expect(env.pipelineWorker.output).toContain('pipeline worker on');
    expect(env.pipelineWorker.output).not.toContain(C);
    expect(env.scenarioWorker?.output).toContain(C);
  });
});
