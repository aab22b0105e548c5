// The time a run's records carry (event `at`, gate times, envelope updatedAt), replay-stable.
// Workflow time is the activation's timestamp. After a LOCAL activity the SDK does not always give a
// replay the timestamp the original execution saw: a local activity whose workflow task timed out and
// was retried, or one that ran across task "heartbeats", resolves in the original at the moment it
// completed and in a replay at the start of the task that recorded its marker. Events stamped with that
// time then differed between events.jsonl (written by the original) and the events query of a replay
// (seen in the 200-gate drill under load). Local activities therefore report their own finish time
// (`finishedAt`, recorded in their marker) and, until the workflow's time moves on, records carry it.

/** A result that may carry the activity's own finish time (ISO 8601). */
export interface Finished {
  finishedAt?: string;
}

/** The run's record clock: workflow time, or a local activity's recorded finish time right after it. */
export class RecordClock {
  private pin: { raw: number; at: number } | undefined;

  /** A local activity's result arrived: records made before the workflow's time moves on carry its finish time. */
  settle(result: unknown): void {
    const finishedAt = result && typeof result === 'object' ? (result as Finished).finishedAt : undefined;
    if (typeof finishedAt !== 'string') return; // results recorded before finishedAt existed: workflow time
    const at = Date.parse(finishedAt);
    if (Number.isFinite(at)) this.pin = { raw: new Date().getTime(), at };
  }

  /** The time for a record made now. */
  now(): Date {
    const raw = new Date().getTime();
    if (this.pin && this.pin.raw === raw) return new Date(this.pin.at);
    this.pin = undefined;
    return new Date(raw);
  }
}
