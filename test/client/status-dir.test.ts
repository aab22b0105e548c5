// `factory status <run dir>` of a run parked at a gate (issue 24 item 7): run.json is not rewritten when the
// gate opens, so the status comes from the events written after it, never `booting`.
import { join } from 'node:path';
import { envelopeWithEvents } from '../../client/dir-status';
import type { RunEvent } from '../../core/run-model';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { envelope } from '../activities/helpers';
import { eventually, pipelineYaml, readEvents, useRunEnv, workspace } from '../helpers/runs';
import { runCli } from './run-cli';

const env = useRunEnv();

describe('status of a run directory', () => {
  it('says awaiting_human and names the open gate when the run waits at a gate', async () => {
    const ws = workspace(pipelineYaml('parked', ['{ id: review, type: wait.human }'], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }']));
    const handle = await env.start(ws);
    const runDir = join(ws.dir, 'runs', handle.workflowId);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human' && readEvents(runDir).some((e) => e.type === 'gate.opened'));

    const r = await runCli(['status', runDir], ws.dir);
    expect(r.stdout).toMatch(new RegExp(`^run ${handle.workflowId}: awaiting_human\\n`));
    expect(r.stdout).toContain('open gates: review');
    expect(r.code).toBe(0);

    await handle.signal(approveSignal, { by: 'alice' });
    await handle.result();
    expect((await runCli(['status', runDir], ws.dir)).stdout).toMatch(new RegExp(`^run ${handle.workflowId}: completed \\(succeeded\\)`));
  });

  it('follows the events after run.json: a gate closing, a failure, the end', () => {
    let seq = 1;
    const ev = (type: RunEvent['type'], data: Record<string, unknown> = {}): RunEvent => ({ seq: ++seq, type, runId: 'run-1', at: 't', data });
    const base = { ...envelope('run-1'), lastSeq: 1 };
    const parked = envelopeWithEvents(base, [ev('run.started'), ev('stage.started', { node: 'plan' }), ev('run.awaiting_human', { gate: 'g' }), ev('gate.opened', { gate: 'g' })]);
    expect(parked).toMatchObject({ status: 'awaiting_human', openGates: ['g'], currentNode: 'plan', lastSeq: 5 });
    const resumed = envelopeWithEvents(parked, [ev('gate.closed', { gate: 'g' })]);
    expect(resumed).toMatchObject({ status: 'executing', openGates: [] });
    expect(envelopeWithEvents(resumed, [ev('run.failed'), ev('run.completed', { outcome: 'failed' })])).toMatchObject({ status: 'completed', outcome: 'failed' });
    expect(envelopeWithEvents(base, [{ ...ev('run.started'), seq: 1 }])).toBe(base);
  });
});
