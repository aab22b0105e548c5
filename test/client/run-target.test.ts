// `factory rerun` and `factory graph` take a run id or a run directory alike (issue 23), as status,
// events and verify do: a run id whose directory is not under ./runs is found where the server's result
// records it; an ended run is drawn from its run.json with no worker running; a name that is neither
// says where it looked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEnvelope } from '../../core/run-model';
import type { RunResult } from '../../workflows/types';
import { pipelineYaml, readJson, testActivities, testProfileYaml, useRunEnv, workspace, type Workspace } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();
const target = () => ['--address', testTemporalEnv().address, '--namespace', testTemporalEnv().namespace];
const elsewhere = () => mkdtempSync(join(tmpdir(), 'factory-elsewhere-'));

function quickWorkspace(taskQueue?: string): Workspace {
  const pipeline = pipelineYaml(uniqueId('target'), ['{ id: build, type: tool, tool_command: "sleep 0.3; echo built" }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);
  // the profile names the shared worker's task queue: a CLI-started rerun lands there
  const profile = taskQueue ? testProfileYaml().replace('environment: { ', `environment: { temporal: { task_queue: ${taskQueue} }, `) : testProfileYaml();
  return workspace(pipeline, { profile });
}

describe('factory graph <run id | run directory>', () => {
  it('draws an ended run by id from the run.json the server\'s result names, with no worker running, as from its directory', async () => {
    const ws = quickWorkspace();
    // its own worker, stopped once the run ended: nothing can answer a query afterwards
    const result = await env.withWorker(testActivities(ws), async (taskQueue) => {
      const { startRun } = await import('../helpers/runs');
      const handle = await startRun(env.client, taskQueue, ws, { registryRoot: ws.dir });
      return (await handle.result()) as RunResult;
    });
    const byId = await runCli(['graph', result.runId, '-f', 'mermaid', ...target()], elsewhere(), { FACTORY_WORKER_TIMEOUT: '2s' });
    expect(byId.stderr).toBe('');
    expect(byId.code).toBe(0);
    const byDir = await runCli(['graph', result.runDir as string, '-f', 'mermaid'], elsewhere());
    expect(byId.stdout).toBe(byDir.stdout);
    // the finished stage with its duration (sleep 0.3 s: at least 0.3 s)
    expect(byId.stdout).toMatch(/build<br\/>success · ([3-9]\d\dms|\d+\.\ds)/);
  });

  it('says where it looked when the name is neither a run directory nor a run the server has (exit 1, as before)', async () => {
    const r = await runCli(['graph', 'no-such-run-graph', ...target()], elsewhere());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^factory: cannot read run no-such-run-graph: .*not found.*\(and no \.\/runs\/no-such-run-graph\/run\.json here\)/);
  });
});

describe('factory rerun <run id | run directory>', () => {
  it('reruns a run named by id from a directory that has no ./runs, finding its directory through the server, and links both', async () => {
    const ws = quickWorkspace(env.taskQueue);
    const old = (await (await env.start(ws)).result()) as RunResult;
    const r = await runCli(['rerun', old.runId, '--json', ...target()], elsewhere());
    expect(r.code).toBe(0);
    const rerun = JSON.parse(r.stdout.trim().split('\n').pop() as string) as RunResult;
    expect(rerun.outcome).toBe('succeeded');
    expect(readJson<RunEnvelope>(join(rerun.runDir as string, 'run.json')).rerunOf).toBe(old.runId);
    expect(readJson(join(old.runDir as string, 'lineage.json'))).toEqual({ runId: old.runId, reruns: [{ runId: rerun.runId, at: expect.any(String) }] });

    // and by its directory, the same way
    const byDir = await runCli(['rerun', old.runDir as string, '--json', ...target()], elsewhere());
    expect(byDir.code).toBe(0);
    expect((JSON.parse(byDir.stdout.trim().split('\n').pop() as string) as RunResult).outcome).toBe('succeeded');
  }, 120_000);

  it('refuses a name that is no run directory and no run on the server, saying where it looked (exit 2, nothing started)', async () => {
    const cwd = elsewhere();
    const id = await runCli(['rerun', 'no-such-run-rerun', ...target()], cwd);
    expect(id.code).toBe(2);
    expect(id.stderr).toMatch(new RegExp(`^factory: no run directory for "no-such-run-rerun" \\(looked for ${cwd}/no-such-run-rerun/run\\.json and ${cwd}/runs/no-such-run-rerun/run\\.json; .*not found.*\\)\\n$`));
    const path = await runCli(['rerun', 'some/missing/dir', ...target()], cwd);
    expect(path.code).toBe(2);
    expect(path.stderr).toBe(`factory: no run directory for "some/missing/dir" (no ${cwd}/some/missing/dir/run.json)\n`);
  });
});

describe('factory run --keep-server', () => {
  it('is gone: the local server always stays up after a run, so the option is refused as unknown (exit 2) and not in the help', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.stdout).not.toContain('keep-server');
    const r = await runCli(['run', 'x.yaml', '--keep-server'], elsewhere());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^factory: unknown option '--keep-server'/);
  });
});
