// The history limit holds for loops of local stages (workflows/history-gauge.ts): they chain inside one
// workflow task, where workflowInfo().historyLength stays at the task's start, so a loop that fits in one
// task never continued-as-new before the gauge counted the markers recorded since.
import { expectGapless, pipelineYaml, readEvents, useRunEnv, workspace } from '../helpers/runs';

const STAGES = 600;
const LIMIT = 300;
const env = useRunEnv();

beforeAll(() =>
  env.register('test.tick', {
    async execute(stage) {
      const n = Number(stage.context['n'] ?? 0) + 1;
      return { status: 'success', context_updates: { n, done: n >= STAGES ? 'true' : 'false' } };
    },
  }),
);

const LOOP = pipelineYaml(
  'gauge-loop',
  ['{ id: tick, type: test.tick }', '{ id: check, type: conditional }'],
  ['{ from: start, to: tick }', '{ from: tick, to: check }', '{ from: check, to: exit, condition: "context.done=true" }', '{ from: check, to: tick, condition: "context.done!=true" }'],
);

describe('history gauge', () => {
  it('continues-as-new near the history limit when a loop of local stages runs inside one workflow task', async () => {
    const handle = await env.start(workspace(LOOP), { historyLimit: LIMIT });
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(result.context['n']).toBe(STAGES);
    const lengths: number[] = [];
    for await (const wf of env.client.workflow.list({ query: `WorkflowId="${handle.workflowId}"` })) lengths.push(wf.historyLength);
    // 600 stages leave at least 600 markers: two executions at the very least under a limit of 300
    expect(lengths.length).toBeGreaterThanOrEqual(2);
    // each execution stops within a stage's events of the limit (plus the hand-over's own few)
    for (const length of lengths) expect(length).toBeLessThanOrEqual(LIMIT + 40);
    const events = readEvents(result.runDir as string);
    expectGapless(events);
    expect(events.filter((e) => e.type === 'stage.completed' && e.data['node'] === 'tick')).toHaveLength(STAGES);
  }, 120_000);
});
