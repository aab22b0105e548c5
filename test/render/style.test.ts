// Which colour each node gets from a run envelope, and the marks every format shares.
import type { PipelineGraph } from '../../core/model';
import type { RunEnvelope } from '../../core/run-model';
import { GATE_BADGES, graphView, nodeStatuses } from '../../render';
import { awaitingReview, envelope, featureGraph, stage } from './fixtures';

let graph: PipelineGraph;
beforeAll(async () => {
  graph = await featureGraph();
});

const statusesOf = (env: RunEnvelope) => Object.fromEntries(nodeStatuses(graph, env));

describe('nodeStatuses', () => {
  it('colours finished stages by outcome, the open gate as running and the rest not reached when a run waits at a gate', () => {
    expect(statusesOf(awaitingReview())).toEqual({
      start: 'success', plan: 'success', implement: 'success', test: 'success', check: 'success', fix: 'fail', review: 'running', exit: 'not_reached',
    });
  });

  test.each([
    { when: 'a stage started and did not finish', stages: [stage('plan', 'codergen', 2)], extra: {}, node: 'plan', expected: 'running' },
    { when: 'a stage started again after it finished (a loop)', stages: [stage('test', 'tool', 9, 5, 'fail')], extra: {}, node: 'test', expected: 'running' },
    { when: 'a stage ended partial_success', stages: [stage('plan', 'codergen', 2, 3, 'partial_success')], extra: {}, node: 'plan', expected: 'partial_success' },
    { when: 'a stage asked for a retry', stages: [stage('plan', 'codergen', 2, 3, 'retry')], extra: {}, node: 'plan', expected: 'retry' },
    { when: 'a stage was skipped', stages: [stage('plan', 'codergen', 2, 3, 'skipped')], extra: {}, node: 'plan', expected: 'skipped' },
    { when: 'it is the current node with no stage record yet', stages: [], extra: { currentNode: 'plan' }, node: 'plan', expected: 'running' },
    { when: 'the run never reached it', stages: [stage('plan', 'codergen', 2, 3, 'success')], extra: {}, node: 'fix', expected: 'not_reached' },
    { when: 'it is the start node and any stage ran', stages: [stage('plan', 'codergen', 2, 3, 'success')], extra: {}, node: 'start', expected: 'success' },
  ])('marks $node $expected when $when (executing run)', ({ stages, extra, node, expected }) => {
    expect(statusesOf(envelope('executing', stages, extra))[node]).toBe(expected);
  });

  test.each([
    { when: 'the failure names it, even though its record says success', status: 'failed', stages: [stage('test', 'tool', 9, 10, 'success')], extra: { failure: { domain: 'EXEC_FAILURE', message: 'x', causes: [], recovery: 'r', node: 'test' } }, node: 'test', expected: 'fail' },
    { when: 'a failed run left its stage in flight', status: 'failed', stages: [stage('test', 'tool', 9)], extra: {}, node: 'test', expected: 'fail' },
    { when: 'a completed run ended at the exit', status: 'completed', stages: [stage('review', 'wait.human', 12, 13, 'success')], extra: { currentNode: 'exit', outcome: 'succeeded' }, node: 'exit', expected: 'success' },
    { when: 'a failed run stopped at it', status: 'failed', stages: [], extra: { currentNode: 'check', outcome: 'failed' }, node: 'check', expected: 'fail' },
    { when: 'the run is still booting', status: 'booting', stages: [], extra: {}, node: 'start', expected: 'not_reached' },
  ] as const)('marks $node $expected when $when', ({ status, stages, extra, node, expected }) => {
    expect(statusesOf(envelope(status, [...stages], extra as Partial<RunEnvelope>))[node]).toBe(expected);
  });
});

