// `factory run --goal "..." -p name=value` (issue 23): the goal and the pipeline's parameters given at
// submit are in the run's input, run.json and run.created, expanded into the prompts the stages get, shown
// in the Temporal UI summary and details, and kept by a rerun; bad syntax and a parameter the pipeline does
// not declare are refused before any server is asked (exit 2, the name in the message).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEnvelope, RunEvent } from '../../core/run-model';
import type { RunResult } from '../../workflows/types';
import { pipelineYaml, readEvents, readJson, testProfileYaml, useRunEnv, workspace, type Workspace } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();
const target = () => ['--address', testTemporalEnv().address, '--namespace', testTemporalEnv().namespace];

function paramWorkspace(): Workspace {
  const pipeline = pipelineYaml(
    uniqueId('params'),
    ['{ id: plan, type: codergen, prompt: "Goal: $goal. Branch: $branch. Not a param: $branches." }'],
    ['{ from: start, to: plan }', '{ from: plan, to: exit }'],
    'goal: the default goal\nattrs: { branch: main }',
  );
  const ws = workspace(pipeline);
  // the shared worker's queue and an absolute base: a CLI-started run (and its rerun) lands on the shared worker
  ws.write('profile.yaml', testProfileYaml().replace('workdir: .', `workdir: ${ws.dir}`).replace('environment: { ', `environment: { temporal: { task_queue: ${env.taskQueue} }, `));
  return ws;
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() as string) as RunResult;

describe('factory run --goal and -p', () => {
  it('boots with the goal and parameters given, records them, expands them into the prompts, and a rerun keeps them', async () => {
    const ws = paramWorkspace();
    const runId = uniqueId('goal');
    const r = await runCli(['run', ws.pipeline, '--profile', ws.profile, '--run-id', runId, '--goal', 'ship v2 — now', '-p', 'branch=release/2.0', '--json', ...target()], ws.dir);
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    const runDir = result.runDir as string;
    const overrides = { goal: 'ship v2 — now', params: { branch: 'release/2.0' } };
    expect(readJson<RunEnvelope>(join(runDir, 'run.json')).overrides).toEqual(overrides);
    const created = readEvents(runDir).find((e: RunEvent) => e.type === 'run.created');
    expect(created?.data['overrides']).toEqual(overrides);
    expect(readFileSync(join(runDir, 'plan', 'prompt.md'), 'utf8')).toContain('Goal: ship v2 — now. Branch: release/2.0. Not a param: $branches.');
    // the run's input (its boot record in the history) carries them
    const history = await env.client.workflow.getHandle(runId).fetchHistory();
    const input = JSON.parse(Buffer.from(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data as Uint8Array).toString('utf8')) as Record<string, unknown>;
    expect([input['goal'], input['params']]).toEqual([overrides.goal, overrides.params]);
    const desc = await env.client.workflow.getHandle(runId).describe();
    expect(await desc.staticSummary()).toMatch(/^params-\S+@1\.0\.0 — ship v2 — now$/);
    expect(await desc.staticDetails()).toContain('- goal (given at submit): "ship v2 — now"\n- param branch = "release/2.0"');

    const rerun = await runCli(['rerun', runDir, '--json', ...target()], ws.dir);
    expect(rerun.code).toBe(0);
    const again = lastJson(rerun.stdout);
    expect(readJson<RunEnvelope>(join(again.runDir as string, 'run.json')).overrides).toEqual(overrides);
    expect(readFileSync(join(again.runDir as string, 'plan', 'prompt.md'), 'utf8')).toContain('Goal: ship v2 — now. Branch: release/2.0.');
  }, 120_000);

  it('boots with the pipeline\'s own goal and parameter defaults when none are given, and records no overrides', async () => {
    const ws = paramWorkspace();
    const r = await runCli(['run', ws.pipeline, '--profile', ws.profile, '--json', ...target()], ws.dir);
    expect(r.code).toBe(0);
    const runDir = lastJson(r.stdout).runDir as string;
    expect(readJson<RunEnvelope>(join(runDir, 'run.json')).overrides).toBeUndefined();
    expect(readFileSync(join(runDir, 'plan', 'prompt.md'), 'utf8')).toContain('Goal: the default goal. Branch: main.');
  }, 60_000);

  it.each([
    [['-p', 'branch'], /^factory: -p\/--param expects name=value .*got "branch"\n$/],
    [['-p', '=x'], /^factory: -p\/--param expects name=value .*got "=x"\n$/],
    [['-p', 'branch=a', '-p', 'branch=b'], /^factory: -p\/--param: parameter "branch" is given twice\n$/],
    [['-p', 'brnch=x'], /^factory: -p\/--param: pipeline params-\S+ has no parameter "brnch": its parameters are branch\n$/],
  ])('refuses %j before any server is asked (exit 2, nothing started)', async (args, message) => {
    const ws = paramWorkspace();
    // an address nothing listens on: reaching for the server would fail differently
    const r = await runCli(['run', ws.pipeline, '--profile', ws.profile, ...args, '--address', '127.0.0.1:1'], ws.dir);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(existsSync(join(ws.dir, 'runs'))).toBe(false);
  });

  it('refuses to change the goal of a resumed run', async () => {
    const ws = paramWorkspace();
    ws.write('run.json', JSON.stringify({ runId: 'interrupted', status: 'executing', sources: { pipeline: { file: ws.pipeline }, profile: { file: ws.profile } } }));
    const r = await runCli(['run', '--resume', ws.dir, '--goal', 'other', '--address', '127.0.0.1:1'], ws.dir);
    expect(r.stderr).toBe('factory: --goal and -p/--param cannot change a resumed run: it continues with the goal and parameters it was booted with\n');
    expect(r.code).toBe(2);
  });
});
