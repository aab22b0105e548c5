// Progress off a terminal: the same facts as the live view (retries, holdout scenarios done, long
// stages) as plain lines, printed only when something changed, so logs stay short and greppable.
import type { RunEvent } from '../core/run-model';
import { duration, formatPending, isRetrying, type MonitorSnapshot } from './run-monitor';

/** How often a stage that is still running gets a "still running" line. */
export const STILL_RUNNING_EVERY_MS = 60_000;

/** Turns events and snapshots into the lines worth printing; time is passed in so tests control it. */
export class PlainProgress {
  private readonly running = new Map<string, { since: number; reported: number }>();
  private readonly retries = new Map<string, number>();
  private evaluation?: { total: number; done: number };

  onEvent(e: RunEvent, now: number): void {
    const node = String(e.data['node'] ?? '');
    if (e.type === 'stage.started') this.running.set(node, { since: Date.parse(e.at) || now, reported: 0 });
    else if (e.type === 'stage.completed' || e.type === 'stage.failed') this.running.delete(node);
    else if (e.type === 'run.evaluating') this.evaluation = { total: Number(e.data['scenarios'] ?? 0), done: 0 };
    else if (e.type === 'evaluation.completed' || e.type === 'run.completed' || e.type === 'run.failed') {
      this.evaluation = undefined;
      if (e.type !== 'evaluation.completed') this.running.clear();
    }
  }

  /** Lines for what changed since the last snapshot: a new retry attempt, more scenarios done. */
  onSnapshot(s: MonitorSnapshot, now: number): string[] {
    const lines: string[] = [];
    for (const p of s.pending.filter(isRetrying)) {
      if (this.retries.get(p.activityId) === p.attempt) continue;
      this.retries.set(p.activityId, p.attempt);
      const stage = p.type === 'executeStage' && this.running.size === 1 ? [...this.running.keys()][0] : undefined;
      lines.push(`↻ ${stage ? `stage ${stage} is retrying: ` : ''}${formatPending(p, now)}`);
    }
    if (this.evaluation && s.evaluation && s.evaluation.done !== this.evaluation.done) {
      this.evaluation.done = s.evaluation.done;
      lines.push(`holdout: ${s.evaluation.done}/${this.evaluation.total} scenarios done`);
    }
    return lines;
  }

  /** `… plan still running (2m00s)` once per STILL_RUNNING_EVERY_MS for each long stage. */
  tick(now: number): string[] {
    const lines: string[] = [];
    for (const [node, r] of this.running) {
      const due = Math.floor((now - r.since) / STILL_RUNNING_EVERY_MS);
      if (due > r.reported) {
        r.reported = due;
        lines.push(`… ${node} still running (${duration(now - r.since)})`);
      }
    }
    return lines;
  }
}
