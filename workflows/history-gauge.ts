// The run's history length as continue-as-new needs it. `workflowInfo().historyLength` is the length when
// the current workflow task started; local activities chain inside one task (the SDK heartbeats it about
// every 8 s), each adding a marker the server sees only when the task completes. A loop of short local
// stages therefore ran thousands of stages on a stale length: a 5,000-stage loop finished in one task and
// one execution of ~10,000 events with the limit at 4,000. The gauge adds the markers recorded since.

import { workflowInfo } from '@temporalio/workflow';

/** Runs that carry this marker (asked in their first task) continue-as-new on the gauge's length. */
export const HISTORY_GAUGE_PATCH = 'factory-history-gauge';

/** History length seen at the task's start plus the local-activity markers recorded since. */
export class HistoryGauge {
  private seen = -1;
  private since = 0;

  /** A local activity's result arrived: its marker joins the history when this task completes. */
  added(): void {
    this.sync();
    this.since += 1;
  }

  /** The history length the server will hold once this task completes, as far as this run can tell. */
  length(): number {
    this.sync();
    return this.seen + this.since;
  }

  /** A new task started: its length already counts the markers of the tasks before. */
  private sync(): void {
    const length = workflowInfo().historyLength;
    if (length !== this.seen) {
      this.seen = length;
      this.since = 0;
    }
  }
}
