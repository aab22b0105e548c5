// Checkpoint resume (Attractor §5.3, §11.7; issue: `factory run --resume <run-dir>`): a run interrupted at a
// gate and resumed from checkpoint.json ends with the same context and completed nodes as an uninterrupted run.
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { Checkpoint } from '../../core/run-model';
import { approveSignal, statusQuery } from '../../workflows/messages';
import type { RunResult } from '../../workflows/types';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, readJson, scriptHandler, startedNodes, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.script', script.handler));

const PIPELINE = pipelineYaml(
  'resumable',
  [
    '{ id: prep, type: test.script, attrs: { set: "prepared=yes" } }',
    '{ id: review, type: wait.human }',
    '{ id: finish, type: test.script, attrs: { set: "finished=yes" } }',
    '{ id: redo, type: test.script }',
  ],
  [
    '{ from: start, to: prep }',
    '{ from: prep, to: review }',
    '{ from: review, to: finish, label: "[A] Approve" }',
    '{ from: review, to: redo, label: "[R] Redo" }',
    '{ from: redo, to: review }',
    '{ from: finish, to: exit }',
  ],
);

type Handle = Awaited<ReturnType<typeof env.start>>;

async function atGate(handle: Handle): Promise<void> {
  await eventually(async () => ((await handle.query(statusQuery)).status === 'awaiting_human' ? true : undefined));
}

/** What must match between an uninterrupted and a resumed run. */
function comparable(result: RunResult) {
  const cp = readJson<Checkpoint>(join(result.runDir as string, 'checkpoint.json'));
  return { outcome: result.outcome, context: result.context, completed: cp.completed_nodes, outcomes: cp.node_outcomes, current: cp.current_node };
}

describe('checkpoint resume', () => {
  it('gives the same final context and completed nodes as an uninterrupted run when resumed from the gate after termination', async () => {
    const straight = await env.start(workspace(PIPELINE));
    await atGate(straight);
    await straight.signal(approveSignal, { by: 'alice' });
    const expected = comparable(await straight.result());

    const ws = workspace(PIPELINE);
    const first = await env.start(ws);
    await atGate(first);
    const runDir = join(ws.dir, 'runs', first.workflowId);
    // the gate's opening is flushed to the run directory right after the status changes
    await eventually(async () => readEvents(runDir).some((e) => e.type === 'gate.opened'));
    // checkpoint.json is renamed into place only after the events it follows are durable (flushRun's
    // order), so wait for it to reach the gate rather than read it in between
    await eventually(async () => (readJson<Checkpoint>(join(runDir, 'checkpoint.json')).next_node === 'review' ? true : undefined));
    await first.terminate('simulated crash while waiting at the gate');
    const cp = readJson<Checkpoint>(join(runDir, 'checkpoint.json'));
    expect(cp).toMatchObject({ current_node: 'prep', next_node: 'review', completed_nodes: ['start', 'prep'] });
    const seqBefore = readEvents(runDir).length;

    const resumed = await env.start(ws, { runId: first.workflowId, resume: true, runDir }, `${first.workflowId}-resumed`);
    await atGate(resumed);
    await resumed.signal(approveSignal, { by: 'alice' });
    const result = await resumed.result();
    expect(comparable(result)).toEqual(expected);
    expect(result.runDir).toBe(runDir);
    // prep ran once: the resumed run starts at the gate
    expect(script.of(first.workflowId, 'prep')).toHaveLength(1);
    expect(startedNodes(await allEvents(resumed))).toEqual(['review', 'finish']);

    // events.jsonl continues the first run's seqs without a gap or a duplicate
    const onDisk = readEvents(runDir);
    expectGapless(onDisk);
    const created = onDisk.filter((e) => e.type === 'run.created');
    expect(created).toHaveLength(2);
    expect(created[1]?.seq).toBe(seqBefore + 1);
    expect(created[1]?.data).toMatchObject({ resumedFrom: 'prep', runDir });
    expect(onDisk.find((e) => e.type === 'run.started' && e.data['resumed'] === true)?.data['start']).toBe('review');
    expect(onDisk[onDisk.length - 1]?.type).toBe('run.completed');
  });

  it('refuses with BOOT_FAILURE and writes nothing when the run directory belongs to a finalized (frozen) run', async () => {
    const ws = workspace(
      pipelineYaml(
        'resume-finalized',
        ['{ id: prep, type: test.script }', '{ id: flaky, type: test.script, attrs: { outcomes: "fail,success" } }'],
        ['{ from: start, to: prep }', '{ from: prep, to: flaky }', '{ from: flaky, to: exit, condition: "outcome=success" }'],
      ),
    );
    const first = await env.start(ws);
    await expect(first.result()).rejects.toThrow();
    const runDir = join(ws.dir, 'runs', first.workflowId);
    const before = readEvents(runDir);
    const resumed = await env.start(ws, { runId: first.workflowId, resume: true, runDir }, `${first.workflowId}-resumed`);
    const err = await resumed.result().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('BOOT_FAILURE');
    expect(cause.message).toContain('was finalized (outcome failed) and its files are frozen');
    expect(readEvents(runDir)).toEqual(before);
    expect(script.of(first.workflowId, 'flaky')).toHaveLength(1);
  });

  it('continues at the interrupted stage, not from the start, when a run is terminated mid-stage and resumed', async () => {
    const ws = workspace(
      pipelineYaml(
        'resume-mid-stage',
        ['{ id: prep, type: test.script, attrs: { set: "prepared=yes" } }', '{ id: slow, type: test.script, attrs: { sleep_ms: 1500, set: "slow=done" } }'],
        ['{ from: start, to: prep }', '{ from: prep, to: slow }', '{ from: slow, to: exit }'],
      ),
    );
    const first = await env.start(ws);
    await eventually(async () => (script.of(first.workflowId, 'slow').length === 1 ? true : undefined));
    await first.terminate('simulated crash during a stage');
    const runDir = join(ws.dir, 'runs', first.workflowId);
    const resumed = await env.start(ws, { runId: first.workflowId, resume: true, runDir }, `${first.workflowId}-resumed`);
    const result = await resumed.result();
    expect(result.outcome).toBe('succeeded');
    expect(result.context).toMatchObject({ prepared: 'yes', slow: 'done' });
    expect(script.of(first.workflowId, 'prep')).toHaveLength(1);
    expect(script.of(first.workflowId, 'slow')).toHaveLength(2);
    const onDisk = readEvents(runDir);
    expectGapless(onDisk);
    expect(onDisk.filter((e) => e.type === 'run.completed')).toHaveLength(1);
    expect(onDisk[onDisk.length - 1]?.type).toBe('run.completed');
  });
});
