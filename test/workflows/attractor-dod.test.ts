// THE MAP: every Attractor Definition-of-Done item (attractor-spec.md §11.1–§11.11), every §11.12 parity row
// and the §11.13 smoke test → the test that proves it. Tests named here are in this file unless a path is
// given. Keep it current when a test moves or a reading changes (readings: docs/attractor.md).
//
// §11.1 DOT parsing ........................................ test/definitions/dot-parse.test.ts "Attractor §11.1 DOT parsing" (one test per item:
//                                                             subset, goal/label/model_stylesheet, multi-line blocks, edge attrs, chained edges,
//                                                             default blocks, subgraph flattening, class + stylesheet, quoted/unquoted, comments)
// §11.2 Validation and linting
//   exactly one start (Mdiamond or id start/Start) ......... test/core/lint.test.ts "there is no start node", "there are two start nodes";
//                                                             test/definitions/dot-portable.test.ts "finds start and exit by id ..."
//   exactly one exit (Msquare or id exit/end) ............... test/core/lint.test.ts "there is no exit node", "there are two exit nodes"; dot-portable (by id)
//   start has no incoming / exit no outgoing ................ test/core/lint.test.ts "the start node has an incoming edge", "the exit node has an outgoing edge"
//   all nodes reachable (orphan → warning, §11.12) .......... test/core/lint.test.ts "a node is an orphan (§11.12: warning)"; dot-portable "reports an orphan ..."
//   all edges reference valid node ids ...................... test/core/lint.test.ts "an edge names a missing target/source" (YAML); DOT creates the node
//                                                             (Graphviz) with an implicit_node warning: dot-portable "creates a node from an edge endpoint ..."
//   codergen without prompt → warning ....................... test/core/lint.test.ts "an LLM node has neither prompt nor label"
//   conditions parse ........................................ test/core/lint.test.ts "a condition does not parse"
//   validate_or_raise throws on errors ...................... test/core/lint.test.ts "throws PipelineValidationError carrying every diagnostic ..."
//   results carry rule, severity, node/edge id, message ..... test/core/lint.test.ts (summary() of every case), "lintPipeline positions"
// §11.3 Execution engine
//   start node resolved, execution begins there ............ "begins at the start node ..."; test/core/routing.test.ts (start and exit)
//   handler via shape → type mapping ........................ "dispatches DOT shapes ..."; run-happy "runs a DOT pipeline ..."
//   handler called with node, context, graph, logs root .... "calls a custom handler with ..."
//   outcome written to {logs_root}/{node_id}/status.json ..... "writes status.json ..."; run-happy
//   5-step edge selection ................................... test/core/routing.test.ts (selectEdge table); routing.test "prefers the edge whose condition
//                                                             matches ...", "follows the preferred label ..."; this file (weight, lexical)
//   execute → select edge → advance loop; terminal stops ..... "smoke test" and "completes a pipeline of 10+ nodes ..."
//   outcome success iff goal gates succeeded ................ routing.test "goal gates"; test/core/routing.test.ts (goal gates)
// §11.4 Goal gate enforcement .............................. routing.test "goal gates" (pass, retry_target detour, graph retry_target, no target → EXEC_FAILURE,
//                                                             "names every unsatisfied goal gate ..."); this file "smoke test" (implement fails, loops, passes)
// §11.5 Retry logic (workflow-driven since the attractor-retry-loop patch: workflows/stage-retry.ts)
//   max_retries > 0 retried on RETRY or FAIL ................ failures.test "retries twice then succeeds ..." (FAIL), "uses the graph default_max_retries ..." (RETRY)
//   default: no retries ..................................... failures.test "does not retry (§3.5 default) ..."; test/core/retry.test.ts maxAttemptsFor
//   retry count tracked per node, limit respected ........... failures.test (attempts 3, node_retries, internal.retry_count.<node>)
//   backoff (constant, linear, exponential; presets) ......... test/core/retry.test.ts "gives the %s preset delays ...", "caps the delay ..."; failures.test
//                                                             "retries twice ... growing backoff", "takes the attempts of the profile preset ..."
//   jitter .................................................. test/core/retry.test.ts "keeps every jittered delay within [0.5, 1.5) ..."; failures.test
//                                                             "emits stage.retrying with attempt, reason and a jittered delay it then waits ..."
//   after exhaustion the final outcome routes ............... failures.test "routes the final FAIL ...", "accepts partial_success ..."
// §11.6 Node handlers
//   start / exit no-op ...................................... "begins at the start node ..." (no stage directory, no activity)
//   codergen: $goal, backend, prompt.md + response.md ........ "smoke test", "expands $goal ..."; test/activities/codergen.test.ts
//   wait.human: choices, preferred_label .................... gates.test (choices in the gates query, human.gate.label, routing on the answer); questions.test
//   conditional pass-through ................................ routing.test "routes a conditional node on the outcome it passes through ..."
//   parallel / fan-in ....................................... routing.test "parallel fan-out / fan-in" (parallel.results with outcome, success/fail counts);
//                                                             test/activities/fan-in-llm.test.ts (llm_evaluate through the provider when the node has a prompt)
//   tool .................................................... failures.test "tool failure"; run-happy; test/activities/tool.test.ts
//   custom handlers by type string .......................... "calls a custom handler ..."; every test.* handler in these files;
//                                                             plugins.test "runs a handler type the worker never registered ..." (profile plugins)
//   (auto_status, §2.6) ..................................... test/activities/stage.test.ts "auto_status (Attractor §2.6)"
// §11.7 State and context
//   context store, context_updates merged after each node ... routing.test "makes one stage's context updates visible ..."; routing.test (parallel: cloned contexts)
//   checkpoint after each node .............................. "rewrites checkpoint.json after every node ..."
//   resume from checkpoint .................................. resume.test
//   artifacts in {logs_root}/{node_id}/ ..................... run-happy "writes run.json, manifest.json ..."; "smoke test"
//   (context fidelity, §5.4) ................................ test/core/fidelity.test.ts; fidelity.test "gives each codergen stage the context ..."
// §11.8 Human-in-the-loop (Interviewer → Temporal messages)
//   ask(question) → answer .................................. gates.test: signals approve/reject/answer and the answerGate update
//   question types YES_NO, MULTIPLE_CHOICE, FREEFORM, CONFIRMATION  test/core/questions.test.ts (model, answers, context); questions.test "routes a yes_no gate ...",
//                                                             "refuses a freeform update without text, then ... factory answer --text ...", "fails the stage ...
//                                                             when a one-edge confirmation is declined"; test/client/live-view.test.ts "shows a %s gate ..."
//   AutoApproveInterviewer .................................. gates.test "answers every gate with its first choice ... autoApprove"; questions.test
//                                                             "answers yes and the first option under auto-approve"; test/core/questions.test.ts autoAnswer
//   ConsoleInterviewer ...................................... the CLI's approve/reject/answer commands (questions.test runs `factory answer --text`; test/client)
//   CallbackInterviewer ..................................... the answerGate update (gates.test "human gates by update")
//   QueueInterviewer ........................................ a test driver answering gates as they open (gates.test, test/replay/record.ts)
// §11.9 Condition expressions .............................. test/core/conditions.test.ts (=, !=, &&, outcome, preferred_label, context.*, missing = "",
//                                                             empty = true); routing.test "routes on context values ..." (&&, !=, missing key)
// §11.10 Model stylesheet .................................. test/core/stylesheet.test.ts (parse, shape/class/id selectors, specificity, explicit attrs win);
//                                                             "applies the stylesheet to nodes by shape, class and id ..."
// §11.11 Transforms and extensibility
//   transforms between parse and validate; transform(graph) test/core/transforms.test.ts "runs built-ins first, then custom transforms in registration order"
//   $goal expansion ......................................... test/core/transforms.test.ts goalExpansion; "expands $goal ..."
//   custom transforms registered, run in order .............. test/core/transforms.test.ts "runs built-ins first, then custom ..."; profile plugin transforms at
//                                                             boot before lint: plugins.test "runs the graph a plugin transform rewrote ...",
//                                                             "fails boot naming the transform when a plugin transform throws"
//   (manager loop, §4.11) ................................... test/workflows/manager-loop.test.ts (child workflow; observe/wait cycles; "fails the manager node
//                                                             naming manager.max_cycles ..."; "ends the loop with success when the stop condition holds ..."; "writes the node prompt
//                                                             once into the running child stage's steer directory ..." (steer))
//   (tool call hooks, §9.7) ................................ test/activities/tool-hooks.test.ts (pre vetoes on non-zero exit or timeout, post sees the
//                                                             result, both journaled; graph-level hooks inherited by nodes via tool_hook_inheritance)
//   (custom lint rules, §7.4) ............................... test/core/lint.test.ts "runs extra rules after the built-ins ..."; plugins.test "lints the example ..."
//   HTTP server mode ........................................ not implemented (optional in the spec); Temporal signals/updates/queries play that role
// §11.12 parity matrix
//   parse a simple linear pipeline .......................... test/definitions/dot-parse.test.ts "parses a simple linear pipeline ..."
//   parse graph-level attributes (goal, label) .............. test/definitions/dot-parse.test.ts "parses a pipeline when it has graph-level attributes ..."
//   parse multi-line node attributes ........................ test/definitions/dot-parse.test.ts "parses multi-line node attributes ..."
//   validate: missing start → error ......................... test/core/lint.test.ts "there is no start node"; test/corpus/dot/start_node__no-start.dot
//   validate: missing exit → error .......................... test/core/lint.test.ts "there is no exit node"; test/corpus/dot/terminal_node__no-exit.dot
//   validate: orphan node → warning ......................... test/core/lint.test.ts "a node is an orphan (§11.12: warning)"; dot-portable "reports an orphan ..."
//   linear 3-node pipeline end-to-end ....................... run-happy "runs boot, every stage and finalize ..."; spec-examples "runs simple.dot ..."
//   conditional branching (success/fail paths) .............. routing.test "routes a conditional node ..." (both rows); spec-examples "runs branch.dot ..."
//   retry on failure (max_retries=2) ........................ failures.test "retries twice then succeeds ..."
//   goal gate blocks exit when unsatisfied .................. routing.test "detours to retry_target ...", "fails the run with EXEC_FAILURE when a goal gate ..."
//   goal gate allows exit when all satisfied ................ routing.test "exits without a detour ..."
//   wait.human presents choices and routes on selection ..... gates.test "shows prompt, choices ...", "routes to the named choice ..."; spec-examples "runs review.dot ..."
//   edge selection: condition match wins over weight ........ routing.test "prefers the edge whose condition matches ..."; test/core/routing.test.ts
//   edge selection: weight breaks ties ...................... "breaks ties by weight ..."; test/core/routing.test.ts
//   edge selection: lexical tiebreak ........................ "breaks remaining ties lexically ..."; test/core/routing.test.ts
//   context updates visible to the next node ................ routing.test "makes one stage's context updates visible ..."
//   checkpoint save and resume produces same result ......... resume.test "gives the same final context ..."
//   stylesheet applies model override by shape .............. "applies the stylesheet ..."; test/core/stylesheet.test.ts
//   prompt variable expansion ($goal) ....................... "expands $goal ..."
//   parallel fan-out and fan-in ............................. routing.test "runs branches concurrently ..."
//   custom handler registration and execution ............... "calls a custom handler ..."; plugins.test "runs a handler type the worker never registered ..."
//   pipeline with 10+ nodes completes ....................... "completes a pipeline of 10+ nodes ..."
// §11.13 smoke test ........................................ "parses, validates, runs plan → implement → review → done ..." (scripted failure);
//                                                             spec-examples "runs smoke.dot unchanged ..." and dot-portable "lints smoke.dot with no errors ..."
// §2.13 examples ........................................... test/definitions/dot-portable.test.ts (lint, no errors) and spec-examples.test.ts (run on the twin)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lintPipeline } from '../../core/lint';
import type { Checkpoint } from '../../core/run-model';
import { loadSpecFile } from '../../definitions/load';
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
