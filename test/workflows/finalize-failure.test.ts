// Issue 24 item 6: a freeze that fails (here: a stage planted a forged freeze manifest in the run directory,
// so finalizeRun finds a "frozen" directory that does not match it) ends the run with one run.completed,
// FactoryStatus "failed" (never stuck at "finalizing") and its own domain FINALIZE_FAILURE with its recovery text.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FREEZE_MANIFEST } from '../../activities/finalize';
import { RECOVERY_RULES } from '../../core/run-model';
import { SEARCH_ATTRIBUTES } from '../../core/temporal-names';
import { runQuery } from '../../workflows/messages';
import { allEvents, handlerOf, pipelineYaml, settle, typesOf, useRunEnv, workspace } from '../helpers/runs';

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
  it('ends the run once, in FINALIZE_FAILURE with its recovery text and FactoryStatus failed, when finalizeRun gives up', async () => {
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

    const events = await allEvents(handle);
    const types = typesOf(events);
    expect(types.filter((t) => t === 'run.completed')).toHaveLength(1);
    expect(types.filter((t) => t === 'run.failed')).toHaveLength(1);
    expect(types[types.length - 1]).toBe('run.failed');
    expect(events[events.length - 1]?.data).toMatchObject({ domain: 'FINALIZE_FAILURE', recovery: RECOVERY_RULES.FINALIZE_FAILURE });
    expect(JSON.stringify(events)).not.toContain('EXEC_FAILURE');

    const status = ((await handle.describe()).searchAttributes as Record<string, unknown[]>)[SEARCH_ATTRIBUTES.status]?.[0];
    expect(status).toBe('failed');
    const envelope = await handle.query(runQuery);
    expect(envelope).toMatchObject({ status: 'failed', outcome: 'failed', failure: { domain: 'FINALIZE_FAILURE' } });
    expect(envelope.freezeDigest).toBeUndefined();
  }, 120_000);
});
