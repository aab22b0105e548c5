import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint, RunEnvelope, RunEvent } from '../../core/run-model';
import { eventsQuery, runQuery, statusQuery } from '../../workflows/messages';
import { expectGapless, readEvents, readJson, typesOf, useRunEnv, workspace } from '../helpers/runs';

const PIPELINE = `kind: PipelineSpec
id: happy
version: 1.0.0
goal: say hello
nodes:
  - { id: start, type: start }
  - { id: plan, prompt: "Plan: $goal" }
  - { id: build, type: tool, tool_command: "echo built-$FACTORY_NODE_ID" }
  - { id: exit, type: exit }
edges:
  - { from: start, to: plan }
  - { from: plan, to: build }
  - { from: build, to: exit }
`;

/** The same pipeline in Attractor DOT. */
const PIPELINE_DOT = `digraph happy {
  graph [goal="say hello", version="1.0.0"]
  start [shape=Mdiamond]
  plan  [shape=box, prompt="Plan: $goal"]
  build [shape=parallelogram, tool_command="echo built-$FACTORY_NODE_ID"]
  exit  [shape=Msquare]
  start -> plan -> build -> exit
}
`;

const EXPECTED_EVENTS = [
  'run.created',
  'run.started',
  'stage.started',
  'stage.completed',
  'stage.started',
  'stage.completed',
  'stage.started',
  'stage.completed',
  'run.completed',
];

const env = useRunEnv();

describe('run workflow happy path', () => {
  it('runs boot, every stage and finalize with the ordered event list when the pipeline is linear', async () => {
    const ws = workspace(PIPELINE);
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(result.status).toBe('completed');
    const runDir = result.runDir as string;
    const events = await handle.query(eventsQuery, {});
    expect(typesOf(events)).toEqual(EXPECTED_EVENTS);
    expectGapless(events);
    expect(events.filter((e) => e.type === 'stage.started').map((e) => e.data['node'])).toEqual(['start', 'plan', 'build']);
    expect(events.every((e) => e.runId === result.runId && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(readEvents(runDir)).toEqual(events);
    expect((await handle.query(statusQuery)).status).toBe('completed');
    const status = readJson(join(runDir, 'build', 'status.json'));
    expect(status['outcome']).toBe('success');
    const cp = readJson(join(runDir, 'checkpoint.json'));
    expect(cp['completed_nodes']).toEqual(['start', 'plan', 'build', 'exit']);
    expect((cp['context'] as Record<string, unknown>)['tool.output']).toContain('built-build');
  });

  it('writes run.json, manifest.json, checkpoint.json and a stage directory per stage when the run completes', async () => {
    const ws = workspace(PIPELINE);
    const handle = await env.start(ws);
    const result = await handle.result();
    const runDir = result.runDir as string;
    expect(runDir).toBe(join(ws.dir, 'runs', result.runId));

    const envelope = readJson<RunEnvelope>(join(runDir, 'run.json'));
    // run.json is frozen at finalize, so only the live envelope carries the freeze manifest's digest
    const { freezeDigest, ...live } = await handle.query(runQuery);
    expect(freezeDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(envelope).toEqual(live);
    expect(envelope).toMatchObject({
      runId: result.runId,
      workflowId: handle.workflowId,
      pipeline: { id: 'happy', version: '1.0.0' },
      profile: { id: 'test', version: '1.0.0' },
      status: 'completed',
      outcome: 'succeeded',
      runDir,
      startedBy: 'tester',
      openGates: [],
      lastSeq: EXPECTED_EVENTS.length,
    });
    expect(envelope.digests.pipeline).toMatch(/^[0-9a-f]{64}$/);
    expect(envelope.digests.profile).toMatch(/^[0-9a-f]{64}$/);
    expect(envelope.stages['build']).toMatchObject({ node: 'build', type: 'tool', executions: 1, attempts: 1, status: 'success' });
    expect(envelope.stages['plan']).toMatchObject({ type: 'codergen', status: 'success' });

    const manifest = readJson(join(runDir, 'manifest.json'));
    expect(manifest).toMatchObject({ name: 'happy', runId: result.runId, goal: 'say hello', pipeline: { id: 'happy', version: '1.0.0' }, nodes: 4, edges: 3 });
    expect(Date.parse(manifest['startTime'] as string)).not.toBeNaN();

    const cp = readJson<Checkpoint>(join(runDir, 'checkpoint.json'));
    expect(cp.current_node).toBe('exit');
    expect(cp.node_outcomes).toEqual({ start: 'success', plan: 'success', build: 'success' });
    expect(cp.node_retries).toEqual({});
    expect(cp.context['graph.goal']).toBe('say hello');
    expect(cp.context['last_stage']).toBe('plan');
    expect(Date.parse(cp.timestamp)).not.toBeNaN();

    // Attractor §5.6: one directory per executed stage; LLM stages keep prompt.md and response.md
    const dirs = readdirSync(runDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs).toEqual(['build', 'plan']);
    for (const f of ['prompt.md', 'response.md', 'status.json']) expect(existsSync(join(runDir, 'plan', f))).toBe(true);
    for (const f of ['stdout.log', 'stderr.log', 'status.json']) expect(existsSync(join(runDir, 'build', f))).toBe(true);
    expect(readJson(join(runDir, 'plan', 'status.json'))['outcome']).toBe('success');
  });

  it('runs a DOT pipeline the same way when the pipeline file is .dot', async () => {
    const yaml = workspace(PIPELINE);
    const dot = workspace(PIPELINE_DOT, { ext: 'dot' });
    const [a, b] = await Promise.all([env.start(yaml), env.start(dot)]);
    const [ra, rb] = await Promise.all([a.result(), b.result()]);
    expect(rb.outcome).toBe('succeeded');
    const strip = (es: RunEvent[]) =>
      es.map((e) => ({ type: e.type, node: e.data['node'] ?? null, status: e.data['status'] ?? null }));
    expect(strip(await b.query(eventsQuery, {}))).toEqual(strip(await a.query(eventsQuery, {})));
    const cpa = readJson<Checkpoint>(join(ra.runDir as string, 'checkpoint.json'));
    const cpb = readJson<Checkpoint>(join(rb.runDir as string, 'checkpoint.json'));
    expect(cpb.completed_nodes).toEqual(cpa.completed_nodes);
    expect(cpb.node_outcomes).toEqual(cpa.node_outcomes);
    expect(cpb.context['tool.output']).toBe('built-build');
    expect(readJson(join(rb.runDir as string, 'manifest.json'))['goal']).toBe('say hello');
  });
});
