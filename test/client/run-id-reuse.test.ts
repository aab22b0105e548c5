// A run id names one run forever (issue 24 item 1): a second `factory run` with a finished or open run's id,
// or into its directory, is refused with exit 2 before anything is written; `--resume` of a finished run is
// refused before anything starts. The first run's frozen record stays verifiable.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { eventually, pipelineYaml, readEvents, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();
const RECORD = ['run.json', 'manifest.json', 'checkpoint.json', 'events.jsonl', 'artifacts.sha256.json'];

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(RECORD.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('run id reuse', () => {
  const target = () => ['--address', testTemporalEnv().address, '--task-queue', env.taskQueue, '--quiet'];

  it('refuses a second run with a finished run\'s id or directory (exit 2) and leaves the frozen record verifiable', async () => {
    const ws = workspace(pipelineYaml('reuse', [], ['{ from: start, to: exit }']));
    const runId = uniqueId('reuse');
    const dirA = join(ws.dir, 'a');
    const first = await runCli(['run', ws.pipeline, '--profile', ws.profile, '--run-id', runId, '--run-dir', dirA, ...target()], ws.dir);
    expect(first.code).toBe(0);
    const before = snapshot(dirA);

    // into the finished run's directory, under its own id or another: refused before a workflow starts
    for (const id of [runId, uniqueId('other')]) {
      const again = await runCli(['run', ws.pipeline, '--profile', ws.profile, '--run-id', id, '--run-dir', dirA, ...target()], ws.dir);
      expect(again.stderr).toMatch(new RegExp(`^factory: run directory ${dirA} already holds finished run ${runId} \\(outcome succeeded, frozen\\); a run id and its directory name one run forever`));
      expect(again.code).toBe(2);
    }
    // the same id in a fresh directory: the server knows the id and refuses it
    const dirB = join(ws.dir, 'b');
    const reused = await runCli(['run', ws.pipeline, '--profile', ws.profile, '--run-id', runId, '--run-dir', dirB, ...target()], ws.dir);
    expect(reused.stderr).toMatch(new RegExp(`^factory: run id ${runId} is taken: workflow ${runId} has already run \\(completed\\) on this server`));
    expect(reused.code).toBe(2);
    expect(existsSync(dirB)).toBe(false);

    expect(snapshot(dirA)).toEqual(before);
    expect((await env.client.workflow.getHandle(runId).describe()).status.name).toBe('COMPLETED');
    const verify = await runCli(['verify', dirA, '--address', testTemporalEnv().address], ws.dir);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
  });

  it('refuses --resume of a finished run before starting anything', async () => {
    const ws = workspace(pipelineYaml('resume-done', [], ['{ from: start, to: exit }']));
    const runId = uniqueId('done');
    const dir = join(ws.dir, 'done');
    expect((await runCli(['run', ws.pipeline, '--profile', ws.profile, '--run-id', runId, '--run-dir', dir, ...target()], ws.dir)).code).toBe(0);
    const before = snapshot(dir);

    const r = await runCli(['run', '--resume', dir, ...target()], ws.dir);
    expect(r.stderr).toMatch(new RegExp(`^factory: run ${runId} in ${dir} has finished \\(outcome succeeded, files frozen\\); only an interrupted run can be resumed: start a linked new run with \`factory rerun ${dir}\``));
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/started/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a run with the id of a run still open at a gate with a clear message, exit 2, and leaves it running', async () => {
    const ws = workspace(pipelineYaml('open', ['{ id: review, type: wait.human }'], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }']));
    const handle = await env.start(ws);
    const runDir = join(ws.dir, 'runs', handle.workflowId);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human');
    const events = readEvents(runDir).length;

    const r = await runCli(['run', ws.pipeline, '--profile', ws.profile, '--run-id', handle.workflowId, ...target()], ws.dir);
    expect(r.stderr).toMatch(new RegExp(`^factory: run id ${handle.workflowId} is taken: workflow ${handle.workflowId} is still open on this server; a run id names one run forever: follow it with \`factory watch ${handle.workflowId}\``));
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(2);
    expect(readEvents(runDir)).toHaveLength(events);

    await handle.signal(approveSignal, { by: 'alice' });
    expect((await handle.result()).outcome).toBe('succeeded');
  });
});