describe('graphView', () => {
  it('badges human gates and goal gates and draws every human gate as a hexagon when built from the example', () => {
    const view = graphView(graph);
    const review = view.nodes.find((n) => n.id === 'review');
    const implement = view.nodes.find((n) => n.id === 'implement');
    expect(review).toMatchObject({ humanGate: true, goalGate: false, shape: 'hexagon', lines: ['Review the change', GATE_BADGES.human] });
    expect(implement).toMatchObject({ humanGate: false, goalGate: true, shape: 'box', lines: ['Implement', GATE_BADGES.goal] });
    expect(view.nodes.filter((n) => n.humanGate || n.goalGate).map((n) => n.id)).toEqual(['implement', 'review']);
  });

  it('draws a wait.human node as a hexagon even when its declared shape is a box', () => {
    const boxed: PipelineGraph = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'review' ? { ...n, shape: 'box' } : n)) };
    expect(graphView(boxed).nodes.find((n) => n.id === 'review')?.shape).toBe('hexagon');
  });

  it('has no statuses and no run line when no envelope is given', () => {
    const view = graphView(graph);
    expect(view.isRun).toBe(false);
    expect(view.subtitle).toBeUndefined();
    expect(view.nodes.every((n) => n.status === undefined)).toBe(true);
  });

  it('adds the status and run count to node lines when drawing a run', () => {
    const view = graphView(graph, awaitingReview());
    expect(view.subtitle).toBe('run run-test: awaiting_human');
    expect(view.nodes.find((n) => n.id === 'test')?.lines).toEqual(['Run tests', 'success (2 runs, last 1.0s)']);
    expect(view.nodes.find((n) => n.id === 'exit')?.lines).toEqual(['Exit', 'not reached']);
  });

  it('adds how long each finished stage took (a gate: how long it waited), never to a running one, start, exit or a conditional', () => {
    const run = envelope('completed', [
      stage('start', 'start', 0, 0, 'success'),
      stage('plan', 'codergen', 1, 4, 'success'),
      { ...stage('implement', 'codergen', 4, 5, 'fail'), finishedAt: '2025-01-01T00:02:10.500Z' },
      stage('check', 'conditional', 9, 9, 'success'),
      stage('review', 'wait.human', 10, undefined),
    ], { outcome: 'failed', failure: { domain: 'EXEC_FAILURE', message: 'x', causes: [], recovery: 'r', node: 'implement' } });
    const lines = (id: string) => graphView(graph, run).nodes.find((n) => n.id === id)?.lines;
    expect(lines('plan')).toEqual(['Plan', 'success · 3.0s']);
    expect(lines('implement')).toEqual(['Implement', GATE_BADGES.goal, 'fail · 2m07s']);
    expect(lines('start')).toEqual(['Start', 'success']);
    expect(lines('check')?.at(-1)).toBe('success');
    // unfinished at the end (no finishedAt): no duration claimed
    expect(lines('review')?.at(-1)).toMatch(/^(fail|running|not reached)$/);
    expect(graphView(graph, run).nodes.find((n) => n.id === 'plan')?.tooltip).toContain('ran 3.0s, from 2025-01-01T00:00:01.000Z');
  });

  it('puts the label and the condition of each edge on its own line when edges have both', () => {
    const view = graphView(graph);
    expect(view.edges.find((e) => e.from === 'check' && e.to === 'review')).toEqual({ from: 'check', to: 'review', lines: ['Pass', '[outcome=success]'], conditional: true });
    expect(view.edges.find((e) => e.from === 'start')).toEqual({ from: 'start', to: 'plan', lines: [], conditional: false });
  });
});

describe('a shape that does not pick the node\'s handler (issue 22)', () => {
  it('draws the node with its handler\'s shape and a "runs as" line when the shape is a typo', async () => {
    const { loadPipelineDot } = await import('../../definitions/dot');
    const { graph: g } = loadPipelineDot('digraph t {\n  start [shape=Mdiamond]\n  exit [shape=Msquare]\n  review [shape=hexagone, label="Review"]\n  start -> review -> exit\n}\n', 't.dot');
    const view = graphView(g as PipelineGraph).nodes.find((n) => n.id === 'review');
    expect(view).toMatchObject({ shape: 'box', lines: ['Review', 'runs as codergen'], humanGate: false });
    const start = graphView(g as PipelineGraph).nodes.find((n) => n.id === 'start');
    expect(start?.lines).toEqual(['start']);
  });
});
