// Patches asked in the run's first workflow task (workflows/early-patches.ts): on replay the SDK may
// resolve a local activity in an earlier task than in the run, so a patch first asked right after one
// was answered "no" on replay with its marker in a later task (a nondeterminism error). New runs record
// these markers before any activity; the 200-gate drill (1 s task timeouts) is the load-level check.
import { PATCHES } from '../../workflows/run';
import { LOCAL_STAGES_PATCH } from '../../workflows/stage-activity';
import { RETRY_LOOP_PATCH } from '../../workflows/stage-retry';
import { MANAGER_CYCLES_PATCH, MANAGER_STEER_PATCH } from '../../workflows/child-pipeline';
import { HISTORY_GAUGE_PATCH } from '../../workflows/history-gauge';
import { pipelineYaml, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();

/** The patch id of a core_patch marker event, or undefined. */
function patchId(e: { markerRecordedEventAttributes?: { markerName?: string | null; details?: Record<string, { payloads?: { data?: Uint8Array | null }[] | null }> | null } | null }): string | undefined {
  const m = e.markerRecordedEventAttributes;
  if (m?.markerName !== 'core_patch') return undefined;
  const data = m.details?.['patch-data']?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id : undefined;
}

describe('early patches', () => {
  it('records the patches asked after local activities before the first activity of a new run', async () => {
    const ws = workspace(pipelineYaml('early', ['{ id: work, type: tool, tool_command: "true" }'], ['{ from: start, to: work }', '{ from: work, to: exit }']));
    const handle = await env.start(ws);
    expect((await handle.result()).outcome).toBe('succeeded');
    const events = (await handle.fetchHistory()).events ?? [];
    const firstActivity = events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity' || e.activityTaskScheduledEventAttributes);
    expect(firstActivity).toBeGreaterThan(0);
    const early = events.slice(0, firstActivity).map(patchId).filter((id): id is string => id !== undefined);
    // the five in r3's order first (a replay finds r3-or-later histories by them), then the gauge asked once after
    expect(early.slice(0, 6)).toEqual([LOCAL_STAGES_PATCH, RETRY_LOOP_PATCH, PATCHES.statusCompletedAfterFinalize, MANAGER_CYCLES_PATCH, MANAGER_STEER_PATCH, HISTORY_GAUGE_PATCH]);
    // each patch is marked once per execution
    const all = events.map(patchId).filter((id): id is string => id !== undefined);
    expect(new Set(all).size).toBe(all.length);
  });
});
