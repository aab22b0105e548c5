// Lint rules against silent meaning changes (issue 22): an attribute or shape nothing reads, a tool
// node without a command, conditions that override a human's answer, parallel branches that meet
// without a fan-in, loop caps that cap nothing. All warnings: each graph is valid per the spec; a strict
// profile refuses the typo rules (STRICT_RULES) at boot.

import type { Diagnostic } from './diagnostics';
import { branchJoin } from './branch-join';
import { attrAdvice, isKnownAttr, nearest, type AttrScope } from './known-attrs';
import type { LintContext, LintRule } from './lint';
import { NodeType, SHAPE_TO_TYPE, type PipelineGraph, type PipelineNode } from './model';
import { QuestionType, questionTypeOf } from './questions';
import { PARAM_NAME } from './transforms';
import { badVisitCaps, visitCapOf } from './visit-caps';

/**
 * The rules a profile with `policy.lint: strict` turns into a BOOT_FAILURE: each is a likely typo.
 * `implicit_node` is the DOT loader's (an edge endpoint no statement declares): spec resolve refuses it,
 * since preflight sees the graph, not the file; the others preflight refuses.
 */
export const STRICT_RULES: readonly string[] = ['unknown_attr', 'unknown_shape', 'implicit_node'];

/** Whether a strict profile refuses this finding (a warning of a STRICT_RULES rule; errors are refused anyway). */
export function refusedWhenStrict(d: Pick<Diagnostic, 'rule' | 'severity'>): boolean {
  return d.severity === 'warning' && STRICT_RULES.includes(d.rule);
}

const BUILTIN = new Set<string>(Object.values(NodeType));

const warn = (rule: string, message: string, fix: string, extra: Partial<Diagnostic>): Diagnostic => ({ rule, severity: 'warning', message, fix, ...extra });

function unknownAttr(scope: AttrScope, key: string, owner: string, path: string, extra: Partial<Diagnostic>): Diagnostic {
  const { suggestion, advice } = attrAdvice(scope, key);
  const fix = suggestion
    ? `did you mean '${suggestion}'?`
    : advice ?? 'remove it, or use a custom handler type (type=...) whose handler reads it (docs/plugins.md)';
  return warn('unknown_attr', `${owner} has attribute '${key}', which neither Attractor nor factory reads: it changes nothing`, fix, { ...extra, path });
}

const unknownAttrs: LintRule = {
  name: 'unknown_attr',
  apply(graph) {
    const out: Diagnostic[] = [];
    const params = new Set(graph.params ?? []);
    for (const [key, value] of Object.entries(graph.attrs)) {
      if (isKnownAttr('graph', key)) continue;
      // a graph attribute of our own is a parameter when a prompt uses it ($name, `factory run -p`) and it is
      // no near-miss of a known attribute; one no prompt uses changes nothing, like any unknown attribute
      const advice = attrAdvice('graph', key);
      if (!advice.suggestion && !advice.advice && PARAM_NAME.test(key) && typeof value === 'string' && params.has(key)) continue;
      const d = unknownAttr('graph', key, 'the graph', `attrs.${key}`, {});
      if (!advice.suggestion && !advice.advice && PARAM_NAME.test(key) && typeof value === 'string') d.fix = `${d.fix}; or, as a parameter, use it as $${key} in a node's prompt`;
      out.push(d);
    }
    for (const n of graph.nodes) {
      // a custom handler (plugin) reads its own attributes
      if (!BUILTIN.has(n.type)) continue;
      for (const key of Object.keys(n.attrs)) {
        if (!isKnownAttr('node', key)) out.push(unknownAttr('node', key, `node '${n.id}'`, `nodes[${n.id}].attrs.${key}`, { node: n.id }));
      }
    }
    graph.edges.forEach((e, i) => {
      for (const key of Object.keys(e.attrs)) {
        if (!isKnownAttr('edge', key)) out.push(unknownAttr('edge', key, `edge ${e.from} -> ${e.to}`, `edges[${i}].attrs.${key}`, { edge: { from: e.from, to: e.to } }));
      }
    });
    return out;
  },
};

/** A shape outside the §2.8 table picks no handler: the node silently becomes an LLM stage. */
const unknownShape: LintRule = {
  name: 'unknown_shape',
  apply(graph, ctx: LintContext) {
    const out: Diagnostic[] = [];
    for (const n of graph.nodes) {
      if (!n.shape || Object.hasOwn(SHAPE_TO_TYPE, n.shape)) continue;
      // with an explicit type the shape only draws; without a source map we cannot tell, so codergen is the tell
      const explicitType = Object.hasOwn(ctx.sourceMap, `nodes[${n.id}].type`) || n.type !== NodeType.codergen;
      if (explicitType) continue;
      const near = nearest(n.shape, Object.keys(SHAPE_TO_TYPE));
      const runsAs = near ? ` (shape=${near} would make it ${SHAPE_TO_TYPE[near] as string})` : '';
      out.push(
        warn(
          'unknown_shape',
          `node '${n.id}' has shape '${n.shape}', which is not an Attractor shape: it runs as ${n.type}${runsAs}`,
          near ? `did you mean '${near}'?` : `use a shape of Attractor §2.8 (${Object.keys(SHAPE_TO_TYPE).join(', ')}) or set type=`,
          { node: n.id, path: `nodes[${n.id}].shape` },
        ),
      );
    }
    return out;
  },
};

