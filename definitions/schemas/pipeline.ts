// The PipelineSpec document (native YAML; the DOT loader maps into the same shape). Validates and
// parses durations; definitions/normalize.ts turns the result into core/model.ts PipelineGraph.
import { z } from 'zod';
import { FIDELITY_MODES, REASONING_EFFORTS, SHAPE_TO_TYPE, NodeType } from '../../core/model';
import { QUESTION_TYPES, type QuestionType } from '../../core/questions';
import { attrs, duration, renameMs, semver, specId, stringList, stringOrList } from './common';

const nodeId = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a node id of letters, digits and "_", not starting with a digit' })
  .describe('Node id: [A-Za-z_][A-Za-z0-9_]*');

const fidelity = z.string().meta({ description: 'Context fidelity mode', examples: [...FIDELITY_MODES] });
const retryCount = z.int().min(0);

/** `human.*`: settings of a `wait.human` gate; unset fields fall back to the profile's human_gate policy. */
export const humanGateSchema = z
  .strictObject({
    default_choice: z.string().optional().describe('Edge target id or choice label taken when the gate times out'),
    approvers: z.array(z.string()).optional().describe('Who may answer; empty means the profile approvers'),
    quorum: z.int().min(1).optional().describe('Answers needed to close the gate'),
    timeout: duration.optional().describe('How long the gate waits, e.g. 24h'),
    allow_self_approval: z.boolean().optional().describe('May the run starter answer the gate'),
    question: z
      .enum(QUESTION_TYPES as [QuestionType, ...QuestionType[]])
      .optional()
      .describe('Question type (Attractor §6.2): yes_no, multiple_choice, freeform or confirmation; default multiple_choice, confirmation for one edge'),
  })
  .transform(renameMs('timeout'));

/** `manager.*`: supervisor loop settings of a `stack.manager_loop` node. */
export const managerSchema = z
  .strictObject({
    poll_interval: duration.optional().describe('Time between observations, e.g. 45s'),
    max_cycles: z.int().min(1).optional().describe('Observation cycles before giving up'),
    stop_condition: z.string().optional().describe('Condition that ends the loop, e.g. context.done=true'),
    actions: stringOrList.optional().describe('Actions per cycle: "observe,wait" or a list'),
  })
  .transform(renameMs('poll_interval'));

/** One stage of the graph. */
export const nodeSchema = z
  .strictObject({
    id: nodeId,
    type: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Handler type; default from shape, else codergen', examples: Object.values(NodeType) }),
    shape: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Graphviz shape; selects the type when type is absent', examples: Object.keys(SHAPE_TO_TYPE) }),
    label: z.string().optional().describe('Display label; default the id'),
    prompt: z.string().optional().describe('Prompt for the stage; $goal is expanded'),
    max_retries: retryCount.optional().describe('Retries after the first attempt'),
    goal_gate: z.boolean().optional().describe('Must succeed before the pipeline may exit'),
    retry_target: z.string().optional().describe('Node to jump to when this goal gate is unsatisfied'),
    fallback_retry_target: z.string().optional().describe('Used when retry_target is missing or invalid'),
    fidelity: fidelity.optional(),
    thread_id: z.string().optional().describe('Session thread key for full fidelity'),
    class: stringOrList.optional().describe('Stylesheet classes: "code,critical" or a list'),
    timeout: duration.optional().describe('Stage timeout, e.g. 900s'),
    llm_model: z.string().optional().describe('Model override'),
    llm_provider: z.string().optional().describe('Provider override'),
    reasoning_effort: z.enum(REASONING_EFFORTS).optional().describe('low | medium | high'),
    auto_status: z.boolean().optional().describe('Report success when the handler writes no status'),
    allow_partial: z.boolean().optional().describe('Accept partial_success when retries run out'),
    activity: z.enum(['local', 'remote']).optional().describe('Ignored: every stage runs as a normal Temporal activity (accepted so pipelines that set it still load)'),
    tool_command: z.string().optional().describe('Shell command of a tool node'),
    join_policy: z.string().optional().describe('Parallel join policy'),
    error_policy: z.string().optional().describe('Parallel error policy'),
    max_parallel: z.int().min(1).optional().describe('Parallel branch limit'),
    human: humanGateSchema.optional().describe('Human gate settings (wait.human)'),
    manager: managerSchema.optional().describe('Supervisor settings (stack.manager_loop)'),
    attrs: attrs.optional(),
  })
  .transform(renameMs('timeout'));

/** One directed edge. */
export const edgeSchema = z.strictObject({
  from: z.string().min(1).describe('Source node id'),
  to: z.string().min(1).describe('Target node id'),
  label: z.string().optional().describe('Choice label, e.g. "[A] Approve"'),
  condition: z.string().optional().describe('Guard, e.g. outcome=success'),
  weight: z.int().optional().describe('Higher wins among equally eligible edges'),
  fidelity: fidelity.optional(),
  thread_id: z.string().optional().describe('Session thread key'),
  loop_restart: z.boolean().optional().describe('Restart the run from the target'),
  attrs: attrs.optional(),
});

/** The whole PipelineSpec document. `kind` is required in YAML (the loader checks); DOT has none. */
export const pipelineSchema = z
  .strictObject({
    kind: z.literal('PipelineSpec').optional().describe('Document kind'),
    id: specId.describe('Pipeline id, e.g. feature-pipeline'),
    version: semver.default('0.0.0'),
    goal: z.string().default('').describe('What the pipeline achieves; $goal in prompts'),
    label: z.string().default('').describe('Display label'),
    model_stylesheet: z.string().default('').describe('CSS-like model stylesheet, e.g. * { llm_model: twin-coder; }'),
    capabilities: stringList.describe('Capabilities required from the environment and suite'),
    exports: stringList.describe('Context keys published with the candidate'),
    default_max_retries: retryCount.optional().describe('Retry ceiling for nodes without max_retries'),
    retry_target: z.string().optional().describe('Graph-level retry target'),
    fallback_retry_target: z.string().optional().describe('Graph-level fallback retry target'),
    default_fidelity: fidelity.optional(),
    stack: z
      .strictObject({
        child_dotfile: z.string().optional().describe('Child pipeline of a manager loop'),
        child_workdir: z.string().optional().describe('Working directory of the child'),
      })
      .optional(),
    tool_hooks: z
      .strictObject({
        pre: z.string().optional().describe('Command before each tool call'),
        post: z.string().optional().describe('Command after each tool call'),
      })
      .optional(),
    attrs,
    nodes: z.array(nodeSchema).describe('Stages, in declaration order'),
    edges: z.array(edgeSchema).default([]).describe('Directed edges'),
  })
  .meta({ title: 'PipelineSpec', description: 'A factory pipeline graph (Attractor semantics)' });

/** The validated document: durations already in `_ms`, graph-level defaults filled. */
export type PipelineDoc = z.output<typeof pipelineSchema>;
export type PipelineNodeDoc = z.output<typeof nodeSchema>;
export type PipelineEdgeDoc = z.output<typeof edgeSchema>;
