// Human gates through the run workflow (SPEC §1 step 6, §3): signals approve/reject/answer, the
// validated answerGate update (rejections never reach history), invalid signals recorded and ignored,
// quorum, timeouts, the gates query, awaiting_human status and search attribute, auto-approve.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { RunEvent } from '../../core/run-model';
import { answerGateUpdate, answerSignal, approveSignal, gatesQuery, rejectSignal, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import {
  allEvents,
  eventually,
  expectGapless,
  pipelineYaml,
  scriptHandler,
  settle,
  startedNodes,
  typesOf,
  useRunEnv,
  workspace,
} from '../helpers/runs';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.script', script.handler));

type Handle = WorkflowHandle<typeof runPipeline>;

/** A review gate: Approve → ship → exit; Revise → revise → back to review. */
const reviewPipeline = (human = '', after = '') =>
  pipelineYaml(
    'gated',
    [
      `{ id: review, type: wait.human, prompt: "Ship it?"${human ? `, human: { ${human} }` : ''} }`,
      `{ id: ship, type: test.script${after ? `, attrs: { ${after} }` : ''} }`,
      '{ id: revise, type: test.script }',
    ],
    [
      '{ from: start, to: review }',
      '{ from: review, to: ship, label: "[A] Approve" }',
      '{ from: review, to: revise, label: "[R] Revise" }',
      '{ from: revise, to: review }',
      '{ from: ship, to: exit }',
    ],
  );

/** Waits until `gate` is open and the run reports awaiting_human. */
async function openGate(handle: Handle, gate: string) {
  return eventually(async () => {
    const s = await handle.query(statusQuery);
    return s.status === 'awaiting_human' && s.openGates.includes(gate) ? s : undefined;
  });
}

/** Waits until the run has no pending activity or workflow task and its history stopped growing. */
async function quiescent(handle: Handle): Promise<void> {
  let last = -1;
  await eventually(async () => {
    const d = await handle.describe();
    const len = await historyLength(handle);
    const idle = (d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask && len === last;
    last = len;
    return idle;
  }, 20_000, 200);
}

async function historyLength(handle: Handle): Promise<number> {
  return (await handle.fetchHistory()).events?.length ?? 0;
}

const of = (events: RunEvent[], type: string) => events.filter((e) => e.type === type);

describe('human gates by signal', () => {
  it('routes to the approve choice with run.awaiting_human, gate events and run.resumed when approved by signal', async () => {
    const handle = await env.start(workspace(reviewPipeline()));
    await openGate(handle, 'review');
    await handle.signal(approveSignal, { by: 'alice', comment: 'looks good' });
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    const events = await allEvents(handle);
    expectGapless(events);
    expect(typesOf(events)).toEqual([
      'run.created',
      'run.started',
      'stage.started',
      'stage.completed',
      'stage.started',
      'run.awaiting_human',
      'gate.opened',
      'gate.answered',
      'gate.closed',
      'gate.answer_identified', // who sent it, read from the history before the run goes on (issue 20)
      'run.resumed',
      'stage.completed',
      'gate.routed',
      'stage.started',
      'stage.completed',
      'run.completed',
    ]);
    expect(of(events, 'gate.answered')[0]?.data).toMatchObject({ gate: 'review', by: 'alice', choice: 'ship', via: 'signal' });
    expect(of(events, 'run.resumed')[0]?.data).toMatchObject({ gate: 'review', selected: 'ship', by: 'alice' });
    expect(of(events, 'gate.routed')[0]?.data).toMatchObject({ gate: 'review', selected: 'ship', to: 'ship', edge: { from: 'review', to: 'ship', label: '[A] Approve' }, overridden: false });
    expect(result.context['human.gate.label']).toBe('[A] Approve');
    expect(result.context['human.gate.by']).toBe('alice');
  });

  it('takes the revise path, reopens the gate as review#2 and then ships when rejected by signal first', async () => {
    const handle = await env.start(workspace(reviewPipeline()));
    await openGate(handle, 'review');
    await handle.signal(rejectSignal, { by: 'alice', comment: 'needs work' });
    await openGate(handle, 'review#2');
    await handle.signal(approveSignal, { by: 'bob' });
    await handle.result();
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'review', 'revise', 'review', 'ship']);
  });

  it('routes to the named choice when answered by signal with a choice key, label or node id', async () => {
    for (const choice of ['R', '[R] Revise', 'revise']) {
      const handle = await env.start(workspace(reviewPipeline()));
      await openGate(handle, 'review');
      await handle.signal(answerSignal, { choice, by: 'alice' });
      await openGate(handle, 'review#2');
      await handle.signal(answerSignal, { gate: 'review#2', choice: 'ship', by: 'alice' });
      await handle.result();
      expect(startedNodes(await allEvents(handle))).toEqual(['start', 'review', 'revise', 'review', 'ship']);
    }
  });

  it('records an invalid signal as gate.answer_rejected and changes nothing', async () => {
    const handle = await env.start(workspace(reviewPipeline('approvers: [alice, bob]')));
    await openGate(handle, 'review');
    await handle.signal(approveSignal, { by: 'mallory' });
    await handle.signal(answerSignal, { by: 'alice', choice: 'nonsense' });
    await handle.signal(approveSignal, {} as never);
    const rejected = await eventually(async () => {
      const r = of(await allEvents(handle), 'gate.answer_rejected');
      return r.length === 3 ? r : undefined;
    });
    expect(rejected.map((e) => e.data['reason'])).toEqual([
      expect.stringContaining('"mallory" may not answer gate "review"'),
      expect.stringContaining('unknown choice "nonsense"'),
      expect.stringContaining('"by" (who answers) is required'),
    ]);
    expect(rejected[0]?.data).toMatchObject({ kind: 'approve', via: 'signal', gate: 'review', by: 'mallory' });
    const [gate] = await handle.query(gatesQuery);
    expect(gate).toMatchObject({ id: 'review', closed: false, answers: [] });
    expect((await handle.query(statusQuery)).status).toBe('awaiting_human');
    await handle.signal(approveSignal, { by: 'bob' });
    expect((await handle.result()).outcome).toBe('succeeded');
  });

  it('records a late answer as gate.answer_rejected when the gate already closed (first valid answer wins)', async () => {
    const handle = await env.start(workspace(reviewPipeline('', 'sleep_ms: 1500')));
    await openGate(handle, 'review');
    await handle.signal(approveSignal, { by: 'alice' });
    await handle.signal(rejectSignal, { gate: 'review', by: 'bob' });
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.answered')).toHaveLength(1);
    expect(of(events, 'gate.answer_rejected')[0]?.data['reason']).toContain('gate "review" is closed (late answer)');
    expect(startedNodes(events)).toEqual(['start', 'review', 'ship']);
  });

  it('closes only when two of three approvers agree when the gate has quorum 2', async () => {
    const handle = await env.start(workspace(reviewPipeline('approvers: [alice, bob, carol], quorum: 2')));
    await openGate(handle, 'review');
    await handle.signal(approveSignal, { by: 'alice' });
    await eventually(async () => ((await handle.query(gatesQuery))[0]?.answers.length === 1 ? true : undefined));
    expect((await handle.query(statusQuery)).status).toBe('awaiting_human');
    await handle.signal(approveSignal, { by: 'alice' }); // duplicate voter: rejected
    await handle.signal(rejectSignal, { by: 'carol' }); // a vote for the other choice
    await handle.signal(approveSignal, { by: 'bob' });
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.answered').map((e) => [e.data['by'], e.data['choice'], e.data['votes']])).toEqual([
      ['alice', 'ship', 1],
      ['carol', 'revise', 1],
      ['bob', 'ship', 2],
    ]);
    expect(of(events, 'gate.answer_rejected')[0]?.data['reason']).toContain('duplicate answer: "alice" already answered');
    expect(of(events, 'gate.closed')[0]?.data).toEqual({ gate: 'review', selected: 'ship' });
    expect(startedNodes(events)).toEqual(['start', 'review', 'ship']);
  });
});

