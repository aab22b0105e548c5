// The bare-Temporal floor's activities: no work at all, so a bare workflow measures only what
// Temporal itself costs (schedule, dispatch, complete, next workflow task).

/** Does nothing; returns its argument so the result payload is as small as the input. */
export async function benchNoop(i: number): Promise<number> {
  return i;
}

/** The bare activities, as the bench worker registers them. */
export const bareActivities = { benchNoop };
