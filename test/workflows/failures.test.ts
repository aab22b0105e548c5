// EXEC_FAILURE and retries through the run workflow (SPEC §4, Attractor §3.5–3.7): tool failures routed
// by a fail edge or failing the run, Temporal retries from the profile's retry policy, backoff,
// non-retryable error types, and routing of the final outcome once retries are exhausted.
import { join } from 'node:path';
import type { Checkpoint, RunEnvelope } from '../../core/run-model';
import { runQuery, statusQuery } from '../../workflows/messages';
import { allEvents, expectGapless, Probe, readEvents, readJson, settle, testProfileYaml, typesOf, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();

const linear = (id: string, body: string, edges: string) => `kind: PipelineSpec
id: ${id}
version: 1.0.0
nodes:
  - { id: start, type: start }
${body}
  - { id: exit, type: exit }
edges:
  - { from: start, to: work }
${edges}
`;

describe('tool failure', () => {
  it('follows the fail edge when a tool stage fails and an outcome=fail edge exists', async () => {
    const ws = workspace(
      linear(
        'tool-fail-routed',
        '  - { id: work, type: tool, tool_command: "echo nope >&2; exit 3" }\n  - { id: recover, type: tool, tool_command: "echo recovered" }',
        '  - { from: work, to: exit, condition: outcome=success }\n  - { from: work, to: recover, condition: outcome=fail }\n  - { from: recover, to: exit }',
      ),
    );
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    const events = await allEvents(handle);
    const failed = events.find((e) => e.type === 'stage.failed');
    expect(failed?.data).toMatchObject({ node: 'work', status: 'fail' });
    expect(String(failed?.data['failure_reason'])).toMatch(/exit code 3|exited with 3|code 3/);
    expect(events.filter((e) => e.type === 'stage.started').map((e) => e.data['node'])).toEqual(['start', 'work', 'recover']);
    const cp = readJson<Checkpoint>(join(result.runDir as string, 'checkpoint.json'));
    expect(cp.completed_nodes).toEqual(['start', 'work', 'recover', 'exit']);
    expect(cp.node_outcomes['work']).toBe('fail');
    expect(readJson(join(result.runDir as string, 'work', 'status.json'))['outcome']).toBe('fail');
  });

  it('fails the run with EXEC_FAILURE, stage.failed, run.failed then run.completed when a tool fails with no failure route', async () => {
    const ws = workspace(linear('tool-fail-unrouted', '  - { id: work, type: tool, tool_command: "exit 7" }', '  - { from: work, to: exit, condition: outcome=success }'));
    const handle = await env.start(ws);
    const settled = await settle(handle);
    if (settled.ok) throw new Error('expected the run to fail');
    expect(settled.failure.type).toBe('EXEC_FAILURE');
    expect(settled.failure.nonRetryable).toBe(true);
    expect(settled.failure.message).toMatch(/^EXEC_FAILURE: stage "work" failed and has no failure route/);
    expect(settled.failure.message).toContain('recovery: ');
    const events = await allEvents(handle);
    expect(typesOf(events)).toEqual([
      'run.created',
      'run.started',
      'stage.started',
      'stage.completed',
      'stage.started',
      'stage.failed',
      'run.failed',
      'run.completed',
    ]);
    expectGapless(events);
    expect(events[6]?.data).toMatchObject({ domain: 'EXEC_FAILURE', node: 'work' });
    expect(events[7]?.data).toMatchObject({ outcome: 'failed', domain: 'EXEC_FAILURE' });
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ status: 'completed', failure: { domain: 'EXEC_FAILURE' } });
    const envelope = await handle.query(runQuery);
    expect(envelope.failure).toMatchObject({ domain: 'EXEC_FAILURE', node: 'work' });
    expect(envelope.outcome).toBe('failed');
    const runDir = envelope.runDir as string;
    expect(readEvents(runDir)).toEqual(events);
    expect(readJson<RunEnvelope>(join(runDir, 'run.json')).failure?.domain).toBe('EXEC_FAILURE');
  });
});

/** A profile whose retry backoff is large enough to measure on a dev server (its timers fire ~1 s late at worst): 1 s, ×2.5. */
const BACKOFF_PROFILE = testProfileYaml().replace(
  'retry: { initial_interval: 100ms, backoff_coefficient: 2, maximum_interval: 1s, maximum_attempts: 1 }',
  'retry: { initial_interval: 1s, backoff_coefficient: 2.5, maximum_interval: 10s, jitter: false, maximum_attempts: 1, non_retryable_error_types: [DeployRefusedError] }',
);