describe('human gates by update', () => {
  it('returns the closed gate record and routes when the answerGate update is valid', async () => {
    const handle = await env.start(workspace(reviewPipeline()));
    await openGate(handle, 'review');
    const gate = await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'answer', choice: 'A', by: 'alice', comment: 'ok' }] });
    expect(gate).toMatchObject({ id: 'review', closed: true, selected: 'ship', answers: [{ by: 'alice', choice: 'ship', via: 'update', comment: 'ok' }] });
    await handle.result();
    expect(of(await allEvents(handle), 'gate.answered')[0]?.data['via']).toBe('update');
  });

  it('rejects invalid updates synchronously without adding history events', async () => {
    // two gates in a row: `first` closed, `second` open with approvers and no self-approval
    const yaml = pipelineYaml(
      'two-gates',
      ['{ id: first, type: wait.human }', '{ id: second, type: wait.human, human: { approvers: [alice, tester], allow_self_approval: false } }', '{ id: ship, type: test.script }'],
      [
        '{ from: start, to: first }',
        '{ from: first, to: second, label: "Go on" }',
        '{ from: first, to: exit, label: "Give up" }',
        '{ from: second, to: ship, label: "[A] Approve" }',
        '{ from: second, to: exit, label: "[S] Stop" }',
        '{ from: ship, to: exit }',
      ],
    );
    const handle = await env.start(workspace(yaml), { startedBy: 'tester' });
    await openGate(handle, 'first');
    await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'alice' }] });
    await openGate(handle, 'second');
    await quiescent(handle);
    const before = { history: await historyLength(handle), lastSeq: (await handle.query(statusQuery)).lastSeq };

    const cases: [string, object, RegExp][] = [
      ['unknown gate', { kind: 'approve', gate: 'nope', by: 'alice' }, /unknown gate "nope"; open gates: second/],
      ['closed gate', { kind: 'approve', gate: 'first', by: 'alice' }, /gate "first" is closed/],
      ['unknown choice', { kind: 'answer', choice: 'maybe', by: 'alice' }, /unknown choice "maybe"/],
      ['approver not in list', { kind: 'approve', by: 'mallory' }, /"mallory" may not answer gate "second"; approvers: alice, tester/],
      ['self-approval', { kind: 'approve', by: 'tester' }, /self-approval is not allowed: "tester" started this run/],
      ['malformed kind', { kind: 'decide', by: 'alice' }, /malformed update/],
    ];
    for (const [what, input, reason] of cases) {
      const err = await handle.executeUpdate(answerGateUpdate, { args: [input as never] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect([what, err]).toEqual([what, expect.any(WorkflowUpdateFailedError)]);
      expect([what, (err as WorkflowUpdateFailedError).cause?.message]).toEqual([what, expect.stringMatching(reason)]);
    }
    expect(await historyLength(handle)).toBe(before.history);
    expect((await handle.query(statusQuery)).lastSeq).toBe(before.lastSeq);
    expect((await handle.query(gatesQuery))[0]?.answers).toEqual([]);

    await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'alice' }] });
    await handle.result();
    expect(of(await allEvents(handle), 'gate.answer_rejected')).toHaveLength(0);
  });
});

