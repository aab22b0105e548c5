// Which node types the run workflow executes itself and which go to a worker's handler registry.
// Shared by preflight (coverage check) and the workflow (dispatch), so the two always agree.

import { NodeType } from './model';

/** Types handled inside workflow code: they cost no activity (start/exit/conditional) or need workflow state. */
export const WORKFLOW_NODE_TYPES: readonly string[] = [
  NodeType.start,
  NodeType.exit,
  NodeType.conditional,
  NodeType.waitHuman,
  NodeType.parallel,
  NodeType.managerLoop,
];

/** Types the pipeline worker's default handler registry serves (custom types are added by register()). */
export const ACTIVITY_NODE_TYPES: readonly string[] = [NodeType.codergen, NodeType.tool, NodeType.fanIn];
