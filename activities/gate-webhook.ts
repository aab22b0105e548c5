// A webhook notice when a human gate opens (profile policy.human_gate.webhook), sent from the activity
// side: after flushRun has appended a `gate.opened` event for the first time (a retried flush that
// finds it on disk already sends nothing). Delivery is best effort and detached from the activity: a
// slow, failing or unreachable receiver is logged and never delays, fails or changes the run.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEnvelope, RunEvent } from '../core/run-model';
import { loadBootSpec } from './boot-load';
import type { FlushResult, RunDirFlush } from './types';

/** What delivery needs: where profiles resolve, and where to say that a delivery failed. */
export interface GateWebhookDeps {
  registryRoot: string;
  warn: (message: string) => void;
  /** Per attempt (default 5 s); two attempts, one second apart. */
  timeoutMs?: number;
}

/** The JSON body POSTed to the webhook. */
export interface GateOpenedNotice {
  type: 'gate.opened';
  runId: string;
  workflowId: string;
  gate: string;
  approvers: string[];
  quorum: number;
  openedAt: string;
  pipeline: { id: string; version: string };
  /** How to answer: CLI commands, and the signal (name and JSON input) for the Temporal UI or CLI. */
  answer: { approve: string; reject: string; gates: string; signal: { name: 'approve'; input: { gate: string; by: string } } };
}

/** The gate.opened events this flush appended now (not ones already on disk). */
export function newlyOpenedGates(input: RunDirFlush, result: FlushResult): RunEvent[] {
  if (result.appended <= 0) return [];
  const firstNew = result.lastSeq - result.appended;
  return input.events.filter((e) => e.type === 'gate.opened' && e.seq > firstNew && e.seq <= result.lastSeq);
}

/** Builds the notice of one gate.opened event. */
export function noticeOf(event: RunEvent, envelope: RunEnvelope): GateOpenedNotice {
  const d = event.data as { gate?: unknown; approvers?: unknown; quorum?: unknown };
  const gate = String(d.gate);
  const run = envelope.workflowId ?? envelope.runId;
  return {
    type: 'gate.opened',
    runId: envelope.runId,
    workflowId: run,
    gate,
    approvers: Array.isArray(d.approvers) ? d.approvers.map(String) : [],
    quorum: typeof d.quorum === 'number' ? d.quorum : 1,
    openedAt: event.at,
    pipeline: envelope.pipeline,
    answer: {
      approve: `factory approve ${run} --gate ${gate}`,
      reject: `factory reject ${run} --gate ${gate}`,
      gates: `factory gates ${run}`,
      signal: { name: 'approve', input: { gate, by: '<your name>' } },
    },
  };
}

/** Sends a notice for each gate this flush opened, when the run's profile names a webhook; never throws. */
export async function notifyGatesOpened(input: RunDirFlush, result: FlushResult, deps: GateWebhookDeps): Promise<void> {
  const opened = newlyOpenedGates(input, result);
  if (opened.length === 0) return;
  try {
    const envelope = input.envelope ?? (JSON.parse(await readFile(join(input.runDir, 'run.json'), 'utf8')) as RunEnvelope);
    const url = await webhookOf(envelope, deps.registryRoot);
    if (!url) return;
    for (const event of opened) await deliver(url, noticeOf(event, envelope), deps);
  } catch (err) {
    deps.warn(`gate webhook: not sent (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The profile's webhook URL, from the profile the run booted with (its recorded source). */
async function webhookOf(envelope: RunEnvelope, registryRoot: string): Promise<string | undefined> {
  const causes: string[] = [];
  const spec = await loadBootSpec('profile', envelope.sources.profile, registryRoot, causes);
  if (!spec) throw new Error(`the run's profile did not load: ${causes.join('; ').slice(0, 200)}`);
  return spec.loaded.kind === 'FactoryProfile' ? spec.loaded.profile?.policy.human_gate.webhook : undefined;
}

async function deliver(url: string, notice: GateOpenedNotice, deps: GateWebhookDeps): Promise<void> {
  const where = new URL(url).origin; // never log a path or query: they may hold a token
  let last = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'factory-gate-webhook' },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
        redirect: 'error',
      });
      await res.body?.cancel();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
      if (res.status < 500) break;
    } catch (err) {
      const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
      last = String(cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : err));
    }
    if (attempt < 2) await new Promise((r) => setTimeout(r, 1000));
  }
  deps.warn(`gate webhook: run ${notice.runId} gate ${notice.gate}: delivery to ${where} failed (${last}); the run is not affected`);
}
