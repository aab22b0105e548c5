// The scenario activities called directly (no Temporal): each kind passes and fails on real
// processes and a real local HTTP service; infrastructure trouble is thrown; suites resolve by file or
// registry ref with digest checks; the manifest carries no scenario content.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createScenarioActivities } from '../../activities/scenarios';
import { ScenarioConfigError, ScenarioInfraError } from '../../activities/errors';
import { scenarioRegistryRoot } from '../../activities/scenarios/suites';
import type { Candidate } from '../../core/evaluation';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { candidateDir, candidateService, closedPort, ScenarioRoot, type ScenarioDoc } from './helpers';

const twin: ProviderConfig = { kind: 'twin' };
const root = new ScenarioRoot();
const acts = createScenarioActivities({ scenariosRoot: root.dir });
let service: Awaited<ReturnType<typeof candidateService>>;
let candidate: Candidate;
let candidatePath: string;

beforeAll(async () => {
  service = await candidateService();
  const c = candidateDir({ 'README.md': 'A Greeter. It is Tested and Documented.\n', 'src/x.txt': 'nested' }, { 'candidate.url': service.url, answer: 42 });
  candidate = c.candidate;
  candidatePath = c.dir;
});
afterAll(() => service.close());

/** Runs a one-scenario suite against the shared candidate. */
async function runOne(scenario: ScenarioDoc, opts: { provider?: ProviderConfig; candidate?: Candidate } = {}) {
  const { file, digest } = root.write('one', [{ id: 's1', ...scenario }]);
  return acts.runScenario({ suite: { file }, expectedDigest: digest, index: 0, candidate: opts.candidate ?? candidate, provider: opts.provider ?? twin });
}

describe('command scenarios', () => {
  test.each<[string, 'pass' | 'fail', ScenarioDoc]>([
    ['stdout contains the text', 'pass', { kind: 'command', run: 'echo hello world', expect: { stdout_contains: ['hello'] } }],
    ['the exit code differs', 'fail', { kind: 'command', run: 'exit 3' }],
    ['the expected non-zero exit code is met', 'pass', { kind: 'command', run: 'exit 2', expect: { exit_code: 2 } }],
    ['stdout does not match', 'fail', { kind: 'command', run: 'echo nope', expect: { stdout_matches: '^yes$' } }],
    ['stdout lacks a substring', 'fail', { kind: 'command', run: 'echo a', expect: { stdout_contains: ['a', 'b'] } }],
    ['the command times out', 'fail', { kind: 'command', run: 'sleep 5', timeout: '200ms' }],
    ['it runs in the candidate directory', 'pass', { kind: 'command', run: 'test -f README.md && test -f src/x.txt' }],
  ])('%s → %s', async (_what, status, scenario) => {
    expect((await runOne(scenario)).status).toBe(status);
  });

  it('sees the candidate environment when it runs, and none of the worker\'s own variables', async () => {
    // the worker's variables stay outside the sandbox (allow-list): U is set for the worker, not for the command
    const run = `test "$FACTORY_EXPORT_CANDIDATE_URL" = '${service.url}' && test "$FACTORY_EXPORT_ANSWER" = 42 && test "$FACTORY_CANDIDATE_PATH" = '${candidatePath}' && test -n "$FACTORY_CANDIDATE_REF" && test -z "$U"`;
    const acts2 = createScenarioActivities({ scenariosRoot: root.dir, env: { ...process.env, U: service.url } });
    const { file, digest } = root.write('env', [{ id: 'e', kind: 'command', run }]);
    await expect(acts2.runScenario({ suite: { file }, expectedDigest: digest, index: 0, candidate, provider: twin })).resolves.toEqual({ status: 'pass' });
  });

  it('throws a retryable infrastructure error when the candidate is not on this worker', async () => {
    const missing: Candidate = { ref: 'file:///nonexistent/factory/candidate', exports: {} };
    await expect(runOne({ kind: 'command', run: 'true' }, { candidate: missing })).rejects.toBeInstanceOf(ScenarioInfraError);
  });
});

