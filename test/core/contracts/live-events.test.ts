// The event schemas against what the current workflow code emits: real runs on the dev server whose
// events.jsonl must validate line by line (client/events-file.ts) and whose events query must agree.
// Covers the types no committed history holds: stage.retrying, run.loop_restarted, gate.answer_rejected
// and gate.deadlocked (evaluation and decision events: test/core/contracts/live-decision-events.test.ts).
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { validateEvent } from '../../../core/contracts';
import { answerGateUpdate, runQuery, statusQuery } from '../../../workflows/messages';
import type { runPipeline } from '../../../workflows/run';
import { readEventsFile } from '../../../client/events-file';
import { allEvents, eventually, pipelineYaml, Probe, settle, typesOf, useRunEnv, workspace } from '../../helpers/runs';

const env = useRunEnv();
// work: RETRY on its first attempt, then asks for the loop_restart edge once, then for `done`
const probe = new Probe((_stage, call) => (call === 1 ? { status: 'retry', failure_reason: 'not yet' } : { status: 'success', preferred_label: call === 2 ? 'again' : 'done' }));
beforeAll(() => env.register('test.contracts', probe.handler));

/** Every event of the run, from events.jsonl (each line checked) and the events query (each checked), which agree. */
async function checkedEvents(handle: WorkflowHandle<typeof runPipeline>): Promise<string[]> {
  const runDir = (await handle.query(runQuery)).runDir as string;
  const file = readEventsFile(join(runDir, 'events.jsonl'));
  expect(file.problems).toEqual([]);
  const queried = await allEvents(handle);
  expect(queried.flatMap((e) => { const c = validateEvent(e); return c.ok ? [] : c.issues; })).toEqual([]);
  expect(file.events).toEqual(queried);
  return typesOf(queried);
}

describe('events the current workflow code writes', () => {
  it('validates stage.retrying, run.loop_restarted and run.continued_as_new when a stage retries and follows a loop_restart edge', async () => {
    const yaml = pipelineYaml(
      'contracts-loop',
      ['{ id: work, type: test.contracts, max_retries: 1 }'],
      ['{ from: start, to: work }', '{ from: work, to: work, label: again, loop_restart: true }', '{ from: work, to: exit, label: done }'],
    );
    const handle = await env.start(workspace(yaml));
    expect((await settle(handle)).ok).toBe(true);
    const types = await checkedEvents(handle);
    expect(types).toEqual(expect.arrayContaining(['stage.retrying', 'run.loop_restarted', 'run.continued_as_new', 'run.completed']));
  }, 120_000);

  it('validates gate.answer_rejected, gate.answered, gate.deadlocked and gate.closed when a 2-of-2 quorum splits', async () => {
    const yaml = pipelineYaml(
      'contracts-gate',
      ['{ id: review, type: wait.human, prompt: "Ship it?", human: { timeout: 1h, approvers: [alice, bob], quorum: 2, default_choice: revise } }', '{ id: ship, type: conditional }', '{ id: revise, type: conditional }'],
      ['{ from: start, to: review }', '{ from: review, to: ship, label: "[A] Approve" }', '{ from: review, to: revise, label: "[R] Revise" }', '{ from: ship, to: exit }', '{ from: revise, to: exit }'],
    );
    const handle = await env.start(workspace(yaml));
    await eventually(async () => (await handle.query(statusQuery)).openGates.includes('review'), 60_000);
    await handle.signal('approve', { by: 'mallory' }); // not an approver: gate.answer_rejected
    await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'alice' }] });
    await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'reject', by: 'bob' }] });
    expect((await settle(handle)).ok).toBe(true);
    const types = await checkedEvents(handle);
    expect(types).toEqual(expect.arrayContaining(['run.awaiting_human', 'gate.opened', 'gate.answer_rejected', 'gate.answered', 'gate.deadlocked', 'gate.closed']));
  }, 120_000);
});
