// Attractor definition of done (attractor-spec.md §11.3–§11.9 and the execution rows of §11.12) on the
// durable run. Items proved elsewhere are mapped here; the rest are tested in this file.
//
// §11.3 Execution engine
//   start node resolved, execution begins there ........ this file "begins at the start node ..."; test/core/routing.test.ts (start and exit)
//   handler via shape → type mapping .................... this file "dispatches DOT shapes ..."; run-happy "runs a DOT pipeline ..."
//   handler called with node, context, graph, logs root . this file "calls a custom handler with ..."
//   outcome written to {logs_root}/{node_id}/status.json  this file "writes status.json ..."; run-happy
//   5-step edge selection ............................... test/core/routing.test.ts (selectEdge table); routing.test "prefers the edge whose condition
//                                                          matches ...", "follows the preferred label ..."; this file (weight, lexical)
//   execute → select edge → advance loop; terminal stops  this file "smoke test" and "completes a pipeline of 10+ nodes ..."
//   outcome success iff goal gates succeeded ............ routing.test "goal gates"; test/core/routing.test.ts (goal gates)
// §11.4 Goal gate enforcement ............................ routing.test "goal gates" (pass, retry_target detour, graph retry_target, no target → EXEC_FAILURE);
//                                                          this file "smoke test" (implement fails, loops, then passes)
// §11.5 Retry logic
//   max_retries > 0 retried on RETRY or FAIL ............. failures.test "retries twice then succeeds ..." (FAIL), "uses the graph default_max_retries ..." (RETRY)
//   retry count tracked per node, limit respected ....... failures.test (attempts 3, node_retries, internal.retry_count.<node>; profile maximum_attempts)
//   backoff ............................................. failures.test (gaps grow by the profile's backoff_coefficient: Temporal's exponential backoff)
//   jitter .............................................. not applicable: Temporal's activity RetryPolicy has no jitter setting (documented reading)
//   after exhaustion the final outcome routes ........... failures.test "routes the final FAIL ...", "accepts partial_success ..."
// §11.6 Node handlers
//   start / exit no-op .................................. this file "begins at the start node ..." (no stage directory, no activity)
//   codergen: $goal, backend, prompt.md + response.md ... this file "smoke test", "expands $goal ..."; test/activities/codergen.test.ts
//   wait.human: choices, preferred_label ................ gates.test (choices in the gates query, human.gate.label, routing on the answer)
//   conditional pass-through ............................ routing.test "routes a conditional node on the outcome it passes through ..."
//   parallel / fan-in ................................... routing.test "parallel fan-out / fan-in"
//   tool ................................................ failures.test "tool failure"; run-happy; test/activities/tool.test.ts
//   custom handlers by type string ...................... this file "calls a custom handler ..."; every test.* handler in these files
// §11.7 State and context
//   context store, context_updates merged after each node routing.test "makes one stage's context updates visible ..."; routing.test (parallel: cloned contexts)
//   checkpoint after each node .......................... this file "rewrites checkpoint.json after every node ..."
//   resume from checkpoint .............................. resume.test
//   artifacts in {logs_root}/{node_id}/ ................. run-happy "writes run.json, manifest.json ..."; this file "smoke test"
// §11.8 Human-in-the-loop (Interviewer → Temporal messages)
//   ask(question) → answer .............................. gates.test: signals approve/reject/answer and the answerGate update
//   question types ...................................... SINGLE_SELECT = answer with a choice; CONFIRM = approve/reject; FREE_TEXT = `comment`;
//                                                          MULTI_SELECT: not offered (a gate selects one outgoing edge)
//   AutoApproveInterviewer .............................. gates.test "answers every gate with its first choice ... autoApprove"
//   ConsoleInterviewer .................................. the CLI's approve/reject/answer commands (test/client)
//   CallbackInterviewer ................................. the answerGate update (gates.test "human gates by update")
//   QueueInterviewer .................................... a test driver answering gates as they open (gates.test, test/replay/record.ts)
// §11.9 Condition expressions ............................ test/core/conditions.test.ts (=, !=, &&, outcome, preferred_label, context.*, missing = "",
//                                                          empty = true); routing.test "routes on context values ..." (&&, !=, missing key)
// §11.12 execution rows
//   linear 3-node pipeline end-to-end ................... run-happy "runs boot, every stage and finalize ..."
//   conditional branching (success/fail paths) .......... routing.test "routes a conditional node ..." (both rows of the table)
//   retry on failure (max_retries=2) .................... failures.test "retries twice then succeeds ..."
//   goal gate blocks exit when unsatisfied .............. routing.test "detours to retry_target ...", "fails the run with EXEC_FAILURE when a goal gate ..."
//   goal gate allows exit when all satisfied ............ routing.test "exits without a detour ..."
//   wait.human presents choices and routes on selection . gates.test "shows prompt, choices ...", "routes to the named choice ..."
//   edge selection: condition match wins over weight .... routing.test "prefers the edge whose condition matches ..."; test/core/routing.test.ts
//   edge selection: weight breaks ties .................. this file "breaks ties by weight ..."; test/core/routing.test.ts
//   edge selection: lexical tiebreak .................... this file "breaks remaining ties lexically ..."; test/core/routing.test.ts
//   context updates visible to the next node ............ routing.test "makes one stage's context updates visible ..."
//   checkpoint save and resume produces same result ..... resume.test "gives the same final context ..."
//   stylesheet applies model override by shape .......... this file "applies the stylesheet ..."; test/core/stylesheet.test.ts
//   prompt variable expansion ($goal) ................... this file "expands $goal ..."
//   parallel fan-out and fan-in ......................... routing.test "runs branches concurrently ..."
//   custom handler registration and execution ........... this file "calls a custom handler ..."
//   pipeline with 10+ nodes completes ................... this file "completes a pipeline of 10+ nodes ..."
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lintPipeline } from '../../core/lint';
import type { Checkpoint } from '../../core/run-model';
import { loadSpecFile } from '../../spec/load';
import {
  allEvents,
  handlerOf,
  pipelineYaml,
  Probe,
  readEvents,
  readJson,
  scriptHandler,
  startedNodes,
  testProfileYaml,
  useRunEnv,
  workspace,
} from '../helpers/runs';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.script', script.handler));

