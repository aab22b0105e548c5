// What `factory run` tells the Temporal UI at start (issue 23): the static summary `id@version — goal`
// read from the pipeline, the static details naming its sources; the workflow leaves "Finished: <outcome>"
// as current details and the outcome as FactoryStatus.
import { join } from 'node:path';
import { pipelineYaml, testProfileYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();

describe('factory run and the Temporal UI', () => {
  it('starts the run with its summary and details, and it ends saying its outcome', async () => {
    const ws = workspace(pipelineYaml('ui-meta', [], ['{ from: start, to: exit }'], 'goal: "ship the\n  widget"'));
    // the shared worker resolves a relative workdir against its own root (tmpdir): name the base outright
    ws.write('profile.yaml', testProfileYaml().replace('workdir: .', `workdir: ${ws.dir}`));
    const runId = uniqueId('meta');
    const r = await runCli(['run', ws.pipeline, '--profile', ws.profile, '--run-id', runId, '--run-dir', join(ws.dir, 'r'), '--address', testTemporalEnv().address, '--task-queue', env.taskQueue, '--quiet'], ws.dir);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const handle = env.client.workflow.getHandle(runId);
    const desc = await handle.describe();
    expect(await desc.staticSummary()).toBe('ui-meta@1.0.0 — ship the widget');
    expect(await desc.staticDetails()).toContain(`- pipeline: ${ws.pipeline}`);
    expect((desc.searchAttributes as Record<string, unknown[]>)['FactoryStatus']).toEqual(['succeeded']);
    const meta = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
    expect(meta.currentDetails).toBe('**Finished**: succeeded');
  });
});
