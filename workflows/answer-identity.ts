// The Temporal client identity of accepted gate answers and decisions (issues 20 and 24), in workflow code:
// which history event carried an answer (signals counted by name in the order handlers see them, updates by
// their id) and the answerIdentity activity that reads it. A lookup never blocks or fails the run: the
// activity is retried a bounded number of times, then the identity is "unknown" with the reason.

import { ActivityFailure, currentUpdateInfo, proxyActivities } from '@temporalio/workflow';
import type { PipelineActivityContract as PipelineActivities } from '../core/contracts';
import { type AnswerIdentity, type AnswerSource, UNKNOWN_IDENTITY } from '../core/answer-identity';
import { errorMessage } from '../core/failures';

// Bounded: 3 attempts within ~10 s, so a server in trouble costs a gate at most that before "unknown".
const identityActs = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 3 },
  summary: 'who answered: the client identity in the history',
});

/** Signals counted per name and lookups in flight, for one execution (history is per execution). */
export class AnswerIdentities {
  private readonly signals = new Map<string, number>();
  private readonly pending = new Set<Promise<unknown>>();

  /**
   * Call once for EVERY signal a handler receives, refused ones included, before anything else: its place
   * among the signals of that name names its history event.
   */
  signalled(name: string, payload: unknown): AnswerSource {
    const occurrence = (this.signals.get(name) ?? 0) + 1;
    this.signals.set(name, occurrence);
    return { kind: 'signal', name, occurrence, payload };
  }

  /** Inside an update handler (synchronously): the update's id names its history event. */
  updated(): AnswerSource | undefined {
    const info = currentUpdateInfo();
    return info ? { kind: 'update', name: info.name, updateId: info.id } : undefined;
  }

  /** Looks the identity up and hands it to `record` (both tracked until settled()); resolves, never rejects. */
  lookup(source: AnswerSource | undefined, record: (found: AnswerIdentity) => void = () => undefined): Promise<AnswerIdentity> {
    const looked = this.read(source).then((found) => (record(found), found));
    this.pending.add(looked);
    void looked.then(() => this.pending.delete(looked));
    return looked;
  }

  /** Resolves once every lookup started so far (and what it records) is done: before a hand-over and before finalize. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async read(source: AnswerSource | undefined): Promise<AnswerIdentity> {
    if (!source) return { identity: UNKNOWN_IDENTITY, identityReason: 'the update carried no update id' };
    try {
      const found = await identityActs.answerIdentity(source);
      return { identity: found.identity, ...(found.reason !== undefined ? { identityReason: found.reason } : {}) };
    } catch (err) {
      const why = err instanceof ActivityFailure && err.cause ? errorMessage(err.cause) : errorMessage(err);
      return { identity: UNKNOWN_IDENTITY, identityReason: `the server's history could not be read: ${why}`.slice(0, 300) };
    }
  }
}
