// evaluateSuite on the real dev server with a scenario worker on its own task queue: pass/fail per
// kind, clusters, pass bar, EVAL_FAILURE (digest, empty suite, infrastructure), bounded parallelism,
// and holdout isolation (a canary in every scenario field never reaches the summary or the history).
import { readdirSync, readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Candidate } from '../../core/evaluation';
import { createScenarioActivities } from '../../activities/scenarios';
import { createScenarioWorker } from '../../workers/scenarios';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { candidateDir, candidateService, closedPort, type ScenarioDoc } from './helpers';
import { activityAttempts, historyText, useScenarioEnv } from './temporal';

const env = useScenarioEnv();
let service: Awaited<ReturnType<typeof candidateService>>;
let candidate: Candidate;

beforeAll(async () => {
  service = await candidateService();
  candidate = candidateDir({ 'README.md': 'A greeter, tested and documented.\n' }, { 'candidate.url': service.url }).candidate;
});
afterAll(() => service.close());

const passing: ScenarioDoc[] = [
  { id: 'cmd-ok', kind: 'command', run: 'grep -q greeter README.md' },
  { id: 'http-ok', kind: 'http', request: { path: '/health' }, expect: { json: { '$.status': 'ok' } } },
  { id: 'judge-ok', kind: 'judge', rubric: 'Is it tested?', criteria: ['tested', 'documented'] },
];
const failing: ScenarioDoc[] = [
  { id: 'cmd-bad', kind: 'command', run: 'grep -q benchmarked README.md' },
  { id: 'http-bad', kind: 'http', request: { path: '/boom' } },
  { id: 'judge-bad', kind: 'judge', rubric: 'Is it fast?', criteria: ['benchmarked'] },
];

