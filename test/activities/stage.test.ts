// executeStage's retry semantics, driven through runStage with an explicit attempt number
// (@temporalio/testing is not installed, so the Temporal Context is replaced by AttemptContext).

import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { HandlerRegistry, type Handler } from '../../activities/handler-registry';
import { createDefaultHandlers } from '../../activities/handlers';
import { fanInHandler, heuristicSelect, type BranchResult } from '../../activities/handlers/fan-in';
import { readEvents } from '../../activities/run-dir';
import { retriesExhausted, runStage, stageDirName, type AttemptContext } from '../../activities/stage';
import type { Outcome } from '../../core/outcome';
import { events, failureOf, node, stageContext, stageInput, tempDir } from './helpers';

const attempt = (n: number, extra: Partial<AttemptContext> = {}): AttemptContext => ({
  attempt: n,
  heartbeat: () => undefined,
  signal: new AbortController().signal,
  ...extra,
});

/** A registry whose `custom` handler returns (or throws) what the test says. */
function registryWith(execute: Handler['execute']): HandlerRegistry {
  return new HandlerRegistry().register('custom', { execute });
}

class FlakyToolError extends Error {}
class FatalConfigError extends Error {}

describe('runStage retry semantics', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  const custom = (extra = {}) => node('s', { type: 'custom', ...extra });
  const run = (outcome: Outcome | (() => Promise<Outcome>), n: number, max = 3, extraNode = {}, extraInput = {}) =>
    runStage(stageInput(dir, custom(extraNode), { maxAttempts: max, ...extraInput }), attempt(n), {
      env: process.env,
      handlers: registryWith(typeof outcome === 'function' ? outcome : async () => outcome),
    });

  test.each([
    ['fail', 'STAGE_FAILED'],
    ['retry', 'STAGE_RETRY'],
  ] as const)('throws a retryable %s failure while attempts remain', async (status, type) => {
    const f = await failureOf(run({ status, failure_reason: 'not yet' }, 1));
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toBe('not yet');
    const status_ = JSON.parse(await readFile(join(dir, 's', 'status.json'), 'utf8'));
    expect(status_).toMatchObject({ outcome: status, failure_reason: 'not yet', attempt: 1 });
  });

  it('returns FAIL on the last attempt so the workflow can route it', async () => {
    expect(await run({ status: 'fail', failure_reason: 'broken' }, 3)).toMatchObject({ status: 'fail', failure_reason: 'broken', attempts: 3 });
  });

  it('turns RETRY into FAIL "max retries exceeded" on the last attempt when allow_partial is false', async () => {
    const res = await run({ status: 'retry', failure_reason: 'again' }, 2, 2);
    expect(res.status).toBe('fail');
    expect(res.failure_reason).toMatch(/^max retries exceeded after 2 attempts: again$/);
  });

  it('turns RETRY into PARTIAL_SUCCESS on the last attempt when allow_partial is true', async () => {
    expect(await run({ status: 'retry' }, 2, 2, { allow_partial: true })).toMatchObject({ status: 'partial_success', attempts: 2 });
  });

  test.each(['success', 'partial_success', 'skipped'] as const)('returns %s at once on the first attempt', async (status) => {
    expect(await run({ status }, 1)).toMatchObject({ status, attempts: 1 });
  });

  it('retries a thrown error while attempts remain, then returns FAIL with the error as reason', async () => {
    const boom = async (): Promise<Outcome> => {
      throw new FlakyToolError('disk hiccup');
    };
    const f = await failureOf(run(boom, 1));
    expect(f).toMatchObject({ type: 'STAGE_FAILED', nonRetryable: false, message: 'disk hiccup' });
    expect(await run(boom, 3)).toMatchObject({ status: 'fail', failure_reason: 'disk hiccup', attempts: 3 });
  });

  it('lets a non-retryable error class propagate as non-retryable when listed in nonRetryableErrorTypes', async () => {
    const boom = async (): Promise<Outcome> => {
      throw new FatalConfigError('bad config');
    };
    const f = await failureOf(run(boom, 1, 3, {}, { nonRetryableErrorTypes: ['FatalConfigError'] }));
    expect(f).toMatchObject({ type: 'FatalConfigError', nonRetryable: true, message: 'bad config' });
  });

  it('returns FAIL without retrying when no handler is registered for the node type', async () => {
    const res = await runStage(stageInput(dir, node('s', { type: 'mystery' }), { maxAttempts: 3 }), attempt(1), {
      env: process.env,
      handlers: new HandlerRegistry(),
    });
    expect(res.status).toBe('fail');
    expect(res.failure_reason).toContain('no handler registered for node type "mystery"');
  });

  it('flushes pending events before the handler runs', async () => {
    let seen: number[] = [];
    const handler = async (): Promise<Outcome> => {
      seen = (await readEvents(dir)).map((e) => e.seq);
      return { status: 'success' };
    };
    await run(handler, 1, 3, {}, { pendingWrites: { events: events(1, 3) } });
    expect(seen).toEqual([1, 2, 3]);
  });

  it("ignores a previous attempt's status.json left in an existing stage directory when the handler writes none", async () => {
    await mkdir(join(dir, 's'));
    await writeFile(join(dir, 's', 'status.json'), JSON.stringify({ outcome: 'fail', failure_reason: 'stale from a crashed attempt' }));
    const res = await run({ status: 'success', notes: 'fresh' }, 1, 1);
    expect(res.status).toBe('success');
    expect(JSON.parse(await readFile(join(dir, 's', 'status.json'), 'utf8'))).toMatchObject({ outcome: 'success', notes: 'fresh', attempt: 1 });
  });

  it('fails the stage without blocking on it when the handler leaves a FIFO as status.json', async () => {
    const res = await run(async () => {
      execFileSync('mkfifo', [join(dir, 's', 'status.json')]);
      return { status: 'success' };
    }, 1, 1);
    expect(res).toMatchObject({ status: 'fail', failure_reason: 'cannot read status.json: status.json is not a regular file (a FIFO)' });
    // the stage's own status.json replaced the FIFO
    expect(JSON.parse(await readFile(join(dir, 's', 'status.json'), 'utf8'))).toMatchObject({ outcome: 'fail' });
  });

  it('fails the stage and reads nothing through the link when the handler leaves status.json as a symbolic link', async () => {
    const outside = join(dir, 'outside.json');
    await writeFile(outside, JSON.stringify({ outcome: 'success', notes: 'from outside the stage' }));
    const res = await run(async () => {
      await symlink(outside, join(dir, 's', 'status.json'));
      return { status: 'fail', failure_reason: 'the handler failed' };
    }, 1, 1);
    expect(res).toMatchObject({ status: 'fail', failure_reason: expect.stringMatching(/^status.json is a symbolic link/) });
    expect(JSON.parse(await readFile(outside, 'utf8'))).toEqual({ outcome: 'success', notes: 'from outside the stage' });
  });

  it('refuses, running no handler, when the stage directory name is a dangling link or a file', async () => {
    let ran = false;
    const handler = async (): Promise<Outcome> => {
      ran = true;
      return { status: 'success' };
    };
    await symlink(join(dir, 'nowhere'), join(dir, 's'));
    await expect(run(handler, 1, 1)).rejects.toThrow(/s is a symbolic link → .*nowhere/);
    await unlink(join(dir, 's'));
    await writeFile(join(dir, 's'), 'not a directory');
    await expect(run(handler, 1, 1)).rejects.toThrow(/s is not a directory/);
    expect(ran).toBe(false);
  });

  it('heartbeats while a slow handler runs', async () => {
    const beats: unknown[] = [];
    const slow = () => new Promise<Outcome>((r) => setTimeout(() => r({ status: 'success' }), 250));
    await runStage(stageInput(dir, custom()), attempt(1, { heartbeat: (d) => beats.push(d) }), {
      env: process.env,
      handlers: registryWith(slow),
      heartbeatIntervalMs: 50,
    });
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats[0]).toMatchObject({ node: 's', attempt: 1 });
  });

  it('times out a handler that ignores its signal, using node.timeout_ms over stageTimeoutMs', async () => {
    const never = () => new Promise<Outcome>(() => undefined);
    const started = Date.now();
    const res = await run(never, 3, 3, { timeout_ms: 100 }, { stageTimeoutMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res).toMatchObject({ status: 'fail', failure_reason: 'stage timed out after 100ms' });
  });

  it('rethrows the cancellation when the activity is cancelled mid-stage', async () => {
    const cancel = new AbortController();
    const never = () => new Promise<Outcome>(() => undefined);
    setTimeout(() => cancel.abort(new Error('activity cancelled')), 50);
    await expect(
      runStage(stageInput(dir, custom()), attempt(1, { signal: cancel.signal }), { env: process.env, handlers: registryWith(never) }),
    ).rejects.toThrow('activity cancelled');
  });

  it('runs the default tool handler end to end when dispatching on node.type', async () => {
    const n = node('build', { type: 'tool', tool_command: 'echo built' });
    const res = await runStage(stageInput(dir, n), attempt(1), { env: process.env, handlers: createDefaultHandlers() });
    expect(res).toMatchObject({ status: 'success', context_updates: { 'tool.output': 'built' } });
  });
});