describe('http scenarios', () => {
  test.each<[string, 'pass' | 'fail', ScenarioDoc]>([
    ['status and JSON paths match', 'pass', { kind: 'http', request: { path: '/health' }, expect: { json: { '$.status': 'ok', '$.items[1]': 2, "$.meta['build id']": 'b7' } } }],
    ['a JSON value differs', 'fail', { kind: 'http', request: { path: '/health' }, expect: { json: { '$.status': 'down' } } }],
    ['a JSON path is missing', 'fail', { kind: 'http', request: { path: '/health' }, expect: { json: { '$.nope[0]': 1 } } }],
    ['the status differs', 'fail', { kind: 'http', request: { path: '/boom' } }],
    ['body, headers and method are sent', 'pass', { kind: 'http', request: { method: 'POST', path: '/echo', headers: { 'x-token': 'tok' }, body: 'payload' }, expect: { status: 201, body_contains: ['tok:payload'] } }],
    ['the body lacks a substring', 'fail', { kind: 'http', request: { path: '/health' }, expect: { body_contains: ['missing'] } }],
  ])('%s → %s', async (_what, status, scenario) => {
    expect((await runOne(scenario)).status).toBe(status);
  });

  it('fails when the candidate has no URL', async () => {
    const noUrl = candidateDir({ 'a.txt': 'x' }).candidate;
    expect((await runOne({ kind: 'http', request: { path: '/health' } }, { candidate: noUrl })).status).toBe('fail');
  });

  it('uses an http(s) candidate ref as the base URL when there is no candidate.url export', async () => {
    expect((await runOne({ kind: 'http', request: { path: '/health' } }, { candidate: { ref: service.url, exports: {} } })).status).toBe('pass');
  });

  it('throws a retryable infrastructure error naming no path when the connection is refused', async () => {
    const port = await closedPort();
    const err = await runOne({ kind: 'http', request: { path: '/secret-path' } }, { candidate: { ref: `http://127.0.0.1:${port}`, exports: {} } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioInfraError);
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect((err as Error).message).not.toContain('secret-path');
  });
});

describe('judge scenarios', () => {
  test.each<[string, 'pass' | 'fail', ScenarioDoc]>([
    ['every criterion appears (any case)', 'pass', { kind: 'judge', rubric: 'Is it good?', criteria: ['greeter', 'TESTED', 'documented'] }],
    ['a criterion is missing', 'fail', { kind: 'judge', rubric: 'Is it good?', criteria: ['greeter', 'benchmarked'] }],
    ['the rubric bullet lines appear', 'pass', { kind: 'judge', rubric: 'Check:\n- tested\n- documented\nnot a criterion' }],
    ['a rubric bullet line is missing', 'fail', { kind: 'judge', rubric: 'Check:\n- tested\n- translated' }],
    ['the exports hold the criterion', 'pass', { kind: 'judge', rubric: '- "answer":42' }],
  ])('twin: %s → %s', async (_what, status, scenario) => {
    expect((await runOne(scenario)).status).toBe(status);
  });

  test.each<[string, string, 'pass' | 'fail']>([
    ['the agent exits 0', 'grep -q Documented', 'pass'],
    ['the agent exits non-zero', 'grep -q Undocumented', 'fail'],
  ])('agent: %s → %s', async (_what, script, status) => {
    const provider: ProviderConfig = { kind: 'agent', command: ['sh', '-c', script], timeout_ms: 10_000 };
    expect((await runOne({ kind: 'judge', rubric: 'r' }, { provider })).status).toBe(status);
  });

  describe('openai', () => {
    let server: Server;
    let base: string;
    const replies: [number, string][] = [];
    const prompts: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          prompts.push(body);
          const [status, content] = replies.shift() ?? [500, ''];
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content } }] }));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));
    const provider = (): ProviderConfig => ({ kind: 'openai', model: 'judge-1', base_url: base, api_key_env: 'JUDGE_KEY', timeout_ms: 10_000 });
    const withKey = createScenarioActivities({ scenariosRoot: root.dir, env: { JUDGE_KEY: 'k' } });
    const judge = async () => {
      const { file, digest } = root.write('oa', [{ id: 'j', kind: 'judge', rubric: 'RUBRIC-TEXT' }]);
      return withKey.runScenario({ suite: { file }, expectedDigest: digest, index: 0, candidate, provider: provider() });
    };

    test.each<[string, [number, string], string | (new (...a: never[]) => Error)]>([
      ['the model says pass', [200, '```json\n{"pass": true, "reason": "fine"}\n```'], 'pass'],
      ['the model says fail', [200, '{"pass": false, "reason": "no tests"}'], 'fail'],
      ['the server is down (503)', [503, ''], ScenarioInfraError],
      ['the answer is not the verdict JSON', [200, 'I think it is fine'], ScenarioInfraError],
      ['the request is refused (401)', [401, ''], ScenarioConfigError],
    ])('%s', async (_what, reply, expected) => {
      replies.push(reply);
      if (typeof expected === 'string') expect((await judge()).status).toBe(expected);
      else await expect(judge()).rejects.toBeInstanceOf(expected);
      expect(prompts[prompts.length - 1]).toContain('RUBRIC-TEXT');
    });
  });
});

describe('signatures from runScenario', () => {
  it('are equal when the same failure differs only in numbers and paths', async () => {
    const a = await runOne({ kind: 'command', run: 'echo "cannot open /tmp/a1/x.log at 12:00:01" >&2; exit 1' });
    const b = await runOne({ kind: 'command', run: 'echo "cannot open /var/b22/y.log at 13:45:09" >&2; exit 1' });
    const c = await runOne({ kind: 'command', run: 'echo "disk full" >&2; exit 1' });
    expect(a.signature).toMatch(/^sig-[0-9a-f]{12}$/);
    expect(a.signature).toBe(b.signature);
    expect(c.signature).not.toBe(a.signature);
  });
});