describe('evaluateSuite', () => {
  it('passes the bar when every command, http and judge scenario passes', async () => {
    const { file, digest } = env.root.write('all-pass', passing);
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate }));
    expect(out).toMatchObject({
      ok: true,
      summary: { suite: { id: 'all-pass', version: '1.0.0', digest }, total: 3, passed: 3, failed: 0, errored: 0, satisfaction: 1, requiredSatisfaction: 1, mustPassOk: true, passed_bar: true, signatures: [] },
    });
  });

  it('reports each failing kind as a failed result with its own signature when checks fail', async () => {
    const { file, digest } = env.root.write('mixed', [...passing.slice(0, 1), ...failing]);
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate }));
    if (!out.ok) throw out.failure;
    expect(out.summary).toMatchObject({ total: 4, passed: 1, failed: 3, errored: 0, satisfaction: 0.25, passed_bar: false });
    expect(out.summary.signatures).toHaveLength(3);
    expect(out.summary.signatures.every((s) => s.kind === 'fail' && s.count === 1 && /^sig-[0-9a-f]{12}$/.test(s.signature))).toBe(true);
  });

  it('clusters identical failures with counts, the same in every run, when they differ only in numbers, paths and times', async () => {
    const same = (n: number): ScenarioDoc => ({ id: `same-${n}`, kind: 'command', run: `echo "open /tmp/run-${n}/out.log failed at 10:0${n}:00 (code ${n})" >&2; exit 1` });
    const { file, digest } = env.root.write('cluster', [same(1), same(2), same(3), { id: 'other', kind: 'command', run: 'echo "disk full" >&2; exit 1' }, passing[0] as ScenarioDoc]);
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate, maxParallel: 2 }));
    if (!out.ok) throw out.failure;
    expect(out.summary.signatures.map((s) => s.count)).toEqual([3, 1]);
    expect(out.summary).toMatchObject({ failed: 4, passed: 1 });
    const again = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate }));
    expect(again.ok && again.summary.signatures).toEqual(out.summary.signatures); // stable across runs
  });

  test.each([
    ['the suite bar is met and must-pass ids pass', { satisfaction: 0.5, must_pass: ['cmd-ok'] }, {}, { passed_bar: true, mustPassOk: true, requiredSatisfaction: 0.5 }],
    ['a profile must-pass id fails', { satisfaction: 0.5 }, { must_pass: ['cmd-bad'] }, { passed_bar: false, mustPassOk: false }],
    ['the profile bar is stricter than the suite bar', { satisfaction: 0.5 }, { satisfaction: 0.8 }, { passed_bar: false, requiredSatisfaction: 0.8 }],
  ])('applies the pass bar when %s', async (_what, suiteBar, profileBar, expected) => {
    const { file, digest } = env.root.write('bar', [...passing.slice(0, 2), failing[0] as ScenarioDoc, passing[2] as ScenarioDoc], { pass_bar: suiteBar });
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate, passBar: profileBar }));
    expect(out).toMatchObject({ ok: true, summary: { satisfaction: 0.75, ...expected } });
  });

  it('throws EVAL_FAILURE when the suite digest differs from the one bound at boot', async () => {
    const { file } = env.root.write('digest', passing);
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: '0'.repeat(64), candidate }));
    expect(out).toMatchObject({ ok: false, failure: { type: 'EVAL_FAILURE', nonRetryable: true } });
    if (!out.ok) expect(out.details.causes.join('\n')).toContain('changed between boot and evaluation');
  });

  it('throws EVAL_FAILURE when a published suite changed between boot (manifest) and evaluation', async () => {
    const pub = await env.root.publish('republished', passing);
    const manifest = await createScenarioActivities({ scenariosRoot: env.root.dir }).suiteManifest({ suite: { ref: pub.ref } });
    appendFileSync(pub.file, '# edited after boot\n');
    const out = await env.settle(await env.start({ suite: { ref: pub.ref }, expectedDigest: manifest.digest, candidate }));
    expect(out).toMatchObject({ ok: false, failure: { type: 'EVAL_FAILURE' } });
    if (!out.ok) expect(out.details.causes.join('\n')).toMatch(/immutable suite modified[\s\S]*changed between boot and evaluation/);
  });

  it('evaluates a published suite by ref when its digest matches', async () => {
    const pub = await env.root.publish('published-ok', passing);
    const out = await env.settle(await env.start({ suite: { ref: pub.ref }, expectedDigest: pub.digest, candidate }));
    expect(out).toMatchObject({ ok: true, summary: { passed: 3, passed_bar: true } });
  });

  it('throws EVAL_FAILURE when the suite is empty', async () => {
    const { file, digest } = env.root.write('empty', []);
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate }));
    expect(out).toMatchObject({ ok: false, failure: { type: 'EVAL_FAILURE' } });
    if (!out.ok) expect(out.details.causes).toEqual(['suite empty@1.0.0 has no scenarios: an empty suite can never approve']);
  });

  it('retries an infrastructure error, then throws EVAL_FAILURE with the summary when a service refuses connections', async () => {
    const down: Candidate = { ref: `http://127.0.0.1:${await closedPort()}`, exports: {} };
    const { file, digest } = env.root.write('infra-http', [{ id: 'h', kind: 'http', request: { path: '/health' } }, passing[2] as ScenarioDoc]);
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate: down }));
    expect(out).toMatchObject({ ok: false, failure: { type: 'EVAL_FAILURE', nonRetryable: true } });
    if (out.ok) return;
    expect(out.details.summary).toMatchObject({ total: 2, errored: 1, failed: 1, passed_bar: false });
    expect(out.details.summary?.signatures).toContainEqual(expect.objectContaining({ kind: 'error', count: 1 }));
    expect(out.details.causes[0]).toMatch(/^1 of 2 scenarios errored/);
    expect(await activityAttempts(env.client, out.workflowId)).toContain(3);
  });

  it('retries, then throws EVAL_FAILURE when the candidate directory is missing on the scenario worker', async () => {
    const gone: Candidate = { ref: 'file:///nonexistent/factory-candidate', exports: {} };
    const { file, digest } = env.root.write('infra-cmd', [passing[0] as ScenarioDoc]);
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate: gone }));
    expect(out).toMatchObject({ ok: false, failure: { type: 'EVAL_FAILURE' }, details: { summary: { errored: 1 } } });
  });

  it('runs at most maxParallel scenarios at once when given a bound', async () => {
    // the candidate is read-only inside its sandbox and shares nothing with its siblings, so the running
    // scenarios are counted from outside: host processes `sleep <unusual length>`, sampled until the end
    const { candidate: c } = candidateDir({}, {});
    const LENGTH = '1.50731';
    const slow = (i: number): ScenarioDoc => ({ id: `slow-${i}`, kind: 'command', run: `sleep ${LENGTH}` });
    const { file, digest } = env.root.write('parallel', [0, 1, 2, 3, 4, 5].map(slow));
    const running = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        const [prog, arg] = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return prog === 'sleep' && arg === LENGTH;
      } catch {
        return false;
      }
    }).length;
    let peak = 0;
    let done = false;
    const sampling = (async () => {
      while (!done) {
        peak = Math.max(peak, running());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate: c, maxParallel: 2 }));
    done = true;
    await sampling;
    expect(out).toMatchObject({ ok: true, summary: { passed: 6 } });
    expect(peak).toBe(2);
  });

  it('waits in the queue and completes once a scenario worker starts when none is up', async () => {
    const queue = uniqueId('late-scenarios');
    const { file, digest } = env.root.write('late', passing.slice(0, 1));
    const handle = await env.start({ suite: { file }, expectedDigest: digest, candidate }, queue);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const late = await createScenarioWorker({ connection: env.native, namespace: testTemporalEnv().namespace, taskQueue: queue, scenariosRoot: env.root.dir, workflowBundle: env.bundle });
    const summary = await late.runUntil(handle.result());
    expect(summary).toMatchObject({ passed: 1, passed_bar: true });
  });
});

