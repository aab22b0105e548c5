// Long runs (issue: continue-as-new carrying the checkpoint): a loop pipeline with 5,000 stage executions
// completes, no execution's history exceeds 10,000 events, and events.jsonl is gapless 1..N.
// FACTORY_LONG_RUN_STAGES overrides the count. Local stages chain inside one workflow task; the run's
// history gauge (workflows/history-gauge.ts) counts their markers, so even a loop that fits in one task
// continues-as-new (test/workflows/history-gauge.test.ts is the fast check of that).
import { readEvents, expectGapless, pipelineYaml, useRunEnv, workspace } from '../helpers/runs';
import { runQuery } from '../../workflows/messages';

const STAGES = Number(process.env.FACTORY_LONG_RUN_STAGES ?? 5000);
const env = useRunEnv();

beforeAll(() =>
  env.register('test.count', {
    async execute(stage) {
      const n = Number(stage.context['n'] ?? 0) + 1;
      return { status: 'success', context_updates: { n, done: n >= STAGES ? 'true' : 'false' } };
    },
  }),
);

const LOOP = pipelineYaml(
  'long-loop',
  ['{ id: count, type: test.count }', '{ id: check, type: conditional }'],
  ['{ from: start, to: count }', '{ from: count, to: check }', '{ from: check, to: exit, condition: "context.done=true" }', '{ from: check, to: count, condition: "context.done!=true" }'],
);

describe('long runs', () => {
  it(`completes ${STAGES} stage executions through continue-as-new with every execution under 10,000 history events`, async () => {
    const started = Date.now();
    // below 2,000 stages one execution would do: continue-as-new earlier so the chain is still exercised
    const handle = await env.start(workspace(LOOP), STAGES >= 2000 ? {} : { historyLimit: 1000 });
    const result = await handle.result();
    const ms = Date.now() - started;
    console.log(`long-run: ${STAGES} stage executions in ${ms} ms`);
    expect(result.outcome).toBe('succeeded');
    expect(result.context['n']).toBe(STAGES);

    // every execution of the chain (one per continue-as-new) stays far below Temporal's limits
    const executions: { runId: string; historyLength: number; status: string }[] = [];
    for await (const wf of env.client.workflow.list({ query: `WorkflowId="${handle.workflowId}"` })) {
      executions.push({ runId: wf.runId, historyLength: wf.historyLength, status: wf.status.name });
    }
    console.log(`long-run: ${executions.length} executions, history lengths ${executions.map((e) => e.historyLength).join(', ')}`);
    expect(executions.length).toBeGreaterThan(1);
    for (const e of executions) expect(e.historyLength).toBeLessThanOrEqual(10_000);
    expect(executions.filter((e) => e.status === 'CONTINUED_AS_NEW')).toHaveLength(executions.length - 1);

    const envelope = await handle.query(runQuery);
    expect(envelope.continuedAsNew).toBe(executions.length - 1);
    expect(envelope.stages['count']).toMatchObject({ executions: STAGES, status: 'success' });
    const events = readEvents(result.runDir as string);
    expectGapless(events);
    expect(events.filter((e) => e.type === 'stage.completed' && e.data['node'] === 'count')).toHaveLength(STAGES);
    expect(events.filter((e) => e.type === 'run.continued_as_new')).toHaveLength(executions.length - 1);
    expect(events[events.length - 1]?.type).toBe('run.completed');
  }, 600_000);
});
