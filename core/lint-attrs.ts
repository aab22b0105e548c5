// Attribute lint rules (Attractor §7.2 + ours): conditions, stylesheet, human gates, types, fidelity, retries,
// prompts. Condition and stylesheet errors are placed inside the value: the SourceMap position of
// `edges[i].condition` / `model_stylesheet` is taken as the first character of the value text.

import { conditionErrors } from './conditions';
import type { Diagnostic, SourcePos } from './diagnostics';
import type { LintContext, LintRule } from './lint';
import { FIDELITY_MODES, NodeType, type PipelineNode } from './model';
import { questionProblems, questionTypeOf } from './questions';
import { humanChoices, matchHumanChoice } from './routing';
import { parseStylesheet } from './stylesheet';

const diag = (rule: string, severity: 'error' | 'warning', message: string, fix: string, extra: Partial<Diagnostic>): Diagnostic => ({
  rule,
  severity,
  message,
  fix,
  ...extra,
});
const onNode = (n: PipelineNode, field?: string): Partial<Diagnostic> => ({ node: n.id, path: `nodes[${n.id}]${field ? '.' + field : ''}` });

/** Position of a (line, column) inside a value whose text starts at `base`. */
function within(base: SourcePos | undefined, line: number, column: number): Partial<Diagnostic> {
  if (!base) return {};
  return { line: base.line + line - 1, column: line === 1 ? base.column + column - 1 : column };
}

const CONDITION_FIX = 'write clauses key=value or key!=value joined by &&; keys: outcome, preferred_label, context.<path>';

const conditionSyntax: LintRule = {
  name: 'condition_syntax',
  apply(graph, ctx: LintContext) {
    const out: Diagnostic[] = [];
    const report = (text: string, path: string, subject: Partial<Diagnostic>) => {
      const base = ctx.sourceMap[path];
      for (const err of conditionErrors(text)) {
        const message = `condition "${text}" (column ${err.column}): ${err.message}`;
        out.push(diag('condition_syntax', 'error', message, CONDITION_FIX, { ...subject, path, ...within(base, 1, err.column) }));
      }
    };
    for (const e of ctx.index.edges) {
      if (!e.condition.ok) report(e.edge.condition, `edges[${e.index}].condition`, { edge: { from: e.edge.from, to: e.edge.to } });
    }
    // A manager loop's stop condition is the same language (§4.11); a bad one would never stop the loop.
    for (const n of graph.nodes) {
      const stop = n.manager?.stop_condition;
      if (stop) report(stop, `nodes[${n.id}].manager.stop_condition`, { node: n.id });
    }
    return out;
  },
};

const stylesheetSyntax: LintRule = {
  name: 'stylesheet_syntax',
  apply(graph, ctx) {
    if (graph.model_stylesheet.trim() === '') return [];
    const base = ctx.sourceMap['model_stylesheet'];
    return parseStylesheet(graph.model_stylesheet).errors.map((err) =>
      diag('stylesheet_syntax', 'error', `model_stylesheet line ${err.line}, column ${err.column}: ${err.message}`, 'rules look like `.code { llm_model: x; reasoning_effort: high; }`', {
        path: 'model_stylesheet',
        ...within(base, err.line, err.column),
      }),
    );
  },
};

const humans = (nodes: readonly PipelineNode[]) => nodes.filter((n) => n.type === NodeType.waitHuman);

/** A gate with one outgoing edge is an acknowledgement (one choice: "continue"); with none it strands the run. */
const humanGateChoices: LintRule = {
  name: 'human_gate_choices',
  apply(graph, { index }) {
    return humans(graph.nodes)
      .filter((n) => (index.outgoing.get(n.id) ?? []).length === 0)
      .map((n) => diag('human_gate_choices', 'error', `human gate '${n.id}' has no outgoing edge: an answer could not go anywhere`, `add one outgoing edge per choice from '${n.id}', labelled like "[A] Approve" (one edge makes an acknowledgement)`, onNode(n)));
  },
};

/** The gate's edges must carry its question type (core/questions.ts): yes_no needs a yes and a no edge. */
const humanQuestion: LintRule = {
  name: 'human_question',
  apply(graph, { index }) {
    const out: Diagnostic[] = [];
    for (const n of humans(graph.nodes)) {
      const choices = humanChoices(graph, n.id, index);
      const type = questionTypeOf(n.human?.question, choices.length);
      for (const problem of questionProblems(type, choices)) {
        out.push(diag('human_question', 'error', `human gate '${n.id}' (${type}): ${problem}`, 'label the edges "[Y] Yes" and "[N] No", or set human.question=multiple_choice', onNode(n, 'human.question')));
      }
      if (type === 'freeform' && choices.length > 1 && index.outgoing.get(n.id)?.every((e) => e.edge.condition === '')) {
        out.push(diag('human_question', 'warning', `freeform gate '${n.id}' has ${choices.length} unconditional edges: the text never chooses among them`, 'add conditions on context.human.gate.text, or keep one edge', onNode(n, 'human.question')));
      }
    }
    return out;
  },
};

