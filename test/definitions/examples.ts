// Valid example documents shared by the spec tests (loader, normalize, JSON Schema, property tests).

/** A pipeline that uses every field of the document. */
export const FULL_PIPELINE = `# yaml-language-server: $schema=../../schema/pipeline.schema.json
kind: PipelineSpec
id: feature-pipeline
version: 1.2.0
goal: Ship the feature
label: Feature pipeline
model_stylesheet: |
  * { llm_model: twin-coder; }
  .critical { reasoning_effort: high; }
capabilities: [git, node]
exports: [candidate.path]
default_max_retries: 2
retry_target: plan
fallback_retry_target: plan
default_fidelity: compact
stack: { child_dotfile: child.dot, child_workdir: . }
tool_hooks: { pre: "echo pre", post: "echo post" }
attrs: { rankdir: LR }
nodes:
  - id: start
    shape: Mdiamond
  - id: plan
    label: Plan
    prompt: "Plan: $goal"
    max_retries: 3
    goal_gate: true
    retry_target: plan
    fidelity: full
    thread_id: main
    class: "code, critical"
    timeout: 900s
    llm_provider: twin
    auto_status: true
    allow_partial: true
    attrs: { owner: team-a, cost: 3, cheap: false }
  - id: test
    type: tool
    tool_command: npm test
  - id: fan
    type: parallel
    join_policy: wait_all
    error_policy: continue
    max_parallel: 4
  - id: review
    type: wait.human
    human: { default_choice: approve, approvers: [alice, bob], quorum: 2, timeout: 24h, allow_self_approval: false }
  - id: watch
    type: stack.manager_loop
    manager: { poll_interval: 45s, max_cycles: 10, stop_condition: "context.done=true", actions: "observe, wait" }
  - id: done
    shape: Msquare
edges:
  - { from: start, to: plan }
  - { from: plan, to: test, condition: "outcome=success", weight: 2, fidelity: full, thread_id: main }
  - { from: test, to: fan }
  - { from: fan, to: watch }
  - { from: watch, to: review }
  - { from: review, to: done, label: "[A] Approve" }
  - { from: review, to: plan, label: "[R] Revise", loop_restart: true, attrs: { color: red } }
`;

/** The smallest pipeline that loads and lints clean. */
export const MINIMAL_PIPELINE = `kind: PipelineSpec
id: tiny
goal: Say hello
nodes:
  - { id: start, shape: Mdiamond }
  - { id: work, prompt: "Do $goal" }
  - { id: done, shape: Msquare }
edges:
  - { from: start, to: work }
  - { from: work, to: done }
`;

export const FULL_PROFILE = `kind: FactoryProfile
id: local
version: 1.0.0
provider:
  kind: twin
  fixture: ../fixtures/twin.yaml
environment:
  name: local
  temporal:
    address: 127.0.0.1:7233
    namespace: default
    task_queue: factory-pipeline
    scenario_task_queue: factory-scenarios
    tls: { server_name: temporal, server_root_ca_cert: ca.pem, client_cert: c.pem, client_key: k.pem }
  run_root: runs
  workdir: .
  required_env: [HOME]
  capabilities: [git, node]
  allowed_dependency_modes: [real, twin]
dependencies: { llm: twin, github: twin }
policy:
  retry: { initial_interval: 1s, backoff_coefficient: 2, maximum_interval: 1m, maximum_attempts: 3, non_retryable_error_types: [BOOT_FAILURE] }
  stage_timeout: 15m
  human_gate: { timeout: 24h, on_timeout: default_choice, approvers: [alice], quorum: 1, allow_self_approval: false, auto_answer: false }
  decision: { mode: auto, pass_bar: 1.0, must_pass: [builds] }
  require_suite: true
`;

export const OPENAI_PROFILE = `kind: FactoryProfile
id: cloud
provider: { kind: openai, model: gpt-4.1, base_url: "https://llm.example.com/v1", api_key_env: LLM_KEY, timeout: 2m }
`;

export const AGENT_PROFILE = `kind: FactoryProfile
id: agent
provider: { kind: agent, command: [claude, -p], timeout: 30m }
`;

export const FULL_SUITE = `kind: ScenarioSuite
id: feature-pipeline-holdout
version: 1.0.0
pipeline_id: feature-pipeline
pipeline_major: 1
capabilities: [node]
pass_bar: { satisfaction: 0.5, must_pass: [builds] }
scenarios:
  - { id: builds, kind: command, title: "It builds", run: "node -e 'console.log(1)'", timeout: 30s,
      expect: { exit_code: 0, stdout_contains: ["1"], stdout_matches: "^1$" } }
  - { id: health, kind: http, request: { method: GET, path: /health, headers: { accept: application/json }, body: "" },
      expect: { status: 200, body_contains: [ok], json: { "$.status": "ok" } } }
  - { id: quality, kind: judge, rubric: "Readable code" }
`;

/** Every valid example with the kind it loads as. */
export const VALID_EXAMPLES: ReadonlyArray<readonly [name: string, kind: string, text: string]> = [
  ['full pipeline', 'PipelineSpec', FULL_PIPELINE],
  ['minimal pipeline', 'PipelineSpec', MINIMAL_PIPELINE],
  ['full profile', 'FactoryProfile', FULL_PROFILE],
  ['openai profile', 'FactoryProfile', OPENAI_PROFILE],
  ['agent profile', 'FactoryProfile', AGENT_PROFILE],
  ['full suite', 'ScenarioSuite', FULL_SUITE],
];