describe('gate timeouts', () => {
  it('takes the default choice when the gate times out and has one', async () => {
    const handle = await env.start(workspace(reviewPipeline('timeout: 2s, default_choice: ship')));
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.timed_out')[0]?.data).toEqual({ gate: 'review', defaultChoice: 'ship' });
    expect(of(events, 'gate.closed')[0]?.data).toEqual({ gate: 'review', selected: 'ship', via: 'timeout' });
    expect(startedNodes(events)).toEqual(['start', 'review', 'ship']);
  });

  it('routes the gate as FAIL when it times out without a default choice', async () => {
    const yaml = pipelineYaml(
      'gate-timeout-fail',
      ['{ id: review, type: wait.human, human: { timeout: 2s } }', '{ id: ship, type: test.script }', '{ id: escalate, type: test.script }'],
      ['{ from: start, to: review }', '{ from: review, to: ship, label: Approve }', '{ from: review, to: escalate, condition: "outcome=fail" }', '{ from: ship, to: exit }', '{ from: escalate, to: exit }'],
    );
    const handle = await env.start(workspace(yaml));
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.timed_out')[0]?.data).toEqual({ gate: 'review', defaultChoice: null });
    expect(of(events, 'stage.failed')[0]?.data).toMatchObject({ node: 'review', failure_reason: 'human gate review timed out with no default choice' });
    expect(startedNodes(events)).toEqual(['start', 'review', 'escalate']);
  });

  it('fails the run with EXEC_FAILURE when the gate times out with no default and no fail route', async () => {
    const handle = await env.start(workspace(reviewPipeline('timeout: 1s')));
    const settled = await settle(handle);
    expect(settled.ok ? undefined : settled.failure.type).toBe('EXEC_FAILURE');
  });
});

