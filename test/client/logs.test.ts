// `factory logs <run> [stage] [-f]`: stage logs from the run directory, by run id or directory, in stage
// order; -f follows a running stage until the run ends; escape sequences a stage prints are neutralised.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runQuery } from '../../workflows/messages';
import { eventually, pipelineYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();
const target = () => ['--address', testTemporalEnv().address, '--namespace', testTemporalEnv().namespace];

describe('factory logs', () => {
  it('prints each stage\'s logs in order, by run id or run directory, with control characters replaced', async () => {
    const ws = workspace(pipelineYaml('logs', [
      '{ id: first, type: tool, tool_command: "echo from-first" }',
      '{ id: second, type: tool, tool_command: "printf \'red \\\\033[31mtext\\\\033[0m\\\\n\'; echo oops >&2" }',
    ], ['{ from: start, to: first }', '{ from: first, to: second }', '{ from: second, to: exit }']));
    const result = await (await env.start(ws)).result();
    const byId = await runCli(['logs', result.runId, ...target()], ws.dir);
    expect(byId.code).toBe(0);
    const lines = byId.stdout.split('\n');
    expect(lines.indexOf('==> first/stdout.log <==')).toBeLessThan(lines.indexOf('==> second/stdout.log <=='));
    expect(lines).toContain('from-first');
    expect(lines).toContain('red ?text?');
    expect(byId.stdout).not.toContain('\u001b');
    const one = await runCli(['logs', result.runDir as string, 'second'], ws.dir);
    expect(one.stdout).toBe('==> second/stderr.log <==\noops\n==> second/stdout.log <==\nred ?text?\n');
    const missing = await runCli(['logs', result.runDir as string, 'third'], ws.dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/has no stage "third" \(stages: first, second\)/);
  });

  it('-f follows a running stage\'s output until the run ends', async () => {
    const ws = workspace(pipelineYaml('logs-follow', [
      '{ id: slow, type: tool, tool_command: "echo before; while [ ! -f go ]; do sleep 0.1; done; echo after" }',
    ], ['{ from: start, to: slow }', '{ from: slow, to: exit }']));
    const handle = await env.start(ws);
    const runDir = await eventually(async () => (await handle.query(runQuery)).runDir, 30_000, 100);
    await eventually(async () => existsSync(join(runDir, 'slow', 'stdout.log')) && readFileSync(join(runDir, 'slow', 'stdout.log'), 'utf8').includes('before'), 30_000, 100);
    const following = runCli(['logs', handle.workflowId, '-f', ...target()], ws.dir);
    // the stage runs in the run's own workspace (issue 21), not in the project directory
    writeFileSync(join((await handle.query(runQuery)).workspace?.dir as string, 'go'), '');
    const r = await following;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('==> slow/stdout.log <==\nbefore\n');
    expect(r.stdout).toContain('after\n');
    await handle.result();
  });
});