describe('retriesExhausted and stageDirName', () => {
  test.each([
    [false, 'fail'],
    [true, 'partial_success'],
  ] as const)('maps RETRY with allow_partial=%s to %s', (allow, status) => {
    expect(retriesExhausted({ status: 'retry' }, allow, 4).status).toBe(status);
  });

  test.each([
    ['plan', 'plan'],
    ['Plan_2', 'Plan_2'],
    ['../etc', '%2E%2E%2Fetc'],
    ['a/b', 'a%2Fb'],
  ])('names the stage dir of node %s as %s', (id, name) => expect(stageDirName(id)).toBe(name));
});

describe('parallel.fan_in', () => {
  const r = (id: string, status: BranchResult['status'], score?: number): BranchResult => ({ id, status, ...(score !== undefined ? { score } : {}) });

  test.each([
    ['best status wins', [r('a', 'fail'), r('b', 'partial_success'), r('c', 'success')], 'c'],
    ['higher score breaks a status tie', [r('a', 'success', 1), r('b', 'success', 5)], 'b'],
    ['lexical id breaks a full tie', [r('b', 'success'), r('a', 'success')], 'a'],
    ['retry beats fail', [r('a', 'fail', 9), r('b', 'retry')], 'b'],
  ])('selects by the heuristic when %s', (_label, results, best) => {
    expect(heuristicSelect(results)?.id).toBe(best);
  });

  const fanIn = (results: unknown) => fanInHandler.execute(stageContext('/tmp', node('join', { type: 'parallel.fan_in' }), { context: { 'parallel.results': results } }));

  it('succeeds with the best id and outcome in context when a candidate succeeded', async () => {
    expect(await fanIn([r('x', 'fail'), { id: 'y', outcome: 'success', score: 0.5 }])).toMatchObject({
      status: 'success',
      context_updates: { 'parallel.fan_in.best_id': 'y', 'parallel.fan_in.best_outcome': 'success' },
    });
  });

  test.each([
    ['there are no results', undefined],
    ['results are empty', []],
    ['results are malformed', [{ nope: 1 }]],
  ])('fails when %s', async (_label, results) => {
    expect(await fanIn(results)).toMatchObject({ status: 'fail', failure_reason: 'No parallel results to evaluate' });
  });

  it('fails when every candidate failed', async () => {
    expect((await fanIn([r('a', 'fail'), r('b', 'fail')])).status).toBe('fail');
  });
});

describe('auto_status (Attractor §2.6)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('factory-auto-status-')));
  afterEach(() => cleanup());
  const runWith = (returned: unknown, autoStatus: boolean) =>
    runStage(stageInput(dir, node('s', { type: 'custom', auto_status: autoStatus }), { maxAttempts: 1 }), attempt(1), {
      handlers: registryWith(async () => returned as Outcome),
      env: {},
    });

  it.each([
    ['returns nothing', undefined],
    ['returns an object without a status', { notes: 'did it' }],
    ['returns an unknown status', { status: 'done' }],
  ])('succeeds when the handler %s and auto_status is true', async (_what, returned) => {
    expect(await runWith(returned, true)).toMatchObject({ status: 'success', notes: expect.stringContaining('auto_status') });
  });

  it('fails naming auto_status when the handler returns nothing and auto_status is false', async () => {
    expect(await runWith(undefined, false)).toMatchObject({ status: 'fail', failure_reason: expect.stringContaining('auto_status=true') });
  });

  it('keeps the handler status when it gives one, whatever auto_status says', async () => {
    expect(await runWith({ status: 'fail', failure_reason: 'real' }, true)).toMatchObject({ status: 'fail', failure_reason: 'real' });
  });
});