/** attractor-spec.md §11.13, with the twin backend scripted to fail `implement` once. */
const SMOKE_DOT = `digraph test_pipeline {
    graph [goal="Create a hello world Python script"]

    start       [shape=Mdiamond]
    plan        [shape=box, prompt="Plan how to create a hello world script for: $goal"]
    implement   [shape=box, prompt="Write the code based on the plan", goal_gate=true]
    review      [shape=box, prompt="Review the code for correctness"]
    done        [shape=Msquare]

    start -> plan
    plan -> implement
    implement -> review [condition="outcome=success"]
    implement -> plan   [condition="outcome=fail", label="Retry"]
    review -> done      [condition="outcome=success"]
    review -> implement [condition="outcome=fail", label="Fix"]
}
`;

describe('Attractor §11.13 smoke test on the durable run (twin backend)', () => {
  it('parses, validates, runs plan → implement → review → done with artifacts, goal gate and checkpoint', async () => {
    const ws = workspace(SMOKE_DOT, { ext: 'dot', profile: testProfileYaml().replace('provider: { kind: twin }', 'provider: { kind: twin, fixture: twin.yaml }') });
    ws.write('twin.yaml', 'implement:\n  - { status: fail, failure_reason: "tests do not pass yet" }\n  - { response: "print(\\"hello world\\")" }\n');
    const loaded = await loadSpecFile(ws.pipeline);
    const graph = loaded.kind === 'PipelineSpec' ? loaded.graph : undefined;
    expect(graph?.goal).toBe('Create a hello world Python script');
    expect(graph?.nodes).toHaveLength(5);
    expect(graph?.edges).toHaveLength(6);
    expect(lintPipeline(graph as NonNullable<typeof graph>).filter((d) => d.severity === 'error')).toEqual([]);

    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    const runDir = result.runDir as string;
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'plan', 'implement', 'plan', 'implement', 'review']);
    for (const node of ['plan', 'implement', 'review']) {
      for (const f of ['prompt.md', 'response.md', 'status.json']) expect([node, f, existsSync(join(runDir, node, f))]).toEqual([node, f, true]);
    }
    expect(readFileSync(join(runDir, 'plan', 'prompt.md'), 'utf8')).toBe('Plan how to create a hello world script for: Create a hello world Python script');
    expect(readFileSync(join(runDir, 'implement', 'response.md'), 'utf8')).toBe('print("hello world")');
    const cp = readJson<Checkpoint>(join(runDir, 'checkpoint.json'));
    expect(cp.current_node).toBe('done');
    expect(cp.completed_nodes).toEqual(expect.arrayContaining(['plan', 'implement', 'review']));
    expect(cp.node_outcomes['implement']).toBe('success'); // goal gate satisfied
  });
});

