// Human-readable lines for run events: shared by `factory run` (while it waits) and `factory watch`.
import type { WorkflowHandle } from '@temporalio/client';
import type { PolicyCheck } from '../core/decision-policy';
import type { SignatureCluster } from '../core/evaluation';
import type { GateChoice, RunEvent } from '../core/run-model';
import { unreachableText } from '../core/gate-rules';
import { eventsQuery } from '../workflows/messages';
import type { QuestionType } from '../core/questions';
import { sanitizeFields, sanitizeLine } from '../core/sanitize';
import { answerCommands, changeBlock, choicesLine, eventChange } from './gate-text';
import { DEFAULT_WORKER_WAIT_MS, isServerUnavailable, NoWorkerError, ServerUnavailableError, serverLost, withWorkerDeadline } from './worker-wait';

/** Failure fields that list causes on lines of their own: their line breaks stay (control characters are still escaped). */
const MULTILINE_FIELDS: ReadonlySet<string> = new Set(['message', 'recovery']);

/** One line per event (undefined for events not worth a line). Every field is escaped for one line first: a label or answer cannot fake a line. */
export function formatEvent(raw: RunEvent, rawOpts: { runId: string; uiUrl?: string; address?: string } = { runId: raw.runId }): string | undefined {
  const e = sanitizeFields(raw, MULTILINE_FIELDS);
  const opts = { ...rawOpts, runId: sanitizeLine(rawOpts.runId) };
  const d = e.data;
  const time = e.at.slice(11, 19);
  const line = (text: string) => `${time} #${e.seq} ${text}`;
  switch (e.type) {
    case 'run.created':
      return line(`run ${e.runId} created${d['runDir'] ? ` (${String(d['runDir'])})` : ''}`);
    case 'run.started':
      return line(`run started at ${String(d['start'])}`);
    case 'stage.started':
      return line(`▶ ${String(d['node'])} (${String(d['type'])}${d['activity'] ? `, ${String(d['activity'])} activity` : ''})${d['branch'] ? ` [branch ${String(d['branch'])}]` : ''}`);
    case 'stage.completed':
      return line(`✓ ${String(d['node'])} ${String(d['status'])}${Number(d['attempts']) > 1 ? ` after ${String(d['attempts'])} attempts` : ''}`);
    case 'stage.retrying':
      return line(`↻ ${String(d['node'])} attempt ${String(d['attempt'])}/${String(d['max_attempts'])} ${String(d['status'])}: ${String(d['reason'] ?? '')}; next attempt in ${formatMs(Number(d['next_delay_ms']))}`);
    case 'stage.failed':
      return line(`✗ ${String(d['node'])} failed: ${String(d['failure_reason'] ?? '')}`);
    case 'run.awaiting_human': {
      if (d['kind'] === 'decision') return [line(`⏸ waiting for the run's decision (gate "${String(d['gate'])}")`), ...decisionLines(d, opts.runId, '    ')].join('\n');
      const choices = (d['choices'] as GateChoice[] | undefined) ?? [];
      const gate = String(d['gate']);
      const question = typeof d['question'] === 'string' ? (d['question'] as QuestionType) : undefined;
      const change = eventChange(d['change']);
      const lines = [
        line(`⏸ waiting for a human at gate "${gate}": ${String(d['prompt'] ?? '')}`),
        `    ${choicesLine(question, choices)}`,
        ...(change ? changeBlock(change, '    ') : []),
        `    answer:  ${answerCommands(opts.runId, gate, question)}`,
        `    or:      temporal workflow signal${opts.address ? ` --address ${opts.address}` : ''} --workflow-id ${opts.runId} --name approve --input '{"gate":"${gate}","by":"you"}'`,
      ];
      if (opts.uiUrl) lines.push(`    UI:      ${opts.uiUrl} (Send a Signal: approve, {"by":"you"})`);
      return lines.join('\n');
    }
    case 'gate.answered':
      return line(`gate ${String(d['gate'])}: ${String(d['by'])} chose ${String(d['choice'])} (${String(d['via'])})`);
    case 'gate.answer_identified':
      return line(`gate ${String(d['gate'])}: answer ${String(d['answer'])} (by ${String(d['by'])}) came from Temporal client ${String(d['identity'])}${d['identityReason'] ? ` (${String(d['identityReason'])})` : ''}`);
    case 'gate.answer_rejected':
      return line(`gate answer refused: ${String(d['reason'])}`);
    case 'gate.timed_out':
      return line(`gate ${String(d['gate'])} timed out`);
    case 'gate.deadlocked':
      return line(`gate ${String(d['gate'])} deadlocked: ${deadlockText(d)}`);
    case 'run.resumed':
      return line(`▶ resumed after gate ${String(d['gate'])} → ${String(d['selected'])}`);
    case 'gate.routed': {
      // a line only when a condition on the gate's edges sent the run elsewhere than the answer (issue 22)
      if (d['overridden'] !== true) return undefined;
      const edge = d['edge'] as { condition?: string } | undefined;
      const why = edge?.condition ? `condition "${edge.condition}" held` : `routing took ${String(d['via'] ?? 'another route')}`;
      return line(`gate ${String(d['gate'] ?? d['node'])}: ${why}, so the run goes to ${String(d['to'] ?? 'no node')}, not to ${String(d['selected'])} as answered`);
    }
    case 'run.dead_end':
      return line(`■ dead end at ${String(d['node'])}: ${String(d['reason'])}; the pipeline completes here (Attractor §3.2)`);
    case 'goal_gate.unsatisfied':
      return line(`goal gate${Array.isArray(d['unsatisfied']) && d['unsatisfied'].length > 1 ? 's' : ''} ${Array.isArray(d['unsatisfied']) ? d['unsatisfied'].join(', ') : String(d['node'])} unsatisfied → ${d['retryTarget'] ? `retry at ${String(d['retryTarget'])}` : 'no retry target: the run fails'}`);
    case 'parallel.joined': {
      const conflicts = Array.isArray(d['conflicts']) ? (d['conflicts'] as { key: string; kept: string }[]) : [];
      const merged = Array.isArray(d['merged']) ? d['merged'].length : 0;
      const text = conflicts.length ? `; conflicts: ${conflicts.map((c) => `${c.key} (kept ${c.kept}'s)`).join(', ')}` : '';
      return line(`⋈ ${String(d['node'])}: branches joined at ${String(d['join'])}, ${merged} context key${merged === 1 ? '' : 's'} merged${text}`);
    }
    case 'run.continued_as_new':
      return line(`continued as new${d['gate'] ? ` while waiting at gate ${String(d['gate'])} (still open)` : ''} (history ${String(d['historyLength'])} events)`);
    case 'run.evaluating':
      return line('evaluating holdout scenarios');
    case 'evaluation.completed':
      return [
        line(`holdout: ${String(d['passed'])}/${String(d['total'])} passed, ${String(d['failed'])} failed, ${String(d['errored'])} errored; pass bar ${d['passed_bar'] ? 'met' : 'not met'}`),
        ...signatureLines(d['clusters'], '    '),
      ].join('\n');
    case 'decision.failed':
      return line(`decision refused (DECISION_FAILURE): ${String(d['reason'])}`);
    case 'run.loop_restarted':
      return line(`loop restart at ${String(d['at'])} with a fresh context`);
    case 'run.approved':
    case 'run.rejected':
      return line(`${e.type.slice(4)}${d['reason'] ? `: ${String(d['reason'])}` : ''}`);
    case 'run.failed':
      return line(`✗ run failed: ${String(d['domain'])}: ${String(d['message'])}\n    recovery: ${String(d['recovery'])}`);
    case 'run.completed':
      return line(`run completed: ${String(d['outcome'])}`);
    default:
      return undefined;
  }
}

/**
 * The open decision as text: the evidence (policy checks with the holdout counts) and the `factory decide`
 * command for each allowed decision. Shared by the progress lines and the live view.
 */
export function decisionLines(d: Record<string, unknown>, runId: string, indent: string): string[] {
  const checks = (d['checks'] as PolicyCheck[] | undefined) ?? [];
  const allowed = (d['allowed'] as string[] | undefined) ?? [];
  const lines = checks.map((c) => `${indent}${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  if (allowed.length === 0) lines.push(`${indent}no decision is allowed by policy yet (see the failed checks)`);
  for (const decision of allowed) {
    lines.push(`${indent}decide:  factory decide ${runId} --decision ${decision} --reason "…"${decision === 'rejected' ? ' --remediation "…"' : ''}`);
  }
  return lines;
}

/** One line per failure signature cluster of a holdout evaluation (counts and signatures only, never scenario text). */
export function signatureLines(clusters: unknown, indent: string): string[] {
  if (!Array.isArray(clusters) || clusters.length === 0) return [];
  const shown = (clusters as SignatureCluster[]).slice(0, 5).map((c) => `${c.signature} x${c.count} (${c.kind})`);
  return [`${indent}signatures: ${shown.join(', ')}${clusters.length > 5 ? `, +${clusters.length - 5} more` : ''}`];
}

/** The deadlock line's reason; the event carries what core/gate-rules computed. */
function deadlockText(d: Record<string, unknown>): string {
  const votes = (d['votes'] as Record<string, number> | undefined) ?? {};
  const eligible = Array.isArray(d['eligible']) ? (d['eligible'] as unknown[]).map(String) : [];
  const then = d['defaultChoice'] ? ` → default choice ${String(d['defaultChoice'])}` : '';
  return `${unreachableText({ votes, quorum: Number(d['quorum']), eligible })}${then}`;
}

function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

/** How often (in empty polls) a follower asks the server whether the workflow is still open. */
const DESCRIBE_EVERY = 5;

/**
 * Polls the `events` query from `after` and hands each new event to `onEvent` until run.completed or the
 * workflow closes, however it closed (completed, failed, terminated, timed out, cancelled): a follower
 * never waits on a workflow the server has already closed.
 */
export async function followEvents(
  handle: WorkflowHandle,
  onEvent: (e: RunEvent) => void,
  opts: { after?: number; intervalMs?: number; stop?: () => boolean; waitMs?: number; onWaiting?: (line: string) => void } = {},
): Promise<number> {
  let cursor = opts.after ?? 0;
  let idle = 0;
  let closed = false;
  let waiting = false;
  // a lost server ends the follower with its own error (exit 69), never as an internal error
  const lost = (err: unknown): Error =>
    isServerUnavailable(err) ? new ServerUnavailableError(`lost the Temporal server while following run ${handle.workflowId}; the run is durable and untouched: follow it again when the server is back (factory watch ${handle.workflowId})`) : (err as Error);
  const lostUnlessAnswering = async (err: unknown): Promise<Error> => (isServerUnavailable(err) || (await serverLost(handle)) ? lost(new ServerUnavailableError('')) : (err as Error));
  for (;;) {
    let batch: RunEvent[] = [];
    try {
      batch = await withWorkerDeadline(handle, 'the events query', opts.waitMs ?? DEFAULT_WORKER_WAIT_MS, () => handle.query(eventsQuery, { after: cursor, limit: 500 }));
      waiting = false;
    } catch (err) {
      // bounded: the SDK retries an unreachable server's calls for long, and a follower should say so soon
      const desc = await handle.client.connection.withDeadline(Date.now() + 5000, () => handle.describe()).catch(() => undefined);
      if (desc && desc.status.name !== 'RUNNING') return cursor;
      if (!desc) throw await lostUnlessAnswering(err);
      // no worker for now: say so once and keep following (the run waits for a worker; Ctrl-C leaves it parked)
      if (err instanceof NoWorkerError && !waiting) opts.onWaiting?.(`still following: ${err.message}`);
      waiting = err instanceof NoWorkerError;
    }
    for (const e of batch) {
      cursor = e.seq;
      onEvent(e);
      if (e.type === 'run.completed') return cursor;
    }
    if (opts.stop?.()) return cursor;
    if (batch.length > 0) {
      idle = 0;
      continue;
    }
    // closed and drained: the events query answered from the closed workflow has nothing more
    if (closed) return cursor;
    if (++idle % DESCRIBE_EVERY === 1) closed = (await handle.describe().catch((err: unknown) => Promise.reject(lost(err)))).status.name !== 'RUNNING';
    if (!closed) await new Promise((r) => setTimeout(r, opts.intervalMs ?? 300));
  }
}
