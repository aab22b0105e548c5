// `factory watch`: the agent's turns and tool calls as they happen, read from the running stage
// activities' heartbeat details (DescribeWorkflowExecution). Temporal throttles heartbeats, and this
// polls every few seconds: a live glimpse, not a transcript (that is `<stage>/transcript.jsonl`).
import type { WorkflowHandle } from '@temporalio/client';
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
  const d = await handle.describe();
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

/** Prints a line whenever a running stage's agent progress changes, every `intervalMs`, until stop() is true. */
export async function followAgentProgress(handle: WorkflowHandle, onLine: (line: string, node: string) => void, opts: { stop: () => boolean; intervalMs?: number }): Promise<void> {
  let last = new Map<string, string>();
  while (!opts.stop()) {
    const now = new Map<string, string>();
    for (const p of await agentProgress(handle).catch(() => [])) {
      const line = formatAgentProgress(p);
      now.set(p.node, line);
      if (last.get(p.node) !== line) onLine(line, p.node);
    }
    last = now;
    await sleepUnless(opts.intervalMs ?? 2000, opts.stop);
  }
}

async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !stop()) await new Promise((r) => setTimeout(r, Math.min(200, until - Date.now())));
}
