// Shared helpers for the DOT loader tests.
import type { Diagnostic } from '../../core/diagnostics';
import type { PipelineEdge, PipelineGraph, PipelineNode } from '../../core/model';
import { loadPipelineDot } from '../../definitions/dot';

export const FILE = 'pipeline.dot';

/** Loads DOT text and fails the test (listing every diagnostic) unless it gave a graph without errors. */
export function loadOk(text: string): PipelineGraph {
  const result = loadPipelineDot(text, FILE);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !result.graph) throw new Error(`expected a graph, got:\n${describe(result.diagnostics)}`);
  return result.graph;
}

/** Loads DOT text expected to fail; returns its diagnostics. */
export function loadErrors(text: string): Diagnostic[] {
  const result = loadPipelineDot(text, FILE);
  expect(result.graph).toBeUndefined();
  return result.diagnostics;
}

export function node(graph: PipelineGraph, id: string): PipelineNode {
  const found = graph.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id} in ${graph.nodes.map((n) => n.id).join(', ')}`);
  return found;
}

export const pairs = (edges: readonly PipelineEdge[]): string[] => edges.map((e) => `${e.from}->${e.to}`);

function describe(diags: readonly Diagnostic[]): string {
  return diags.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`).join('\n') || '(no diagnostics)';
}

/** A valid start → plan → exit pipeline body with `extra` statements spliced in before the edges. */
export function linear(extra = '', planAttrs = 'prompt="Plan"'): string {
  return `digraph p {\n  start [shape=Mdiamond]\n  plan [${planAttrs}]\n  exit [shape=Msquare]\n${extra}\n  start -> plan -> exit\n}\n`;
}
