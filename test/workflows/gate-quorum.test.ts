// A closed approver list can make a gate undecidable (quorum 2 of [alice, bob], one approves, one
// rejects): the gate ends at once with `gate.deadlocked` and the outcome its deadline would give
// (default choice, else FAIL routed as usual), instead of waiting for a 1 h timeout. A quorum that
// can still be reached keeps waiting. Every gate here has `timeout: 1h`: a run that finished waited on no timer.
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { RunEvent } from '../../core/run-model';
import { answerGateUpdate, gatesQuery, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { runCli } from '../client/run-cli';
import { testTemporalEnv } from '../helpers/temporal';
import { allEvents, eventually, expectGapless, pipelineYaml, scriptHandler, settle, startedNodes, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.script', script.handler));

type Handle = WorkflowHandle<typeof runPipeline>;
const of = (events: RunEvent[], type: string) => events.filter((e) => e.type === type);

/** start → review (human settings) → ship | revise | escalate (on fail) → exit. */
const gated = (human: string, edges = ['{ from: review, to: escalate, condition: "outcome=fail" }'], question = '') =>
  pipelineYaml(
    'quorum-gate',
    [
      `{ id: review, type: wait.human, prompt: "Ship it?", human: { timeout: 1h, ${question}${human} } }`,
      '{ id: ship, type: test.script }',
      '{ id: revise, type: test.script }',
      '{ id: escalate, type: test.script }',
    ],
    [
      '{ from: start, to: review }',
      '{ from: review, to: ship, label: "[A] Approve" }',
      '{ from: review, to: revise, label: "[R] Revise" }',
      ...edges,
      '{ from: ship, to: exit }',
      '{ from: revise, to: exit }',
      '{ from: escalate, to: exit }',
    ],
  );

async function openGate(handle: Handle, gate: string) {
  return eventually(async () => {
    const s = await handle.query(statusQuery);
    return s.status === 'awaiting_human' && s.openGates.includes(gate) ? s : undefined;
  });
}

const vote = (handle: Handle, kind: 'approve' | 'reject' | 'answer', by: string, extra: object = {}) =>
  handle.executeUpdate(answerGateUpdate, { args: [{ kind, by, ...extra }] });

describe('a gate whose quorum can no longer be reached', () => {
  it('ends at once and routes as FAIL naming votes, quorum and voters when a 2-of-2 quorum split', async () => {
    const handle = await env.start(workspace(gated('approvers: [alice, bob], quorum: 2')));
    await openGate(handle, 'review');
    await vote(handle, 'approve', 'alice');
    const rejected = await runCli(['reject', handle.workflowId, '--by', 'bob', '--address', testTemporalEnv().address]);
    expect(rejected.stdout).toContain('gate review: answer recorded (ship 1/2, revise 1/2; quorum 2 can no longer be reached (votes: ship 1, revise 1; no approver left to answer): the gate ends now, as at its deadline)');
    expect((await handle.result()).outcome).toBe('succeeded');
    const events = await allEvents(handle);
    expectGapless(events);
    const reason = 'quorum 2 can no longer be reached (votes: ship 1, revise 1; no approver left to answer)';
    expect(of(events, 'gate.deadlocked').map((e) => e.data)).toEqual([
      { gate: 'review', votes: { ship: 1, revise: 1 }, quorum: 2, eligible: [], reason, defaultChoice: null },
    ]);
    expect(of(events, 'gate.timed_out')).toEqual([]);
    expect(of(events, 'gate.closed')[0]?.data).toEqual({ gate: 'review', selected: null, via: 'quorum_unreachable' });
    expect(of(events, 'stage.failed')[0]?.data).toMatchObject({ node: 'review', failure_reason: `human gate review: ${reason}` });
    expect(startedNodes(events)).toEqual(['start', 'review', 'escalate']);
    const types = events.map((e) => e.type);
    expect(types.lastIndexOf('gate.answered')).toBeLessThan(types.indexOf('gate.deadlocked'));
    const shown = await runCli(['events', handle.workflowId, '--address', testTemporalEnv().address]);
    expect(shown.stdout).toContain(`gate review deadlocked: ${reason}`);
    // the patch marker sits where the deadlock was found: the run's own history replays
    await Worker.runReplayHistory({ workflowBundle: env.workflowBundle }, await handle.fetchHistory(), handle.workflowId);
  });

  it('takes the default choice as a timeout would when the deadlocked gate has one', async () => {
    const handle = await env.start(workspace(gated('approvers: [alice, bob, carol], quorum: 3, default_choice: revise')));
    await openGate(handle, 'review');
    await vote(handle, 'approve', 'alice');
    await vote(handle, 'reject', 'bob');
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.deadlocked')[0]?.data).toMatchObject({ votes: { ship: 1, revise: 1 }, quorum: 3, eligible: ['carol'], defaultChoice: 'revise' });
    expect(of(events, 'gate.closed')[0]?.data).toEqual({ gate: 'review', selected: 'revise', via: 'quorum_unreachable' });
    expect(startedNodes(events)).toEqual(['start', 'review', 'revise']);
  });

  it('fails the run with EXEC_FAILURE and the quorum reason when the deadlocked gate has no fail route', async () => {
    const handle = await env.start(workspace(gated('approvers: [alice, bob], quorum: 2', [])));
    await openGate(handle, 'review');
    await vote(handle, 'approve', 'alice');
    await vote(handle, 'reject', 'bob');
    const settled = await settle(handle);
    expect(settled.ok).toBe(false);
    if (!settled.ok) {
      expect(settled.failure.type).toBe('EXEC_FAILURE');
      expect(settled.failure.message).toContain('quorum 2 can no longer be reached');
    }
  });

  it('ends at open without an answer when the only approver started the run and may not self-approve', async () => {
    const handle = await env.start(workspace(gated('approvers: [tester], allow_self_approval: false')), { startedBy: 'tester' });
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.deadlocked')[0]?.data).toMatchObject({ gate: 'review', votes: {}, quorum: 1, eligible: [] });
    expect(of(events, 'gate.answered')).toEqual([]);
    expect(startedNodes(events)).toEqual(['start', 'review', 'escalate']);
    await Worker.runReplayHistory({ workflowBundle: env.workflowBundle }, await handle.fetchHistory(), handle.workflowId);
  });

  it('ends a confirmation gate split yes/no when its 2-of-2 quorum can no longer be reached', async () => {
    const yaml = pipelineYaml(
      'quorum-confirm',
      ['{ id: review, type: wait.human, prompt: "Deploy?", human: { question: confirmation, approvers: [alice, bob], quorum: 2, timeout: 1h } }', '{ id: ship, type: test.script }', '{ id: hold, type: test.script }'],
      ['{ from: start, to: review }', '{ from: review, to: ship, label: "[Y] Yes" }', '{ from: review, to: hold, label: "[N] No" }', '{ from: ship, to: exit }', '{ from: hold, to: exit }'],
    );
    const handle = await env.start(workspace(yaml));
    await openGate(handle, 'review');
    await vote(handle, 'answer', 'alice', { choice: 'yes' });
    await vote(handle, 'answer', 'bob', { choice: 'no' });
    const settled = await settle(handle);
    expect(settled.ok ? undefined : settled.failure.message).toContain('quorum 2 can no longer be reached (votes: ship 1, hold 1; no approver left to answer)');
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'review']);
  });

  it('ends a freeform gate at open when it has fewer approvers than its quorum', async () => {
    const handle = await env.start(workspace(gated('approvers: [alice], quorum: 2', [], 'question: freeform, ')));
    const settled = await settle(handle);
    expect(settled.ok ? undefined : settled.failure.message).toContain('quorum 2 can no longer be reached (votes: none; only alice may still answer)');
  });
});

