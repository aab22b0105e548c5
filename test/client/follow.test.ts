// Followers and status when the server ends a run (issue 10 items 3 and 4): `factory run`/`watch`
// (followEvents) return once the workflow closes however it closed, and `factory status` says what
// the server knows (terminated), not the run's last own word (awaiting_human).
import { join } from 'node:path';
import { followEvents } from '../../client/progress';
import { withServerStatus } from '../../client/commands/inspect';
import type { RunEnvelope, RunEvent } from '../../core/run-model';
import { statusQuery } from '../../workflows/messages';
import { eventually, pipelineYaml, readEvents, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();
const gated = pipelineYaml('follow', ['{ id: review, type: wait.human }'], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }', '{ from: review, to: exit, label: "[R] Reject" }']);

describe('following a run the server ends', () => {
  it('returns from followEvents and status says terminated when the workflow is terminated at a gate', async () => {
    const ws = workspace(gated);
    const handle = await env.start(ws);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human' && readEvents(join(ws.dir, 'runs', handle.workflowId)).length > 0);
    const seen: RunEvent[] = [];
    const following = followEvents(handle, (e) => seen.push(e), { intervalMs: 50 });
    await eventually(async () => seen.some((e) => e.type === 'gate.opened'));
    await handle.terminate('drill: operator ended the run');
    await expect(following).resolves.toBe(seen[seen.length - 1]?.seq);

    const r = await runCli(['status', handle.workflowId, '--address', testTemporalEnv().address]);
    expect(r.stdout).toMatch(new RegExp(`^run ${handle.workflowId}: terminated`));
    expect(r.stdout).toContain('the server ended the workflow (TERMINATED) while the run said awaiting_human');
    expect(r.code).toBe(1);
  });
});

describe('withServerStatus', () => {
  const env0 = { runId: 'r', status: 'completed', outcome: 'succeeded' } as RunEnvelope;
  test.each([
    ['RUNNING', 'completed', 'finalizing'],
    ['COMPLETED', 'completed', 'completed'],
    ['TERMINATED', 'awaiting_human', 'terminated'],
    ['TIMED_OUT', 'executing', 'timed_out'],
    ['RUNNING', 'awaiting_human', 'awaiting_human'],
  ])('says %s→%s is %s when the server and the run disagree or agree', (server, own, shown) => {
    expect(withServerStatus({ ...env0, status: own as RunEnvelope['status'] }, server).status).toBe(shown);
  });
});
