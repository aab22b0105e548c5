// Where a stage's activity runs: as a LOCAL activity (in the workflow's own worker, recorded in
// history as a marker, retried by the same policy — a few ms) or a normal REMOTE one (its own
// activity task: heartbeats, cancellation through heartbeats, any worker may take it — tens of ms).
// Pure: the run workflow decides with it, `factory graph` and status show it.

import { NodeType, type PipelineNode } from './model';

/** The two ways a stage can run. */
export const ActivityMode = { local: 'local', remote: 'remote' } as const;
export type ActivityMode = (typeof ActivityMode)[keyof typeof ActivityMode];

/** Stages whose timeout is at most this run local: they are short enough that a heartbeat adds nothing. */
export const LOCAL_ACTIVITY_MAX_MS = 60_000;

/** The mode and the reason, in words, for `factory graph` and status. */
export interface ActivityPlacement {
  mode: ActivityMode;
  reason: string;
}

/** What the rule reads besides the node: the stage timeout in force and the LLM provider's kind. */
export interface PlacementContext {
  /** The profile's stage timeout, used when the node sets none. */
  stageTimeoutMs: number;
  /** The profile's provider kind (`twin` is simulated and answers at once). */
  providerKind: string;
}

/** The placement in words for a picture of the pipeline, where the profile may be unknown (`factory graph <spec>`). */
export function describePlacement(node: PipelineNode, ctx?: PlacementContext): string {
  if (ctx) {
    const p = stageActivityMode(node, ctx);
    return `${p.mode} activity (${p.reason})`;
  }
  if (node.activity) return `${node.activity} activity (activity=${node.activity} on the node)`;
  if (node.type === NodeType.codergen) return 'local activity on the twin provider, remote on a real one';
  if (node.type === NodeType.fanIn || (node.timeout_ms !== undefined && node.timeout_ms <= LOCAL_ACTIVITY_MAX_MS)) return stageActivityMode(node, { stageTimeoutMs: 0, providerKind: 'twin' }).mode + ' activity';
  if (node.timeout_ms !== undefined) return 'remote activity (timeout > 60s)';
  return `local activity if the profile's stage timeout is ≤ ${LOCAL_ACTIVITY_MAX_MS / 1000}s, else remote`;
}

/**
 * The rule, in order: `activity=local|remote` on the node wins; a fan-in (reads branch results) and
 * a codergen stage on the simulated `twin` provider run local; codergen on a real provider stays remote
 * (long, heartbeating, cancellable); any other stage runs local when its timeout is ≤ 60 s.
 */
export function stageActivityMode(node: PipelineNode, ctx: PlacementContext): ActivityPlacement {
  if (node.activity) return { mode: node.activity, reason: `activity=${node.activity} on the node` };
  if (node.type === NodeType.fanIn) return { mode: ActivityMode.local, reason: 'fan-in: reads the branches’ results, short' };
  if (node.type === NodeType.codergen) {
    return ctx.providerKind === 'twin'
      ? { mode: ActivityMode.local, reason: 'codergen on the simulated twin provider, short' }
      : { mode: ActivityMode.remote, reason: `codergen on a ${ctx.providerKind} provider: long, heartbeats, cancellable` };
  }
  const timeoutMs = node.timeout_ms ?? ctx.stageTimeoutMs;
  const secs = `${Math.round(timeoutMs / 1000)}s`;
  return timeoutMs <= LOCAL_ACTIVITY_MAX_MS
    ? { mode: ActivityMode.local, reason: `timeout ${secs} ≤ ${LOCAL_ACTIVITY_MAX_MS / 1000}s` }
    : { mode: ActivityMode.remote, reason: `timeout ${secs} > ${LOCAL_ACTIVITY_MAX_MS / 1000}s: long stages stay normal activities` };
}
