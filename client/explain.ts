// `factory lint --explain`: the handler each node resolves to and why (explicit type, shape, the
// start/exit id convention, or the codergen default), so a shape typo is visible as what it runs as.
import type { SourceMap } from '../core/diagnostics';
import { NodeType, SHAPE_TO_TYPE, type PipelineGraph, type PipelineNode } from '../core/model';
import { WORKFLOW_NODE_TYPES } from '../core/node-types';

/** Why a node has its type, in the words of Attractor §4.2 (resolution order: type, shape, default). */
export function typeReason(node: PipelineNode, sourceMap: SourceMap): string {
  if (Object.hasOwn(sourceMap, `nodes[${node.id}].type`)) return `type=${node.type}`;
  const written = Object.hasOwn(sourceMap, `nodes[${node.id}].shape`);
  if (written && Object.hasOwn(SHAPE_TO_TYPE, node.shape) && SHAPE_TO_TYPE[node.shape] === node.type) return `shape=${node.shape}`;
  if (!written && (node.type === NodeType.start || node.type === NodeType.exit)) return `its id '${node.id}' (Attractor §11.2)`;
  if (written && !Object.hasOwn(SHAPE_TO_TYPE, node.shape)) return `shape '${node.shape}' is not an Attractor shape, so the default`;
  return 'no shape: the default';
}

/** One line per node: `  id → type (why; where it runs)`. */
export function explainLines(graph: PipelineGraph, sourceMap: SourceMap): string[] {
  const width = Math.max(0, ...graph.nodes.map((n) => n.id.length));
  return graph.nodes.map((n) => {
    const where = WORKFLOW_NODE_TYPES.includes(n.type) ? 'in the workflow' : 'activity';
    return `  ${n.id.padEnd(width)} → ${n.type} (${typeReason(n, sourceMap)}; ${where})`;
  });
}
