// Attractor §6.2 question types on the durable run (§11.8 "Question supports types: YES_NO,
// MULTIPLE_CHOICE, FREEFORM, CONFIRMATION"): asked, shown by `factory gates`, answered by signal,
// validated update and `factory answer` (--text), recorded in context (§4.6).
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { answerGateUpdate, answerSignal, gatesQuery, rejectSignal, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { runCli } from '../client/run-cli';
import { testTemporalEnv } from '../helpers/temporal';
import { allEvents, eventually, pipelineYaml, scriptHandler, settle, startedNodes, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.script', script.handler));
type Handle = WorkflowHandle<typeof runPipeline>;

const openGate = (handle: Handle, gate: string) =>
  eventually(async () => {
    const s = await handle.query(statusQuery);
    return s.status === 'awaiting_human' && s.openGates.includes(gate) ? s : undefined;
  });

/** start → ask (question) → edges …; `ship`, `fix` and `after` are scripted stages that go to exit. */
const asking = (question: string, edges: string[], extra = '') =>
  pipelineYaml(
    `q-${question}`,
    [`{ id: ask, type: wait.human, prompt: "Proceed?", human: { question: ${question}${extra} } }`, '{ id: ship, type: test.script }', '{ id: fix, type: test.script }', '{ id: after, type: test.script }'],
    ['{ from: start, to: ask }', ...edges, '{ from: ship, to: exit }', '{ from: fix, to: exit }', '{ from: after, to: exit }'],
  );

describe('human question types', () => {
  it('routes a yes_no gate on "no" by signal and records NO with the edge label in context', async () => {
    const ws = workspace(asking('yes_no', ['{ from: ask, to: ship, label: "[Y] Yes" }', '{ from: ask, to: fix, label: "[N] No" }']));
    const handle = await env.start(ws);
    await openGate(handle, 'ask');
    const [gate] = await handle.query(gatesQuery);
    expect(gate).toMatchObject({ question: 'yes_no', choices: [expect.objectContaining({ value: 'YES', to: 'ship' }), expect.objectContaining({ value: 'NO', to: 'fix' })] });
    await handle.signal(answerSignal, { gate: 'ask', choice: 'no', by: 'alice' });
    expect((await handle.result()).outcome).toBe('succeeded');
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'ask', 'fix']);
    expect(script.of(handle.workflowId, 'fix')[0]?.context).toMatchObject({ 'human.gate.selected': 'NO', 'human.gate.label': '[N] No', 'human.gate.by': 'alice' });
  });

  it('takes yes and no from approve and reject signals when the gate is yes_no', async () => {
    const ws = workspace(asking('yes_no', ['{ from: ask, to: ship, label: "Approve" }', '{ from: ask, to: fix, label: "Reject" }']));
    const handle = await env.start(ws);
    await openGate(handle, 'ask');
    await handle.signal(rejectSignal, { by: 'bob' });
    expect((await handle.result()).outcome).toBe('succeeded');
    expect(startedNodes(await allEvents(handle))).toContain('fix');
  });

  it('refuses a freeform update without text, then records the reply from factory answer --text and routes on it', async () => {
    const ws = workspace(
      asking('freeform', ['{ from: ask, to: ship, condition: "context.human.gate.text=ship" }', '{ from: ask, to: after }']),
    );
    const handle = await env.start(ws);
    await openGate(handle, 'ask');
    const shown = await runCli(['gates', handle.workflowId, '--address', testTemporalEnv().address]);
    expect(shown.stdout).toContain('question: freeform — reply with free text');
    expect(shown.stdout).toContain(`factory answer ${handle.workflowId} --gate ask --text`);
    const refused = await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'answer', by: 'carol', choice: 'ship' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toContain('--text');
    const noText = await runCli(['answer', handle.workflowId, '--by', 'carol', '--address', testTemporalEnv().address]);
    expect(noText).toMatchObject({ code: 2, stderr: expect.stringContaining('--text') });
    const answered = await runCli(['answer', handle.workflowId, '--by', 'carol', '--text', 'use postgres', '--address', testTemporalEnv().address]);
    expect(answered).toMatchObject({ code: 0, stdout: expect.stringContaining('gate ask closed: reply recorded') });
    expect((await handle.result()).outcome).toBe('succeeded');
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'ask', 'after']);
    expect(script.of(handle.workflowId, 'after')[0]?.context).toMatchObject({ 'human.gate.text': 'use postgres', 'human.gate.by': 'carol' });
  });

  it('fails the stage and takes its failure route when a one-edge confirmation is declined', async () => {
    const ws = workspace(
      pipelineYaml(
        'q-confirm',
        ['{ id: ack, type: wait.human, prompt: "Deploy to prod?", retry_target: fix }', '{ id: ship, type: test.script }', '{ id: fix, type: test.script }'],
        ['{ from: start, to: ack }', '{ from: ack, to: ship }', '{ from: ship, to: exit }', '{ from: fix, to: exit }'],
      ),
    );
    const handle = await env.start(ws);
    await openGate(handle, 'ack');
    expect((await handle.query(gatesQuery))[0]).toMatchObject({ question: 'confirmation' });
    await handle.signal(answerSignal, { choice: 'n', by: 'dave' });
    const settled = await settle(handle);
    expect(settled.ok).toBe(true);
    const events = await allEvents(handle);
    expect(events.find((e) => e.type === 'stage.failed')?.data).toMatchObject({ node: 'ack', failure_reason: 'human gate ack: declined by dave' });
    expect(startedNodes(events)).toEqual(['start', 'ack', 'fix']);
  });

  it('answers yes and the first option under auto-approve (AutoApproveInterviewer)', async () => {
    const ws = workspace(asking('yes_no', ['{ from: ask, to: fix, label: "[N] No" }', '{ from: ask, to: ship, label: "[Y] Yes" }']));
    const handle = await env.start(ws, { autoApprove: true });
    expect((await handle.result()).outcome).toBe('succeeded');
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'ask', 'ship']);
  });
});