/** §4.10: a tool node without tool_command fails when it runs, after every stage before it has run. */
const toolCommand: LintRule = {
  name: 'tool_command_missing',
  apply(graph) {
    return graph.nodes
      .filter((n) => n.type === NodeType.tool && (n.tool_command ?? '').trim() === '')
      .map((n) => {
        const typo = Object.keys(n.attrs).find((k) => nearest(k, ['tool_command']) === 'tool_command');
        return warn(
          'tool_command_missing',
          `tool node '${n.id}' has no tool_command: it fails when it runs`,
          typo ? `'${typo}' is set: did you mean 'tool_command'?` : `set tool_command="..." on '${n.id}'`,
          { node: n.id, path: `nodes[${n.id}]` },
        );
      });
  },
};

/** Conditions on a gate's edges are evaluated after the answer and may send the run elsewhere than the person chose. */
const gateConditions: LintRule = {
  name: 'gate_condition',
  apply(graph, { index }) {
    const out: Diagnostic[] = [];
    for (const n of graph.nodes) {
      if (n.type !== NodeType.waitHuman) continue;
      const edges = index.outgoing.get(n.id) ?? [];
      // freeform gates route by conditions on the text by design (docs/attractor.md)
      if (questionTypeOf(n.human?.question, edges.length) === QuestionType.freeform) continue;
      for (const e of edges) {
        if (e.edge.condition.trim() === '') continue;
        out.push(
          warn(
            'gate_condition',
            `edge ${e.edge.from} -> ${e.edge.to} of human gate '${n.id}' has condition "${e.edge.condition}": a condition can override the person's answer`,
            'route by the answer alone (remove the condition), or put a conditional node (shape=diamond) after the gate',
            { edge: { from: e.edge.from, to: e.edge.to }, path: `edges[${e.index}].condition` },
          ),
        );
      }
    }
    return out;
  },
};

/**
 * §4.8 is silent on where a branch stops without a fan-in; ours (core/branch-join, issue 22): at the first
 * node every branch reaches, which then runs once after them. Said as info where that node is not a fan-in
 * (a fan-in would also pick a best branch); a warning where the branches never meet (the run fails there).
 */
const parallelFanIn: LintRule = {
  name: 'parallel_fan_in',
  apply(graph, ctx) {
    const out: Diagnostic[] = [];
    for (const n of graph.nodes as PipelineNode[]) {
      if (n.type !== NodeType.parallel) continue;
      const starts = [...new Set((ctx.index.outgoing.get(n.id) ?? []).map((e) => e.edge.to))];
      if (starts.length < 2) continue;
      const join = branchJoin(graph, starts, ctx.index, n.id);
      if (join?.fanIn) continue;
      const at = { node: n.id, path: `nodes[${n.id}]` };
      if (join === undefined) {
        out.push(
          warn(
            'parallel_fan_in',
            `the branches of parallel node '${n.id}' never reach a common node: the run fails at '${n.id}' before running them`,
            'lead every branch to one fan-in node (shape=tripleoctagon)',
            at,
          ),
        );
        continue;
      }
      const exit = ctx.index.nodes.get(join.node)?.type === NodeType.exit;
      out.push({
        rule: 'parallel_fan_in',
        severity: 'info',
        message: exit
          ? `the branches of parallel node '${n.id}' meet only at the exit '${join.node}': each stops before it, then the run ends`
          : `the branches of parallel node '${n.id}' meet at '${join.node}', which is not a fan-in node: each branch stops there and '${join.node}' runs once after them`,
        fix: exit ? 'lead the branches to a fan-in node (shape=tripleoctagon) to choose among their results' : `make '${join.node}' a fan-in node (shape=tripleoctagon) to have it pick the best branch`,
        ...at,
      });
    }
    return out;
  },
};

/** max_visits / max_node_visits: a value that is no positive integer caps nothing (the run workflow enforces the others). */
const visitCaps: LintRule = {
  name: 'visit_cap',
  apply(graph) {
    return badVisitCaps(graph).map((bad) => {
      const path = bad.node !== undefined ? `nodes[${bad.node}].attrs.${bad.key}` : `attrs.${bad.key}`;
      return warn('visit_cap', `${bad.key}=${JSON.stringify(bad.value)}${bad.node !== undefined ? ` on node '${bad.node}'` : ''} is not a positive integer: no cap`, `write ${bad.key}=3`, { path, ...(bad.node !== undefined ? { node: bad.node } : {}) });
    });
  },
};

/** Rules of this file, in report order. */
export const KNOWN_RULES: readonly LintRule[] = [unknownAttrs, unknownShape, toolCommand, gateConditions, parallelFanIn, visitCaps];