describe('suitePlan', () => {
  it('resolves suite and profile must-pass ids to indexes and counts unknown ones when planning', async () => {
    const { file, digest } = root.write('plan', [
      { id: 'a', kind: 'command', run: 'true' },
      { id: 'b', kind: 'command', run: 'true', timeout: '2m' },
      { id: 'c', kind: 'command', run: 'true' },
    ], { pass_bar: { satisfaction: 0.5, must_pass: ['c'] } });
    const plan = await acts.suitePlan({ suite: { file }, expectedDigest: digest, mustPass: ['a', 'c', 'zz'] });
    expect(plan).toEqual({ id: 'plan', version: '1.0.0', digest, count: 3, satisfaction: 0.5, mustPassIdx: [0, 2], unknownMustPass: 1, maxTimeoutMs: 120_000 });
  });

  it('throws EVAL_FAILURE when the digest differs from the one bound at boot', async () => {
    const { file } = root.write('plan2', [{ id: 'a', kind: 'command', run: 'true' }]);
    const err = await acts.suitePlan({ suite: { file }, expectedDigest: 'f'.repeat(64) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'EVAL_FAILURE', nonRetryable: true });
  });

  it('throws EVAL_FAILURE naming no scenario text when the suite does not load', async () => {
    const { file, digest } = root.write('bad', [{ id: 'a', kind: 'command', run: 'true', canarybad: 1 }]);
    const err = (await acts.suitePlan({ suite: { file }, expectedDigest: digest }).catch((e: unknown) => e)) as ApplicationFailure;
    expect(err.type).toBe('EVAL_FAILURE');
    expect(JSON.stringify([err.message, err.details])).not.toContain('canarybad');
  });
});

describe('suiteManifest', () => {
  const CANARY = 'canaryq7x2';
  const canarySuite: ScenarioDoc[] = [
    { id: `${CANARY}-c`, title: CANARY, kind: 'command', run: `echo ${CANARY}`, expect: { stdout_contains: [CANARY], stdout_matches: CANARY } },
    { id: `${CANARY}-h`, title: CANARY, kind: 'http', request: { method: 'POST', path: `/${CANARY}`, headers: { 'x-c': CANARY }, body: CANARY }, expect: { body_contains: [CANARY], json: { [`$.${CANARY}`]: CANARY } } },
    { id: `${CANARY}-j`, title: CANARY, kind: 'judge', rubric: CANARY, criteria: [CANARY] },
  ];

  it('returns only id, version, digest, count, capabilities and pipeline compatibility when asked for a published suite', async () => {
    const pub = await root.publish('manifest-suite', canarySuite, { capabilities: ['node'], pass_bar: { must_pass: [`${CANARY}-c`] } });
    const manifest = await acts.suiteManifest({ suite: { ref: pub.ref } });
    expect(manifest).toEqual({ id: 'manifest-suite', version: '1.0.0', digest: pub.digest, count: 3, capabilities: ['node'], pipeline_id: 'demo', pipeline_major: 1 });
    expect(JSON.stringify(manifest)).not.toContain(CANARY);
  });

  it('computes the same manifest from a suite file when given a path', async () => {
    const { file, digest } = root.write('manifest-file', canarySuite);
    const manifest = await acts.suiteManifest({ suite: { file } });
    expect(manifest).toMatchObject({ digest, count: 3 });
    expect(JSON.stringify(manifest)).not.toContain(CANARY);
  });

  it('throws BOOT_FAILURE at once, never waiting on it, when the suite file is a FIFO', async () => {
    const fifo = join(new ScenarioRoot().dir, 'suite.yaml');
    execFileSync('mkfifo', [fifo]);
    await expect(acts.suiteManifest({ suite: { file: fifo } })).rejects.toMatchObject({ type: 'BOOT_FAILURE', message: expect.stringContaining('on the scenario worker is not a regular file') });
  });

  it('throws BOOT_FAILURE listing the published versions when the ref is unknown', async () => {
    await root.publish('known', [{ id: 'a', kind: 'command', run: 'true' }]);
    await expect(acts.suiteManifest({ suite: { ref: 'known@9.9.9' } })).rejects.toMatchObject({ type: 'BOOT_FAILURE', message: expect.stringContaining('1.0.0') });
  });

  it('throws BOOT_FAILURE when a published suite file was modified', async () => {
    const pub = await root.publish('tampered', [{ id: 'a', kind: 'command', run: 'true' }]);
    appendFileSync(pub.file, '# changed\n');
    await expect(acts.suiteManifest({ suite: { ref: pub.ref } })).rejects.toMatchObject({ type: 'BOOT_FAILURE', message: expect.stringContaining('immutable suite modified') });
  });
});

describe('scenario root', () => {
  it('finds the registry under scenarios/ when given a project root', () => {
    const project = new ScenarioRoot().dir;
    mkdirSync(join(project, 'scenarios'));
    writeFileSync(join(project, 'scenarios', 'registry.lock.json'), '{"lockfileVersion":1,"entries":[]}');
    expect(scenarioRegistryRoot(project)).toBe(join(project, 'scenarios'));
    expect(scenarioRegistryRoot(join(project, 'scenarios'))).toBe(join(project, 'scenarios'));
  });
});