describe('a gate whose quorum can still be reached', () => {
  it('keeps waiting after one approve and one reject of a 2-of-3 quorum and closes on the third vote', async () => {
    const handle = await env.start(workspace(gated('approvers: [alice, bob, carol], quorum: 2')));
    await openGate(handle, 'review');
    await vote(handle, 'approve', 'alice');
    const split = await vote(handle, 'reject', 'bob');
    expect(split).toMatchObject({ closed: false });
    expect((await handle.query(statusQuery)).status).toBe('awaiting_human');
    expect((await handle.query(gatesQuery))[0]).toMatchObject({ id: 'review', closed: false });
    expect(of(await allEvents(handle), 'gate.deadlocked')).toEqual([]);
    const shown = await runCli(['gates', handle.workflowId, '--address', testTemporalEnv().address]);
    expect(shown.stdout).toContain('quorum 2; approvers: alice, bob, carol; answers: 2 (ship 1/2, revise 1/2)');
    expect(await vote(handle, 'approve', 'carol')).toMatchObject({ closed: true, selected: 'ship' });
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.answered').map((e) => [e.data['by'], e.data['choice'], e.data['votes']])).toEqual([
      ['alice', 'ship', 1],
      ['bob', 'revise', 1],
      ['carol', 'ship', 2],
    ]);
    expect(startedNodes(events)).toEqual(['start', 'review', 'ship']);
  });

  it('takes the default choice, not the partial vote, when a reachable quorum times out', async () => {
    const yaml = gated('approvers: [alice, bob, carol], quorum: 2, default_choice: revise').replace('timeout: 1h', 'timeout: 2s');
    const handle = await env.start(workspace(yaml));
    await openGate(handle, 'review');
    await vote(handle, 'approve', 'alice');
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.deadlocked')).toEqual([]);
    expect(of(events, 'gate.closed')[0]?.data).toEqual({ gate: 'review', selected: 'revise', via: 'timeout' });
    expect(startedNodes(events)).toEqual(['start', 'review', 'revise']);
  });

  it('never deadlocks a gate that anyone may answer', async () => {
    const handle = await env.start(workspace(gated('quorum: 2')));
    await openGate(handle, 'review');
    await vote(handle, 'approve', 'alice');
    await vote(handle, 'reject', 'bob');
    await vote(handle, 'answer', 'carol', { choice: 'escalate' });
    expect((await handle.query(statusQuery)).status).toBe('awaiting_human');
    await vote(handle, 'approve', 'dave');
    await handle.result();
    expect(of(await allEvents(handle), 'gate.deadlocked')).toEqual([]);
  });
});