class DeployRefusedError extends Error {
  override readonly name = 'DeployRefusedError';
}

describe('retries', () => {
  it('retries twice then succeeds with attempts 3 and growing backoff when max_retries=2 and the stage fails twice', async () => {
    const probe = new Probe((_s, call) => (call <= 2 ? { status: 'fail', failure_reason: `flake ${call}` } : { status: 'success' }));
    env.register('test.flaky', probe.handler);
    const ws = workspace(linear('retry-ok', '  - { id: work, type: test.flaky, max_retries: 2 }', '  - { from: work, to: exit }'), { profile: BACKOFF_PROFILE });
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(probe.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const envelope = await handle.query(runQuery);
    expect(envelope.stages['work']).toMatchObject({ attempts: 3, executions: 1, status: 'success' });
    const cp = readJson<Checkpoint>(join(result.runDir as string, 'checkpoint.json'));
    expect(cp.node_retries).toEqual({ work: 2 });
    expect(cp.context['internal.retry_count.work']).toBe(2);
    const done = (await allEvents(handle)).find((e) => e.type === 'stage.completed' && e.data['node'] === 'work');
    expect(done?.data['attempts']).toBe(3);
    // backoff: ~1 s then ~2.5 s (initial_interval 1s, backoff_coefficient 2.5); asserted loosely
    const [a, b, c] = probe.calls.map((x) => x.at) as [number, number, number];
    const first = b - a;
    const second = c - b;
    console.log(`retry gaps: ${first} ms, ${second} ms`);
    expect(first).toBeGreaterThanOrEqual(900);
    expect(second).toBeGreaterThanOrEqual(2300);
    expect(second / first).toBeGreaterThan(1.6);
    expect(second / first).toBeLessThan(4);
  });

  it('uses the graph default_max_retries when the node sets none', async () => {
    const probe = new Probe((_s, call) => (call <= 1 ? { status: 'retry' } : { status: 'success' }));
    env.register('test.flaky-default', probe.handler);
    const ws = workspace(linear('retry-default', '  - { id: work, type: test.flaky-default }', '  - { from: work, to: exit }').replace('version: 1.0.0', 'version: 1.0.0\ndefault_max_retries: 1'));
    const result = await (await env.start(ws)).result();
    expect(result.outcome).toBe('succeeded');
    expect(probe.calls.map((c) => c.attempt)).toEqual([1, 2]);
  });

  it('does not retry (§3.5 default) when neither node nor graph sets retries, whatever the profile maximum_attempts', async () => {
    const probe = new Probe(() => ({ status: 'fail', failure_reason: 'always' }));
    env.register('test.always-fails', probe.handler);
    const profile = testProfileYaml().replace('maximum_attempts: 1', 'maximum_attempts: 3');
    const ws = workspace(linear('retry-profile', '  - { id: work, type: test.always-fails }', '  - { from: work, to: exit, condition: outcome=success }'), { profile });
    const handle = await env.start(ws);
    const settled = await settle(handle);
    expect(settled.ok).toBe(false);
    expect(probe.calls).toHaveLength(1);
    expect(typesOf(await allEvents(handle))).not.toContain('stage.retrying');
  });

  it('takes the attempts of the profile preset when the node and graph set none', async () => {
    const probe = new Probe((_s, call) => (call <= 2 ? { status: 'retry' } : { status: 'success' }));
    env.register('test.preset', probe.handler);
    const profile = testProfileYaml().replace('retry: { initial_interval: 100ms, backoff_coefficient: 2, maximum_interval: 1s, maximum_attempts: 1 }', 'retry: { preset: standard, jitter: false }');
    const handle = await env.start(workspace(linear('retry-preset', '  - { id: work, type: test.preset }', '  - { from: work, to: exit }'), { profile }));
    expect((await handle.result()).outcome).toBe('succeeded');
    const retries = (await allEvents(handle)).filter((e) => e.type === 'stage.retrying');
    expect(retries.map((e) => [e.data['attempt'], e.data['max_attempts'], e.data['next_delay_ms']])).toEqual([
      [1, 5, 200],
      [2, 5, 400],
    ]);
  });

  it('emits stage.retrying with attempt, reason and a jittered delay it then waits when jitter is on', async () => {
    const probe = new Probe((_s, call) => (call <= 2 ? { status: 'fail', failure_reason: `flake ${call}` } : { status: 'success' }));
    env.register('test.jitter', probe.handler);
    const profile = testProfileYaml().replace('retry: { initial_interval: 100ms, backoff_coefficient: 2, maximum_interval: 1s, maximum_attempts: 1 }', 'retry: { initial_interval: 400ms, backoff_coefficient: 2, jitter: true }');
    const handle = await env.start(workspace(linear('retry-jitter', '  - { id: work, type: test.jitter, max_retries: 2 }', '  - { from: work, to: exit }'), { profile }));
    expect((await handle.result()).outcome).toBe('succeeded');
    const retries = (await allEvents(handle)).filter((e) => e.type === 'stage.retrying');
    expect(retries.map((e) => e.data)).toEqual([
      expect.objectContaining({ node: 'work', attempt: 1, max_attempts: 3, status: 'fail', reason: 'flake 1' }),
      expect.objectContaining({ node: 'work', attempt: 2, max_attempts: 3, status: 'fail', reason: 'flake 2' }),
    ]);
    const [d1, d2] = retries.map((e) => Number(e.data['next_delay_ms'])) as [number, number];
    expect(d1).toBeGreaterThanOrEqual(200);
    expect(d1).toBeLessThan(600);
    expect(d2).toBeGreaterThanOrEqual(400);
    expect(d2).toBeLessThan(1200);
    const [a, b, c] = probe.calls.map((x) => x.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(d1 - 50);
    expect(c - b).toBeGreaterThanOrEqual(d2 - 50);
  });

  it('does not retry when the handler throws an error class the profile lists as non-retryable', async () => {
    const probe = new Probe(() => {
      throw new DeployRefusedError('production is frozen');
    });
    env.register('test.refuses', probe.handler);
    const ws = workspace(
      linear(
        'non-retryable',
        '  - { id: work, type: test.refuses, max_retries: 3 }\n  - { id: recover, type: tool, tool_command: "true" }',
        '  - { from: work, to: exit, condition: outcome=success }\n  - { from: work, to: recover, condition: outcome=fail }\n  - { from: recover, to: exit }',
      ),
      { profile: BACKOFF_PROFILE },
    );
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(probe.calls).toHaveLength(1);
    expect(result.outcome).toBe('succeeded');
    const failed = (await allEvents(handle)).find((e) => e.type === 'stage.failed');
    expect(failed?.data).toMatchObject({ node: 'work', attempts: 1 });
    expect(String(failed?.data['failure_reason'])).toContain('DeployRefusedError: production is frozen');
    expect((await handle.query(runQuery)).stages['work']).toMatchObject({ attempts: 1, status: 'fail' });
  });

  it('routes the final FAIL through the fail edge when retries are exhausted', async () => {
    const probe = new Probe((_s, call) => ({ status: 'fail', failure_reason: `attempt ${call} broke` }));
    env.register('test.exhausts', probe.handler);
    const ws = workspace(
      linear(
        'exhausted',
        '  - { id: work, type: test.exhausts, max_retries: 1 }\n  - { id: recover, type: tool, tool_command: "true" }',
        '  - { from: work, to: exit, condition: outcome=success }\n  - { from: work, to: recover, condition: outcome=fail }\n  - { from: recover, to: exit }',
      ),
    );
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(probe.calls.map((c) => c.attempt)).toEqual([1, 2]);
    const events = await allEvents(handle);
    expect(events.find((e) => e.type === 'stage.failed')?.data).toMatchObject({ node: 'work', attempts: 2, failure_reason: 'attempt 2 broke' });
    expect(events.filter((e) => e.type === 'stage.started').map((e) => e.data['node'])).toEqual(['start', 'work', 'recover']);
    expect(readJson(join(result.runDir as string, 'work', 'status.json'))['outcome']).toBe('fail');
  });

  it('accepts partial_success when a RETRY stage exhausts its retries and allows partial', async () => {
    const probe = new Probe(() => ({ status: 'retry' }));
    env.register('test.partial', probe.handler);
    const ws = workspace(
      linear('partial', '  - { id: work, type: test.partial, max_retries: 1, allow_partial: true }', '  - { from: work, to: exit, condition: outcome=partial_success }'),
    );
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(probe.calls).toHaveLength(2);
    expect((await handle.query(runQuery)).stages['work']?.status).toBe('partial_success');
  });
});