describe('Attractor §11.3 execution engine', () => {
  it('begins at the start node and runs start and exit in workflow code with no stage directory', async () => {
    const r = await (await env.start(workspace(pipelineYaml('engine-start', ['{ id: only, type: test.script }'], ['{ from: start, to: only }', '{ from: only, to: exit }'])))).result();
    const events = readEvents(r.runDir as string);
    expect(events.find((e) => e.type === 'run.started')?.data['start']).toBe('start');
    expect(startedNodes(events)[0]).toBe('start');
    const dirs = readdirSync(r.runDir as string, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(dirs).toEqual(['only']);
  });

  it('dispatches DOT shapes to their handler types when a node has no explicit type', async () => {
    const dot = `digraph shapes {
      start [shape=Mdiamond]
      work  [shape=box, prompt="do it"]
      check [shape=diamond]
      run   [shape=parallelogram, tool_command="true"]
      done  [shape=Msquare]
      start -> work -> check -> run -> done
    }`;
    const handle = await env.start(workspace(dot, { ext: 'dot' }));
    await handle.result();
    const types = (await allEvents(handle)).filter((e) => e.type === 'stage.started').map((e) => [e.data['node'], e.data['type']]);
    expect(types).toEqual([
      ['start', 'start'],
      ['work', 'codergen'],
      ['check', 'conditional'],
      ['run', 'tool'],
    ]);
  });

  it('calls a custom handler with the node, the run context, the graph goal and the stage directory under the run directory', async () => {
    const probe = new Probe((stage) => ({ status: 'success', context_updates: { seen_dir: stage.stageDir, seen_goal: stage.goal, seen_flavour: stage.node.attrs['flavour'] } }));
    env.register('test.dod-probe', probe.handler);
    const ws = workspace(pipelineYaml('engine-args', ['{ id: custom, type: test.dod-probe, attrs: { flavour: mint } }'], ['{ from: start, to: custom }', '{ from: custom, to: exit }'], 'goal: probe the args'));
    const r = await (await env.start(ws)).result();
    const [call] = probe.calls;
    expect(call?.node).toBe('custom');
    expect(r.context['seen_flavour']).toBe('mint');
    expect(call?.context).toMatchObject({ 'graph.goal': 'probe the args', current_node: 'custom' });
    expect(r.context['seen_dir']).toBe(join(r.runDir as string, 'custom'));
    expect(r.context['seen_goal']).toBe('probe the args');
  });

  it('writes status.json with the outcome into every stage directory', async () => {
    const ws = workspace(
      pipelineYaml('engine-status', ['{ id: a, type: test.script, attrs: { label: "x", set: "k=v" } }', '{ id: b, type: tool, tool_command: "exit 1" }', '{ id: c, type: test.script }'], [
        '{ from: start, to: a }',
        '{ from: a, to: b }',
        '{ from: b, to: c, condition: "outcome=fail" }',
        '{ from: b, to: exit, condition: "outcome=success" }',
        '{ from: c, to: exit }',
      ]),
    );
    const r = await (await env.start(ws)).result();
    expect(readJson(join(r.runDir as string, 'a', 'status.json'))).toMatchObject({ outcome: 'success', preferred_next_label: 'x', context_updates: { k: 'v' } });
    expect(readJson(join(r.runDir as string, 'b', 'status.json'))).toMatchObject({ outcome: 'fail' });
    expect(readJson(join(r.runDir as string, 'c', 'status.json'))).toMatchObject({ outcome: 'success' });
  });

  const ties = (weights: [number, number]) =>
    pipelineYaml('engine-ties', ['{ id: work, type: test.script }', '{ id: beta, type: test.script }', '{ id: alpha, type: test.script }'], [
      '{ from: start, to: work }',
      `{ from: work, to: beta, weight: ${weights[0]} }`,
      `{ from: work, to: alpha, weight: ${weights[1]} }`,
      '{ from: beta, to: exit }',
      '{ from: alpha, to: exit }',
    ]);

  it('breaks ties by weight when several unconditional edges are eligible', async () => {
    const handle = await env.start(workspace(ties([5, 1])));
    await handle.result();
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'work', 'beta']);
  });

  it('breaks remaining ties lexically by target id when weights are equal', async () => {
    const handle = await env.start(workspace(ties([2, 2])));
    await handle.result();
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'work', 'alpha']);
  });

  it('completes a pipeline of 10+ nodes mixing stage types, a conditional and a loop', async () => {
    const nodes = [
      '{ id: s1, type: test.script, attrs: { set: "round=1" } }',
      '{ id: s2, type: tool, tool_command: "echo two" }',
      '{ id: s3, type: test.script }',
      '{ id: branch, type: conditional }',
      '{ id: s4, type: test.script, attrs: { outcomes: "fail,success" } }',
      '{ id: s5, type: test.script }',
      '{ id: s6, prompt: "write $goal" }',
      '{ id: s7, type: tool, tool_command: "true" }',
      '{ id: s8, type: test.script }',
      '{ id: s9, type: test.script }',
      '{ id: s10, type: test.script }',
    ];
    const edges = [
      '{ from: start, to: s1 }',
      '{ from: s1, to: s2 }',
      '{ from: s2, to: s3 }',
      '{ from: s3, to: branch }',
      '{ from: branch, to: s4, condition: "context.round=1" }',
      '{ from: branch, to: s9, condition: "context.round!=1" }',
      '{ from: s4, to: s5, condition: "outcome=success" }',
      '{ from: s4, to: s3, condition: "outcome=fail" }',
      '{ from: s5, to: s6 }',
      '{ from: s6, to: s7 }',
      '{ from: s7, to: s8 }',
      '{ from: s8, to: s10 }',
      '{ from: s9, to: s10 }',
      '{ from: s10, to: exit }',
    ];
    const handle = await env.start(workspace(pipelineYaml('engine-ten', nodes, edges, 'goal: ten nodes')));
    const r = await handle.result();
    expect(r.outcome).toBe('succeeded');
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 's1', 's2', 's3', 'branch', 's4', 's3', 'branch', 's4', 's5', 's6', 's7', 's8', 's10']);
  });
});

