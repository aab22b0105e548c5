// Continue-as-new while a run waits at a human gate (issue 10 item 4): signals that land while a gate is
// open grow history, so the run hands over to a new execution carrying the OPEN gate (answers, original
// deadline, visit) instead of being terminated by the server's history limits.
import type { WorkflowHandle } from '@temporalio/client';
import type { RunEvent } from '../../core/run-model';
import { approveSignal, gatesQuery, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import type { RunInput, RunResult } from '../../workflows/types';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, scriptHandler, startedNodes, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { runCli } from '../client/run-cli';
import { followEvents } from '../../client/progress';
import { SEARCH_ATTRIBUTES } from '../../core/temporal-names';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.script', script.handler));

type Handle = WorkflowHandle<typeof runPipeline>;

const gated = (human: string) =>
  pipelineYaml(
    'gated',
    [`{ id: review, type: wait.human, prompt: "Ship it?", human: { ${human} } }`, '{ id: ship, type: test.script }', '{ id: revise, type: test.script }'],
    ['{ from: start, to: review }', '{ from: review, to: ship, label: "[A] Approve" }', '{ from: review, to: revise, label: "[R] Revise" }', '{ from: revise, to: exit }', '{ from: ship, to: exit }'],
  );

const of = (events: RunEvent[], type: string) => events.filter((e) => e.type === type);

/** Every execution of the run's chain, oldest first, with its status and (after the first) its input's size in bytes. */
async function executions(handle: Handle): Promise<{ runId: string; status: string; inputBytes: number }[]> {
  const listed: { runId: string; status: string; start: number }[] = [];
  for await (const wf of env.client.workflow.list({ query: `WorkflowId="${handle.workflowId}"` })) {
    listed.push({ runId: wf.runId, status: wf.status.name, start: wf.startTime.getTime() });
  }
  listed.sort((a, b) => a.start - b.start);
  const out: { runId: string; status: string; inputBytes: number }[] = [];
  for (const [i, wf] of listed.entries()) {
    // the first execution's history holds the oversized signals (more than one gRPC message): only the carried inputs are read
    const history = i === 0 ? undefined : await env.client.workflow.getHandle(handle.workflowId, wf.runId).fetchHistory();
    const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    out.push({ runId: wf.runId, status: wf.status, inputBytes: (started?.input?.payloads ?? []).reduce((n, p) => n + (p.data?.length ?? 0), 0) });
  }
  return out;
}

async function openGate(handle: Handle, gate: string): Promise<void> {
  await eventually(async () => {
    const s = await handle.query(statusQuery);
    return s.status === 'awaiting_human' && s.openGates.includes(gate);
  });
}

/** Waits until the latest execution has no pending activity or workflow task and its history stopped growing. */
async function quiescent(handle: Handle): Promise<void> {
  let last = '';
  await eventually(async () => {
    const d = await handle.describe();
    const now = `${d.runId}/${d.historyLength}`;
    const idle = (d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask && now === last;
    last = now;
    return idle;
  }, 20_000, 300);
}

/** Sends `n` approve signals refused for their size (never applied, never echoed). */
async function oversized(handle: Handle, n: number, bytes = 40_000): Promise<void> {
  for (let i = 0; i < n; i++) await handle.signal(approveSignal, { by: 'mallory', comment: `${i}:${'x'.repeat(bytes)}` });
}

/** Waits until the events query shows `n` events of `type`. */
async function eventCount(handle: Handle, type: string, n: number): Promise<RunEvent[]> {
  return eventually(async () => {
    const events = await allEvents(handle);
    return of(events, type).length >= n ? events : undefined;
  }, 60_000, 200);
}

describe('continue-as-new at a human gate', () => {
  it('keeps the gate open with its earlier answer across continue-as-new and completes on the second approve when 30 oversized signals land while it waits', async () => {
    const handle = await env.start(workspace(gated('approvers: [alice, bob, carol], quorum: 2')), { historyLimit: 40 });
    await openGate(handle, 'review');
    // a follower by workflow id (factory run/watch) from the first event to run.completed, across the hand-overs
    const followed: RunEvent[] = [];
    const following = followEvents(handle, (e) => void followed.push(e), { intervalMs: 100 });
    await handle.signal(approveSignal, { by: 'alice', comment: 'first vote' });
    await eventually(async () => ((await handle.query(gatesQuery))[0]?.answers.length === 1 ? true : undefined));

    await oversized(handle, 30);
    await eventCount(handle, 'gate.answer_rejected', 30);
    const chain = await eventually(async () => {
      const c = await executions(handle);
      return c.length >= 2 ? c : undefined;
    });
    expect(chain.slice(0, -1).map((e) => e.status)).toEqual(chain.slice(0, -1).map(() => 'CONTINUED_AS_NEW'));
    expect(chain[chain.length - 1]?.status).toBe('RUNNING');
    console.log(`gate continue-as-new: ${chain.length} executions, input bytes ${chain.map((e) => e.inputBytes).join(', ')}`);
    // the carried input holds no raw answer: far below one refused signal's payload
    for (const e of chain.slice(1)) expect(e.inputBytes).toBeLessThan(40_000);

    // still parked at the same gate, the first vote kept, in the latest execution
    expect(await handle.query(statusQuery)).toMatchObject({ status: 'awaiting_human', openGates: ['review'], currentNode: 'review' });
    const [gate] = await handle.query(gatesQuery);
    expect(gate).toMatchObject({ id: 'review', closed: false, quorum: 2, answers: [{ by: 'alice', choice: 'ship', comment: 'first vote' }] });
    const attrs = (await handle.describe()).searchAttributes as Record<string, unknown[]>;
    expect(attrs[SEARCH_ATTRIBUTES.status]).toEqual(['awaiting_human']);
    const status = await runCli(['status', handle.workflowId, '--address', testTemporalEnv().address, '--namespace', testTemporalEnv().namespace]);
    expect(status.stdout).toContain('awaiting_human');

    // `factory approve` follows the workflow id to the latest execution
    const approved = await runCli(['approve', handle.workflowId, '--by', 'bob', '--address', testTemporalEnv().address, '--namespace', testTemporalEnv().namespace]);
    expect(approved).toMatchObject({ code: 0, stdout: 'gate review closed: ship\n' });
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');

    const events = await allEvents(handle);
    expectGapless(events);
    expect(readEvents(result.runDir as string)).toEqual(events);
    await following;
    expect(followed).toEqual(events);
    expect(startedNodes(events)).toEqual(['start', 'review', 'ship']);
    for (const type of ['run.awaiting_human', 'gate.opened', 'gate.closed', 'run.resumed']) expect([type, of(events, type)]).toEqual([type, [expect.anything()]]);
    expect(of(events, 'gate.answered').map((e) => [e.data['by'], e.data['votes']])).toEqual([['alice', 1], ['bob', 2]]);
    expect(of(events, 'gate.answer_rejected')).toHaveLength(30);
    expect(JSON.stringify(events)).not.toContain('xxxxxxxxxx');
    // one run.continued_as_new per handover; those at the gate name it (a later one may come between stages)
    expect(of(events, 'run.continued_as_new')).toHaveLength((await executions(handle)).length - 1);
    const atGate = of(events, 'run.continued_as_new').filter((e) => e.data['gate'] !== undefined);
    expect(atGate.length).toBeGreaterThanOrEqual(chain.length - 1);
    for (const e of atGate) expect(e.data).toMatchObject({ next: 'review', gate: 'review' });
  }, 180_000);

  it('continues as new on the server\'s suggestion and completes when 1.5 MB approve signals land at a gate under the default history limit', async () => {
    const handle = await env.start(workspace(gated('approvers: [alice]')));
    await openGate(handle, 'review');
    // the attack that used to end in a terminated run: history passes the server's suggested size (4 MB)
    await oversized(handle, 5, 1_500_000);
    await eventCount(handle, 'gate.answer_rejected', 5);
    const chain = await eventually(async () => {
      const c = await executions(handle);
      return c.length >= 2 ? c : undefined;
    }, 60_000, 500);
    for (const e of chain.slice(1)) expect(e.inputBytes).toBeLessThan(100_000);
    const sizes: number[] = [];
    for await (const wf of env.client.workflow.list({ query: `WorkflowId="${handle.workflowId}"` })) sizes.push(wf.historySize ?? 0);
    console.log(`gate continue-as-new under attack: ${chain.length} executions, history bytes ${sizes.join(', ')}, carried input bytes ${chain.slice(1).map((e) => e.inputBytes).join(', ')}`);
    expect(await handle.query(statusQuery)).toMatchObject({ status: 'awaiting_human', openGates: ['review'] });
    await handle.signal(approveSignal, { by: 'alice' });
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    const events = await allEvents(handle);
    expectGapless(events);
    expect(readEvents(result.runDir as string)).toEqual(events);
    expect(of(events, 'run.continued_as_new')[0]?.data).toMatchObject({ next: 'review', gate: 'review' });
  }, 180_000);

  it('waits at the gate without handing over again and again when the history limit is below what one execution needs', async () => {
    const handle = await env.start(workspace(gated('approvers: [alice]')), { historyLimit: 5 });
    await openGate(handle, 'review');
    // a loop of hand-overs would never let the run go quiet
    await quiescent(handle);
    await handle.signal(approveSignal, { by: 'alice' });
    const result = await handle.result();
    const events = await allEvents(handle);
    expectGapless(events);
    expect(readEvents(result.runDir as string)).toEqual(events);
    // every hand-over happened between stages: none at the gate, which had nothing to shed
    expect(of(events, 'run.continued_as_new').filter((e) => e.data['gate'] !== undefined)).toEqual([]);
    expect(of(events, 'run.continued_as_new')).toHaveLength((await executions(handle)).length - 1);
  }, 120_000);

  it('times out at the original deadline, not one reset by continue-as-new, when the gate has a timeout', async () => {
    const handle = await env.start(workspace(gated('timeout: 8s, default_choice: revise')), { historyLimit: 35 });
    await openGate(handle, 'review');
    const [opened] = await handle.query(gatesQuery);
    await new Promise((r) => setTimeout(r, 2000));
    await oversized(handle, 20, 20_000);
    const chain = await eventually(async () => {
      const c = await executions(handle);
      return c.length >= 2 ? c : undefined;
    });
    expect(chain.length).toBeGreaterThanOrEqual(2);
    const [carried] = await handle.query(gatesQuery);
    expect(carried).toMatchObject({ id: 'review', openedAt: opened?.openedAt, deadline: opened?.deadline, closed: false });

    const result = await handle.result();
    const events = await allEvents(handle);
    expectGapless(events);
    expect(readEvents(result.runDir as string)).toEqual(events);
    const deadline = Date.parse(opened?.deadline ?? '');
    // the gate's hand-overs (a history-limit continue-as-new may follow once the gate closed: it names no gate)
    const lastHandover = Date.parse(of(events, 'run.continued_as_new').filter((e) => e.data['gate'] === 'review').pop()?.at ?? '');
    const timedOut = Date.parse(of(events, 'gate.timed_out')[0]?.at ?? '');
    expect(lastHandover).toBeLessThan(deadline);
    // the timer of the latest execution fires at the original deadline (a reset one would wait 8 s more)
    expect(timedOut).toBeGreaterThanOrEqual(deadline);
    expect(timedOut).toBeLessThan(lastHandover + 8000);
    expect(of(events, 'gate.closed')[0]?.data).toEqual({ gate: 'review', selected: 'revise', via: 'timeout' });
    expect(startedNodes(events)).toEqual(['start', 'review', 'revise']);
  }, 120_000);
  it('times out at once by the default choice when the carried deadline has already passed as the new execution takes the gate over', async () => {
    const handle = await env.start(workspace(gated('timeout: 1h, default_choice: revise')), { historyLimit: 35 });
    await openGate(handle, 'review');
    await oversized(handle, 20, 20_000);
    const chain = await eventually(async () => {
      const c = await executions(handle);
      return c.length >= 2 && c[c.length - 1]?.status === 'RUNNING' ? c : undefined;
    });
    await openGate(handle, 'review');
    await quiescent(handle); // its first flush done: nothing of it still writes the run directory
    // the input the latest execution took the gate over with, its deadline moved into the past
    const latest = chain[chain.length - 1]?.runId as string;
    const history = await env.client.workflow.getHandle(handle.workflowId, latest).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = JSON.parse(Buffer.from(payload?.data ?? []).toString('utf8')) as RunInput;
    await handle.terminate('replaced by a copy whose deadline has passed');
    const carry = input.carry as NonNullable<RunInput['carry']>;
    expect(carry.gate).toEqual({ node: 'review', visit: 1 });
    const gates = carry.state.gates.map((g) => (g.id === 'review' ? { ...g, deadline: new Date(Date.now() - 60_000).toISOString() } : g));
    const copy = await env.client.workflow.start('runPipeline', {
      taskQueue: env.taskQueue,
      workflowId: `${handle.workflowId}-late`,
      args: [{ ...input, carry: { ...carry, state: { ...carry.state, gates } } }],
    });
    const result = (await copy.result()) as RunResult;
    const events = await allEvents(copy as unknown as Handle);
    expectGapless(events);
    expect(readEvents(result.runDir as string)).toEqual(events);
    expect(of(events, 'gate.opened')).toHaveLength(1);
    expect(of(events, 'gate.timed_out')[0]?.data).toEqual({ gate: 'review', defaultChoice: 'revise' });
    expect(startedNodes(events)).toEqual(['start', 'review', 'revise']);
    // no timer: the gate closed in the new execution's first moments, not an hour later
    const timers = (await copy.fetchHistory()).events?.filter((e) => e.timerStartedEventAttributes) ?? [];
    expect(timers).toEqual([]);
  }, 120_000);
});
