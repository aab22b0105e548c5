// Human-readable lines for run events: shared by `factory run` (while it waits) and `factory watch`.
import type { WorkflowHandle } from '@temporalio/client';
import type { GateChoice, RunEvent } from '../core/run-model';
import { eventsQuery } from '../workflows/messages';

/** One line per event (undefined for events not worth a line). */
export function formatEvent(e: RunEvent, opts: { runId: string; uiUrl?: string; address?: string } = { runId: e.runId }): string | undefined {
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
    case 'stage.failed':
      return line(`✗ ${String(d['node'])} failed: ${String(d['failure_reason'] ?? '')}`);
    case 'run.awaiting_human': {
      const choices = (d['choices'] as GateChoice[] | undefined) ?? [];
      const gate = String(d['gate']);
      const lines = [
        line(`⏸ waiting for a human at gate "${gate}": ${String(d['prompt'] ?? '')}`),
        `    choices: ${choices.map((c) => `${c.to} ("${c.label}")`).join(', ')}`,
        `    answer:  factory approve ${opts.runId} --gate ${gate}   |   factory answer ${opts.runId} --gate ${gate} --choice <choice>`,
        `    or:      temporal workflow signal${opts.address ? ` --address ${opts.address}` : ''} --workflow-id ${opts.runId} --name approve --input '{"gate":"${gate}","by":"you"}'`,
      ];
      if (opts.uiUrl) lines.push(`    UI:      ${opts.uiUrl} (Send a Signal: approve, {"by":"you"})`);
      return lines.join('\n');
    }
    case 'gate.answered':
      return line(`gate ${String(d['gate'])}: ${String(d['by'])} chose ${String(d['choice'])} (${String(d['via'])})`);
    case 'gate.answer_rejected':
      return line(`gate answer refused: ${String(d['reason'])}`);
    case 'gate.timed_out':
      return line(`gate ${String(d['gate'])} timed out`);
    case 'run.resumed':
      return line(`▶ resumed after gate ${String(d['gate'])} → ${String(d['selected'])}`);
    case 'goal_gate.unsatisfied':
      return line(`goal gate ${String(d['node'])} unsatisfied → retry at ${String(d['retryTarget'])}`);
    case 'run.continued_as_new':
      return line(`continued as new (history ${String(d['historyLength'])} events)`);
    case 'run.evaluating':
      return line('evaluating holdout scenarios');
    case 'evaluation.completed':
      return line(`holdout: ${String(d['passed'])}/${String(d['total'])} passed, ${String(d['failed'])} failed, ${String(d['errored'])} errored; pass bar ${d['passed_bar'] ? 'met' : 'not met'}`);
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

/** Polls the `events` query from `after` and hands each new event to `onEvent` until run.completed or the workflow closes. */
export async function followEvents(
  handle: WorkflowHandle,
  onEvent: (e: RunEvent) => void,
  opts: { after?: number; intervalMs?: number; stop?: () => boolean } = {},
): Promise<number> {
  let cursor = opts.after ?? 0;
  for (;;) {
    let batch: RunEvent[] = [];
    try {
      batch = await handle.query(eventsQuery, { after: cursor, limit: 500 });
    } catch (err) {
      const desc = await handle.describe().catch(() => undefined);
      if (desc && desc.status.name !== 'RUNNING') return cursor;
      if (!desc) throw err;
    }
    for (const e of batch) {
      cursor = e.seq;
      onEvent(e);
      if (e.type === 'run.completed') return cursor;
    }
    if (opts.stop?.()) return cursor;
    if (batch.length === 0) await new Promise((r) => setTimeout(r, opts.intervalMs ?? 300));
  }
}