describe('Attractor §11.7 state, §11.10/§11.12 stylesheet and $goal on the durable run', () => {
  it('rewrites checkpoint.json after every node when stages run in sequence', async () => {
    const seen: string[][] = [];
    env.register('test.dod-checkpoint', handlerOf((stage) => {
      seen.push(readJson<Checkpoint>(join(stage.runDir, 'checkpoint.json')).completed_nodes);
      return { status: 'success' };
    }));
    const ws = workspace(pipelineYaml('checkpoints', ['{ id: a, type: test.dod-checkpoint }', '{ id: b, type: test.dod-checkpoint }', '{ id: c, type: test.dod-checkpoint }'], ['{ from: start, to: a }', '{ from: a, to: b }', '{ from: b, to: c }', '{ from: c, to: exit }']));
    const r = await (await env.start(ws)).result();
    // each stage finds the checkpoint of the node before it already on disk
    expect(seen).toEqual([['start'], ['start', 'a'], ['start', 'a', 'b']]);
    expect(readJson<Checkpoint>(join(r.runDir as string, 'checkpoint.json')).completed_nodes).toEqual(['start', 'a', 'b', 'c', 'exit']);
  });

  it('applies the stylesheet to nodes by shape, class and id, with explicit node attributes winning', async () => {
    const probe = new Probe((stage) => ({ status: 'success', context_updates: { [`model.${stage.node.id}`]: `${stage.node.llm_model ?? ''}/${stage.node.reasoning_effort ?? ''}` } }));
    env.register('test.dod-model', probe.handler);
    const yaml = pipelineYaml(
      'styled',
      [
        '{ id: plain, type: test.dod-model, shape: box }',
        '{ id: fast, type: test.dod-model, shape: box, class: fast }',
        '{ id: review, type: test.dod-model, shape: box }',
        '{ id: pinned, type: test.dod-model, shape: box, llm_model: pinned-model }',
      ],
      ['{ from: start, to: plain }', '{ from: plain, to: fast }', '{ from: fast, to: review }', '{ from: review, to: pinned }', '{ from: pinned, to: exit }'],
      'model_stylesheet: "box { llm_model: big-model; reasoning_effort: medium; } .fast { llm_model: small-model; } #review { reasoning_effort: high; }"',
    );
    const r = await (await env.start(workspace(yaml))).result();
    expect(r.context).toMatchObject({
      'model.plain': 'big-model/medium',
      'model.fast': 'small-model/medium',
      'model.review': 'big-model/high',
      'model.pinned': 'pinned-model/medium',
    });
  });

  it('expands $goal in codergen prompts when the graph has a goal', async () => {
    const ws = workspace(pipelineYaml('goal-expand', ['{ id: write, prompt: "Please $goal, then stop" }'], ['{ from: start, to: write }', '{ from: write, to: exit }'], 'goal: write a haiku'));
    const r = await (await env.start(ws)).result();
    expect(readFileSync(join(r.runDir as string, 'write', 'prompt.md'), 'utf8')).toBe('Please write a haiku, then stop');
  });
});
