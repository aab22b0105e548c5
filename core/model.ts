// The one pipeline model that YAML and Attractor DOT both load into. Plain data: safe to pass to
// workflow code, to activities and over the wire. No zod, no Node built-ins here.

/** Handler types named by Attractor §2.8, plus any custom type string registered by a worker. */
export const NodeType = {
  start: 'start',
  exit: 'exit',
  codergen: 'codergen',
  waitHuman: 'wait.human',
  conditional: 'conditional',
  parallel: 'parallel',
  fanIn: 'parallel.fan_in',
  tool: 'tool',
  managerLoop: 'stack.manager_loop',
} as const;
export type BuiltinNodeType = (typeof NodeType)[keyof typeof NodeType];

/** Attractor §2.8 shape → handler type. */
export const SHAPE_TO_TYPE: Readonly<Record<string, BuiltinNodeType>> = {
  Mdiamond: 'start',
  Msquare: 'exit',
  box: 'codergen',
  hexagon: 'wait.human',
  diamond: 'conditional',
  component: 'parallel',
  tripleoctagon: 'parallel.fan_in',
  parallelogram: 'tool',
  house: 'stack.manager_loop',
};

/** The inverse of SHAPE_TO_TYPE, so a YAML node that names only its type draws like its DOT twin. */
export const TYPE_TO_SHAPE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SHAPE_TO_TYPE).map(([shape, type]) => [type, shape]),
);

/** Stage outcome statuses (Attractor §5.2), lower-case as the condition language compares them. */
export const StageStatus = {
  success: 'success',
  partialSuccess: 'partial_success',
  retry: 'retry',
  fail: 'fail',
  skipped: 'skipped',
} as const;
export type StageStatus = (typeof StageStatus)[keyof typeof StageStatus];
export const STAGE_STATUSES: readonly StageStatus[] = Object.values(StageStatus);

/** Context fidelity modes (Attractor §5.4). */
export const FIDELITY_MODES = ['full', 'truncate', 'compact', 'summary:low', 'summary:medium', 'summary:high'] as const;
export type Fidelity = (typeof FIDELITY_MODES)[number];

export const REASONING_EFFORTS = ['low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** A free-form attribute value (custom attributes for custom handlers). */
export type AttrValue = string | number | boolean;

/** Human-gate settings carried on a `wait.human` node (`human.*` in DOT). */
export interface HumanGateAttrs {
  /** Edge target id or choice label taken when the gate times out. */
  default_choice?: string;
  /** Who may answer; empty means the profile's approvers. */
  approvers?: string[];
  /** Answers needed to close the gate (N of M). */
  quorum?: number;
  timeout_ms?: number;
  allow_self_approval?: boolean;
  /** Question type (core/questions.ts QuestionType); unset: multiple_choice, or confirmation for one edge. */
  question?: string;
}

/** Supervisor settings on a `stack.manager_loop` node (`manager.*` in DOT). */
export interface ManagerAttrs {
  poll_interval_ms?: number;
  max_cycles?: number;
  stop_condition?: string;
  actions?: string[];
}

export interface PipelineNode {
  id: string;
  /** Resolved handler type: explicit `type`, else by shape, else codergen. */
  type: string;
  shape: string;
  label: string;
  prompt: string;
  max_retries?: number;
  goal_gate: boolean;
  retry_target?: string;
  fallback_retry_target?: string;
  fidelity?: string;
  thread_id?: string;
  classes: string[];
  timeout_ms?: number;
  llm_model?: string;
  llm_provider?: string;
  reasoning_effort?: string;
  auto_status: boolean;
  allow_partial: boolean;
  /** Ignored since Worker Versioning: every stage is a normal activity (kept so pipelines that set it still load). */
  activity?: 'local' | 'remote';
  tool_command?: string;
  join_policy?: string;
  error_policy?: string;
  max_parallel?: number;
  human?: HumanGateAttrs;
  manager?: ManagerAttrs;
  /** Attributes no built-in handler reads; custom handlers read them. */
  attrs: Record<string, AttrValue>;
}

export interface PipelineEdge {
  from: string;
  to: string;
  label: string;
  condition: string;
  weight: number;
  fidelity?: string;
  thread_id?: string;
  loop_restart: boolean;
  attrs: Record<string, AttrValue>;
}

export interface PipelineGraph {
  id: string;
  version: string;
  goal: string;
  label: string;
  model_stylesheet: string;
  /** Retry ceiling for nodes without `max_retries` (DOT `default_max_retry` is read as this). */
  default_max_retries?: number;
  retry_target?: string;
  fallback_retry_target?: string;
  default_fidelity?: string;
  /** Capabilities the pipeline needs from the profile and scenario suite. */
  capabilities: string[];
  /** Context keys published with the candidate for holdout evaluation. */
  exports: string[];
  /** `stack.child_dotfile` and friends (Attractor Appendix A). */
  stack?: { child_dotfile?: string; child_workdir?: string };
  tool_hooks?: { pre?: string; post?: string };
  attrs: Record<string, AttrValue>;
  /**
   * The pipeline's parameters its prompts use: custom graph attributes (string values) named as `$name` in a
   * node's prompt, found by the param_expansion transform before it expands them (lint reads it: an unused
   * custom attribute is `unknown_attr`).
   */
  params?: string[];
  nodes: PipelineNode[];
  edges: PipelineEdge[];
}

/** Resolves a node's handler type as Attractor §4.2 does. */
export function resolveNodeType(explicitType: string | undefined, shape: string | undefined): string {
  if (explicitType) return explicitType;
  return (shape && SHAPE_TO_TYPE[shape]) || NodeType.codergen;
}
