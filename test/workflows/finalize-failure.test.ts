// Issue 24 item 6: a freeze that fails (here: a stage planted a forged freeze manifest in the run directory,
// so finalizeRun finds a "frozen" directory that does not match it) ends the run with one terminal event:
// run.failed, then one run.completed {outcome: failed} (never a run.completed {succeeded} before it),
// FactoryStatus "failed" (never stuck at "finalizing") and its own domain FINALIZE_FAILURE with its recovery text.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FREEZE_MANIFEST } from '../../activities/finalize';
import { RECOVERY_RULES } from '../../core/run-model';
import { SEARCH_ATTRIBUTES } from '../../core/temporal-names';
import { runQuery } from '../../workflows/messages';
import { allEvents, handlerOf, pipelineYaml, readEvents, settle, typesOf, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
beforeAll(() =>
  env.register(
    'test.forge_manifest',
    handlerOf((stage) => {
      writeFileSync(join(stage.runDir, FREEZE_MANIFEST), JSON.stringify({ algorithm: 'sha256', runId: 'someone-else', files: { 'run.json': 'ff'.repeat(32) } }));
      return { status: 'success' };
    }),
  ),
);

describe('a failed freeze', () => {
  it('ends the run once, with one run.completed {outcome: failed}, in FINALIZE_FAILURE with its recovery text and FactoryStatus failed, when finalizeRun gives up', async () => {
    const ws = workspace(pipelineYaml('freeze-fails', ['{ id: forge, type: test.forge_manifest }'], ['{ from: start, to: forge }', '{ from: forge, to: exit }']));
    const handle = await env.start(ws);
    const settled = await settle(handle);
    expect(settled.ok).toBe(false);
    if (settled.ok) return;
    expect(settled.failure.type).toBe('FINALIZE_FAILURE');
    const details = settled.failure.details?.[0] as { recovery: string; causes: string[]; message: string };
    expect(details.recovery).toBe(RECOVERY_RULES.FINALIZE_FAILURE);
    expect(details.message).toContain('could not be frozen');
    expect(details.causes.join('\n')).toMatch(/RUN_DIR_DIVERGED/);

    // one terminal story: run.failed (FINALIZE_FAILURE), then the one run.completed, which says failed;
    // the run.completed {succeeded} the freeze would have written never enters the record
    const events = await allEvents(handle);
    const types = typesOf(events);
    const completed = events.filter((e) => e.type === 'run.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.data).toEqual({ outcome: 'failed', domain: 'FINALIZE_FAILURE' });
    expect(events.some((e) => e.type === 'run.completed' && e.data['outcome'] === 'succeeded')).toBe(false);
    expect(types.filter((t) => t === 'run.failed')).toHaveLength(1);
    expect(types.slice(-2)).toEqual(['run.failed', 'run.completed']);
    expect(events[events.length - 2]?.data).toMatchObject({ domain: 'FINALIZE_FAILURE', recovery: RECOVERY_RULES.FINALIZE_FAILURE });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1)); // gapless: the failure took the seq the provisional run.completed had
    expect(JSON.stringify(events)).not.toContain('EXEC_FAILURE');
    // nor did the directory (the freeze refused before writing) get a run.completed
    expect(readEvents(join(ws.dir, 'runs', handle.workflowId)).some((e) => e.type === 'run.completed')).toBe(false);

    const status = ((await handle.describe()).searchAttributes as Record<string, unknown[]>)[SEARCH_ATTRIBUTES.status]?.[0];
    expect(status).toBe('failed');
    const envelope = await handle.query(runQuery);
    expect(envelope).toMatchObject({ status: 'failed', outcome: 'failed', failure: { domain: 'FINALIZE_FAILURE' } });
    expect(envelope.freezeDigest).toBeUndefined();
  }, 120_000);
});