describe('gate visibility', () => {
  it('shows prompt, choices, deadline and approvers in the gates query, awaiting_human in status and in the FactoryStatus search attribute', async () => {
    const handle = await env.start(workspace(reviewPipeline('approvers: [alice, bob], timeout: 1h')));
    await openGate(handle, 'review');
    const [gate, ...rest] = await handle.query(gatesQuery);
    expect(rest).toEqual([]);
    expect(gate).toMatchObject({
      id: 'review',
      node: 'review',
      prompt: 'Ship it?',
      choices: [
        { key: 'A', label: '[A] Approve', to: 'ship' },
        { key: 'R', label: '[R] Revise', to: 'revise' },
      ],
      approvers: ['alice', 'bob'],
      quorum: 1,
      closed: false,
    });
    const deadline = Date.parse(gate?.deadline ?? '') - Date.parse(gate?.openedAt ?? '');
    expect(deadline).toBe(3_600_000);
    expect(await handle.query(statusQuery)).toMatchObject({ status: 'awaiting_human', currentNode: 'review', openGates: ['review'], pipeline: 'gated@1.0.0' });

    const listed = async (status: string) => {
      const ids: string[] = [];
      for await (const wf of env.client.workflow.list({ query: `FactoryStatus="${status}" AND FactoryPipeline="gated" AND WorkflowId="${handle.workflowId}"` })) ids.push(wf.workflowId);
      return ids.length === 1 ? ids : undefined;
    };
    expect(await eventually(() => listed('awaiting_human'))).toEqual([handle.workflowId]);
    await handle.signal(approveSignal, { by: 'alice' });
    await handle.result();
    expect(await handle.query(gatesQuery)).toEqual([]);
    // FactoryStatus ends as the outcome: the Temporal UI list filters by it
    expect(await eventually(() => listed('succeeded'))).toEqual([handle.workflowId]);
  });

  it('answers every gate with its first choice when the run is started with autoApprove', async () => {
    const yaml = pipelineYaml(
      'auto',
      ['{ id: g1, type: wait.human }', '{ id: g2, type: wait.human }'],
      ['{ from: start, to: g1 }', '{ from: g1, to: g2, label: Next }', '{ from: g1, to: exit, label: Stop }', '{ from: g2, to: exit, label: Done }', '{ from: g2, to: g1, label: Again }'],
    );
    const handle = await env.start(workspace(yaml), { autoApprove: true });
    await handle.result();
    const events = await allEvents(handle);
    expect(of(events, 'gate.answered').map((e) => [e.data['gate'], e.data['choice'], e.data['via'], e.data['by']])).toEqual([
      ['g1', 'g2', 'auto', 'auto-approve'],
      ['g2', 'exit', 'auto', 'auto-approve'],
    ]);
    expect(of(events, 'run.awaiting_human')).toHaveLength(2);
  });
});
