// `factory run` in embedded mode leaves nothing behind when it is SIGKILLed at a gate: its dev server
// and its scenario-worker process die with it (the process guard of infra/process-guard.ts), and the
// `.factory/server.json` it leaves is removed by the next command, which says it fell back.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardChild } from '../../infra/process-guard';
import { alive, cleanEnv } from '../cluster/helpers';
import { eventually, pipelineYaml, testProfileYaml } from '../helpers/runs';
import { ScenarioRoot } from '../scenarios/helpers';
import { BIN, runCli } from './run-cli';

describe('factory run killed with SIGKILL at a gate', () => {
  it('takes its dev server and scenario worker with it and leaves a server record the next command removes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'factory-orphans-'));
    const scenarios = new ScenarioRoot();
    // a suite by file name only the scenario root holds: boot asks the scenario worker for it
    const suite = scenarios.write('orphans', [{ id: 'greets', kind: 'command', run: 'true' }]);
    writeFileSync(join(dir, 'pipeline.yaml'), pipelineYaml('demo', ['{ id: review, type: wait.human }'], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }']));
    writeFileSync(join(dir, 'profile.yaml'), testProfileYaml());
    const args = [BIN, 'run', 'pipeline.yaml', '--profile', 'profile.yaml', '--suite', suite.file.slice(scenarios.dir.length + 1), '--scenarios-root', scenarios.dir, '--run-id', 'run-orphans'];
    const factory = spawn(process.execPath, args, { cwd: dir, env: cleanEnv({ FACTORY_DEBUG: '' }), stdio: ['ignore', 'pipe', 'pipe'] });
    // only for a failing test: the factory process itself never outlives this test
    const guard = guardChild(factory, { graceMs: 5000, marker: BIN });
    let out = '';
    factory.stdout.on('data', (d: Buffer) => (out += d.toString()));
    factory.stderr.on('data', (d: Buffer) => (out += d.toString()));

    await eventually(async () => out.includes('waiting for a human at gate "review"') || factory.exitCode !== null, 120_000, 200);
    expect(out).toContain('waiting for a human at gate "review"');
    const workerPid = Number(/scenario worker process (\d+)/.exec(out)?.[1]);
    const record = JSON.parse(readFileSync(join(dir, '.factory', 'server.json'), 'utf8')) as { pid: number; pidStart?: string };
    expect(record.pidStart).toMatch(/^\d+$/);
    expect([alive(workerPid), alive(record.pid)]).toEqual([true, true]);

    factory.kill('SIGKILL');
    await eventually(async () => !alive(workerPid) && !alive(record.pid), 30_000, 200).catch(() => undefined);
    expect({ scenarioWorker: alive(workerPid), devServer: alive(record.pid) }).toEqual({ scenarioWorker: false, devServer: false });
    guard.release();

    expect(existsSync(join(dir, '.factory', 'server.json'))).toBe(true); // SIGKILL left it behind
    const status = await runCli(['status', 'run-orphans'], dir);
    expect(status.stderr.split('\n')[0]).toMatch(
      new RegExp(`^factory: removed stale \\.factory/server\\.json: it names the dev server at [\\d.:]+, but pid ${record.pid} is gone; using the default address 127\\.0\\.0\\.1:7233`),
    );
    expect(existsSync(join(dir, '.factory', 'server.json'))).toBe(false);
  }, 180_000);
});
