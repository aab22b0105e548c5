// The evaluation and decision events the current workflow code writes validate against core/contracts:
// real runs with a holdout suite (pipeline and scenario workers in their own processes, as users run
// them): an auto approval, and a human decision that is first refused (decision.failed) then rejected.
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { validateEvent } from '../../../core/contracts';
import { readEventsFile } from '../../../client/events-file';
import { decideSignal, runQuery, statusQuery } from '../../../workflows/messages';
import { eventually, typesOf } from '../../helpers/runs';
import { allEvents, useHoldoutEnv } from '../../holdout/env';
import { historyToFixture } from '../../replay/history-file';
import { evaluateInput, SCENARIO_ACTIVITY_CONTRACTS } from '../../../core/contracts';
import { payloadsOf } from './history-payloads';

const env = useHoldoutEnv();
const PASSING = [{ id: 'greets', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['hello'] } }];
const FAILING = [...PASSING, { id: 'farewell', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['goodbye'] } }];

/** The run's event types once every events.jsonl line and every queried event validated (and both agree). */
async function checkedTypes(handle: WorkflowHandle): Promise<string[]> {
  const runDir = (await handle.query(runQuery)).runDir as string;
  const file = readEventsFile(join(runDir, 'events.jsonl'));
  expect(file.problems).toEqual([]);
  const queried = await allEvents(handle);
  expect(queried.flatMap((e) => { const c = validateEvent(e); return c.ok ? [] : c.issues; })).toEqual([]);
  expect(file.events).toEqual(queried);
  return typesOf(queried);
}

describe('evaluation and decision events', () => {
  it('validates run.evaluating, evaluation.completed and run.approved when every scenario passes (auto decision)', async () => {
    const suite = await env.publishSuite('contracts-pass', PASSING);
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile(), suite: { ref: suite.ref } });
    expect((await handle.result()).outcome).toBe('approved');
    expect((await checkedTypes(handle)).slice(-4)).toEqual(['run.evaluating', 'evaluation.completed', 'run.approved', 'run.completed']);

    // the holdout boundary: the evaluateSuite child's input and every scenario activity payload
    const child = env.client.workflow.getHandle(`${handle.workflowId}.evaluation.0`);
    const payloads = payloadsOf(historyToFixture(await child.fetchHistory()), 'evaluateSuite');
    const problems = payloads.flatMap((p) => {
      const contract = SCENARIO_ACTIVITY_CONTRACTS[p.activity as keyof typeof SCENARIO_ACTIVITY_CONTRACTS];
      const schema = p.kind === 'run input' ? evaluateInput : contract && (p.kind === 'activity input' ? contract.input : contract.output);
      if (!schema) return [`${p.where}: no contract for ${p.kind} ${p.activity ?? ''}`];
      const parsed = schema.safeParse(p.value);
      return parsed.success ? [] : parsed.error.issues.map((i) => `${p.where} ${p.activity ?? ''} ${p.kind} ${i.path.join('.')}: ${i.message}`);
    });
    expect(problems).toEqual([]);
    expect(payloads.map((p) => `${p.activity ?? 'evaluateSuite'} ${p.kind}`)).toEqual(
      expect.arrayContaining(['evaluateSuite run input', 'suitePlan activity input', 'suitePlan activity output', 'runScenario activity input', 'runScenario activity output']),
    );
  }, 180_000);

  it('validates the decision wait, decision.failed and run.rejected when a human first approves a failing run, then rejects it', async () => {
    const suite = await env.publishSuite('contracts-fail', FAILING);
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile({ mode: 'human' }), suite: { ref: suite.ref } });
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human', 90_000);
    await handle.signal(decideSignal, { decision: 'approved', by: 'carol', reason: 'ship it anyway' });
    await eventually(async () => (await allEvents(handle)).some((e) => e.type === 'decision.failed'), 60_000);
    await handle.signal(decideSignal, { decision: 'rejected', by: 'carol', reason: 'farewell is missing', remediation: 'rerun from build' });
    expect((await handle.result()).outcome).toBe('rejected');
    const types = await checkedTypes(handle);
    expect(types).toEqual(expect.arrayContaining(['run.evaluating', 'evaluation.completed', 'run.awaiting_human', 'decision.failed', 'run.rejected', 'run.completed']));
  }, 180_000);
});