const humanDefaultChoice: LintRule = {
  name: 'human_default_choice',
  apply(graph, { index }) {
    const out: Diagnostic[] = [];
    for (const n of humans(graph.nodes)) {
      const choice = n.human?.default_choice;
      if (choice === undefined || choice === '') continue;
      const choices = humanChoices(graph, n.id, index);
      if (matchHumanChoice(choices, choice)) continue;
      const names = choices.map((c) => `${c.to} ("${c.label}")`).join(', ') || 'none';
      out.push(diag('human_default_choice', 'error', `human.default_choice '${choice}' of '${n.id}' names no choice; choices: ${names}`, 'set it to a target node id or an edge label of this gate', onNode(n, 'human.default_choice')));
    }
    return out;
  },
};

const typeKnown: LintRule = {
  name: 'type_known',
  apply(graph, { knownTypes }) {
    return graph.nodes
      .filter((n) => !knownTypes.has(n.type))
      .map((n) => diag('type_known', 'warning', `node '${n.id}' has type '${n.type}', which no registered handler runs`, `add a handler for '${n.type}' in a plugin (docs/plugins.md), use one of: ${[...knownTypes].join(', ')}, or let the profile run it as its shape's handler (policy.unknown_types: shape)`, onNode(n, 'type')));
  },
};

const FIDELITY_FIX = `use one of: ${FIDELITY_MODES.join(', ')}`;
const isFidelity = (v: string) => (FIDELITY_MODES as readonly string[]).includes(v);

const fidelityValid: LintRule = {
  name: 'fidelity_valid',
  apply(graph, { index }) {
    const bad = (v: string | undefined): v is string => v !== undefined && !isFidelity(v);
    const out: Diagnostic[] = [];
    if (bad(graph.default_fidelity)) out.push(diag('fidelity_valid', 'warning', `default_fidelity '${graph.default_fidelity}' is not a fidelity mode`, FIDELITY_FIX, { path: 'default_fidelity' }));
    for (const n of graph.nodes) if (bad(n.fidelity)) out.push(diag('fidelity_valid', 'warning', `node '${n.id}' has fidelity '${n.fidelity}', not a fidelity mode`, FIDELITY_FIX, onNode(n, 'fidelity')));
    for (const e of index.edges) {
      if (bad(e.edge.fidelity)) {
        out.push(diag('fidelity_valid', 'warning', `edge ${e.edge.from} -> ${e.edge.to} has fidelity '${e.edge.fidelity}', not a fidelity mode`, FIDELITY_FIX, { edge: { from: e.edge.from, to: e.edge.to }, path: `edges[${e.index}].fidelity` }));
      }
    }
    return out;
  },
};

const retryTargetExists: LintRule = {
  name: 'retry_target_exists',
  apply(graph, { index }) {
    const out: Diagnostic[] = [];
    const check = (target: string | undefined, field: string, owner: string, extra: Partial<Diagnostic>) => {
      if (target === undefined || target === '' || index.nodes.has(target)) return;
      out.push(diag('retry_target_exists', 'warning', `${owner} ${field} '${target}' is not a node`, `point ${field} at an existing node id`, extra));
    };
    check(graph.retry_target, 'retry_target', 'graph', { path: 'retry_target' });
    check(graph.fallback_retry_target, 'fallback_retry_target', 'graph', { path: 'fallback_retry_target' });
    for (const n of graph.nodes) {
      check(n.retry_target, 'retry_target', `node '${n.id}'`, onNode(n, 'retry_target'));
      check(n.fallback_retry_target, 'fallback_retry_target', `node '${n.id}'`, onNode(n, 'fallback_retry_target'));
    }
    return out;
  },
};

const goalGateHasRetry: LintRule = {
  name: 'goal_gate_has_retry',
  apply(graph) {
    if (graph.retry_target || graph.fallback_retry_target) return [];
    return graph.nodes
      .filter((n) => n.goal_gate && !n.retry_target && !n.fallback_retry_target)
      .map((n) => diag('goal_gate_has_retry', 'warning', `goal gate '${n.id}' has no retry target: if it is unsatisfied at the exit, the run fails`, `set retry_target on '${n.id}' or a graph-level retry_target`, onNode(n, 'goal_gate')));
  },
};

const promptOnLlmNodes: LintRule = {
  name: 'prompt_on_llm_nodes',
  apply(graph) {
    return graph.nodes
      .filter((n) => n.type === NodeType.codergen && n.prompt.trim() === '' && n.label === n.id)
      .map((n) => diag('prompt_on_llm_nodes', 'warning', `LLM node '${n.id}' has no prompt and no label of its own: the model would only see '${n.id}'`, `give '${n.id}' a prompt (it may use $goal)`, onNode(n)));
  },
};

/** Attribute rules, in report order. */
export const ATTRIBUTE_RULES: readonly LintRule[] = [
  conditionSyntax,
  stylesheetSyntax,
  humanGateChoices,
  humanQuestion,
  humanDefaultChoice,
  typeKnown,
  fidelityValid,
  retryTargetExists,
  goalGateHasRetry,
  promptOnLlmNodes,
];
