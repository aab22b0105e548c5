// The bare-Temporal floor's activities: no work at all, so a bare workflow measures only what
// Temporal itself costs (schedule, dispatch, complete, next workflow task).

/** Does nothing; returns its argument so the result payload is as small as the input. */
export async function benchNoop(i: number): Promise<number> {
  return i;
}

/**
 * Does nothing; returns the wall time it finished at (ms). The last activity of the local floor: the run
 * workflow's records after a local activity carry that activity's own finish time (workflows/record-clock.ts),
 * so the floor's end point is the same kind of time (workflow time after a local activity may lag it).
 */
export async function benchNoopAt(_i: number): Promise<number> {
  return Date.now();
}

/** The bare activities, as the bench worker registers them. */
export const bareActivities = { benchNoop, benchNoopAt };
