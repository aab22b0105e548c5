// `factory run --resume` while the run's workflow is still open (issue 10 item 1): refused with exit 2,
// so two workflows never write one run directory.
import { join } from 'node:path';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { eventually, pipelineYaml, readEvents, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();

describe('factory run --resume of an open run', () => {
  it('refuses with exit 2 naming the open workflow and starts nothing when the original run still waits at a gate', async () => {
    const ws = workspace(pipelineYaml('open', ['{ id: review, type: wait.human }'], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }', '{ from: review, to: exit, label: "[R] Reject" }']));
    const handle = await env.start(ws);
    const runDir = join(ws.dir, 'runs', handle.workflowId);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human' && readEvents(runDir).some((e) => e.type === 'gate.opened'));
    const before = readEvents(runDir).length;

    const r = await runCli(['run', '--resume', runDir, '--address', testTemporalEnv().address, '--task-queue', env.taskQueue, '--quiet'], ws.dir);
    expect(r.stderr).toMatch(new RegExp(`^factory: run ${handle.workflowId} is still open in workflow ${handle.workflowId}: answer its gates`));
    expect(r.code).toBe(2);
    expect(readEvents(runDir)).toHaveLength(before);

    await handle.signal(approveSignal, { by: 'alice' });
    expect((await handle.result()).outcome).toBe('succeeded');
  });
});
