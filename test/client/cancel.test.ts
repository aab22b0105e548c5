// `factory cancel <run>`: Temporal's cancel request, then how the run ended, as the server records it.
import { useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { awaitGate, gatedPipeline } from '../surfaces/helpers';
import { runCli } from './run-cli';

const env = useRunEnv();
const target = () => ['--address', testTemporalEnv().address, '--namespace', testTemporalEnv().namespace];

describe('factory cancel', () => {
  it('cancels a run parked at a gate and reports how it ended; a second cancel is refused', async () => {
    const handle = await env.start(workspace(gatedPipeline(uniqueId('cancel'))));
    await awaitGate(handle, 'review');
    const r = await runCli(['cancel', handle.workflowId, ...target()]);
    expect(r.stdout).toBe(`cancellation requested for run ${handle.workflowId}\nrun ${handle.workflowId} ended: cancelled\n`);
    expect(r.code).toBe(0);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const listed = await runCli(['runs', '--status', 'cancelled', '--no-stage', '--limit', '1000', '--json', ...target()]);
    expect((JSON.parse(listed.stdout) as { runId: string }[]).map((row) => row.runId)).toContain(handle.workflowId);

    const again = await runCli(['cancel', handle.workflowId, ...target()]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/has already ended \(.+\); nothing to cancel/);
  });
});