describe('holdout isolation', () => {
  const CANARY = 'zqcanary0x5e1';
  const canaryScenarios = (): ScenarioDoc[] => [
    { id: `${CANARY}-cmd`, title: `title ${CANARY}`, kind: 'command', run: `echo ${CANARY}; echo ${CANARY} >&2; exit 4`, expect: { exit_code: 0, stdout_contains: [`${CANARY}!`], stdout_matches: `^${CANARY}$` } },
    {
      id: `${CANARY}-http`,
      title: `title ${CANARY}`,
      kind: 'http',
      request: { method: 'POST', path: `/${CANARY}`, headers: { 'x-canary': CANARY }, body: CANARY },
      expect: { status: 299, body_contains: [CANARY], json: { [`$.${CANARY}`]: CANARY } },
    },
    { id: `${CANARY}-judge`, title: `title ${CANARY}`, kind: 'judge', rubric: `- ${CANARY} rubric`, criteria: [`${CANARY} criterion`] },
  ];

  it('keeps a canary from every scenario field out of the summary and the evaluation history when scenarios fail', async () => {
    const { file, digest } = env.root.write('isolation', canaryScenarios(), { pass_bar: { must_pass: [`${CANARY}-cmd`] } });
    expect(readFileSync(file, 'utf8').split(CANARY).length).toBeGreaterThan(15);
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate, passBar: { must_pass: [] } }));
    if (!out.ok) throw out.failure;
    expect(out.summary).toMatchObject({ total: 3, failed: 3, mustPassOk: false });
    expect(JSON.stringify(out.summary)).not.toContain(CANARY);
    const history = await historyText(env.client, out.workflowId);
    expect(history).toContain(digest); // payloads are decoded: the input is readable here
    expect(history).not.toContain(CANARY);
    expect(service.hits).toContain(`POST /${CANARY}`); // the scenario worker did read and use the body
  });

  it('keeps the canary out of the EVAL_FAILURE and the history when scenarios error', async () => {
    const down: Candidate = { ref: `http://127.0.0.1:${await closedPort()}`, exports: {} };
    const { file, digest } = env.root.write('isolation-infra', canaryScenarios());
    const out = await env.settle(await env.start({ suite: { file }, expectedDigest: digest, candidate: down }));
    expect(out).toMatchObject({ ok: false, failure: { type: 'EVAL_FAILURE' } });
    if (out.ok) return;
    expect(JSON.stringify([out.failure.message, out.details])).not.toContain(CANARY);
    const history = await historyText(env.client, out.workflowId);
    expect(history).toContain('ECONNREFUSED');
    expect(history).not.toContain(CANARY);
  });
});
