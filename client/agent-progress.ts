// `factory watch`: the agent's turns and tool calls as they happen, read from the running stage
// activities' heartbeat details (DescribeWorkflowExecution). Temporal throttles heartbeats, and this
// polls every few seconds: a live glimpse, not a transcript (that is `<stage>/transcript.jsonl`).
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

/** What the agent loop puts in its heartbeat. */
export interface AgentProgress {
  node: string;
  attempt?: number;
  agent: { turn: number; phase: 'model' | 'tool'; tool?: string; detail?: string; tool_calls?: number; tokens?: number };
}

/** One line for a progress snapshot. */
export function formatAgentProgress(p: AgentProgress): string {
  const a = p.agent;
  const what = a.phase === 'tool' ? `tool ${a.tool ?? '?'}${a.detail ? ` ${a.detail}` : ''}` : 'waiting for the model';
  const tally = [`${a.tool_calls ?? 0} tool calls`, ...(a.tokens ? [`${a.tokens} tokens`] : [])].join(', ');
  return `    ↳ ${p.node} turn ${a.turn}: ${what} (${tally})`;
}

/** Agent progress of every running stage activity of the run. */
export async function agentProgress(handle: WorkflowHandle): Promise<AgentProgress[]> {
  return agentProgressOf(await handle.describe());
}

/** Agent progress in a description of the run (its pending activities' last heartbeats). */
export function agentProgressOf(d: WorkflowExecutionDescription): AgentProgress[] {
  const out: AgentProgress[] = [];
  for (const pa of d.raw.pendingActivities ?? []) {
    const payload = pa.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    let details: unknown;
    try {
      details = defaultPayloadConverter.fromPayload(payload as never);
    } catch {
      continue;
    }
    const v = details as Partial<AgentProgress> | undefined;
    if (v && typeof v.node === 'string' && v.agent && typeof v.agent.turn === 'number') out.push(v as AgentProgress);
  }
  return out;
}

/** The agent lines that changed since the last snapshot (a line per running stage whose progress moved). */
export class AgentLines {
  private last = new Map<string, string>();

  /** The changed lines of this snapshot's progress, with their node. */
  changed(progress: readonly AgentProgress[]): { line: string; node: string }[] {
    const now = new Map<string, string>();
    const out: { line: string; node: string }[] = [];
    for (const p of progress) {
      const line = formatAgentProgress(p);
      now.set(p.node, line);
      if (this.last.get(p.node) !== line) out.push({ line, node: p.node });
    }
    this.last = now;
    return out;
  }
}
