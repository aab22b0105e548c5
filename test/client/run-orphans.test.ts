// `factory run` in embedded mode leaves no orphan when it is SIGKILLed at a gate: its scenario-worker
// process dies with it (the process guard of infra/process-guard.ts). The local Temporal server it
// started is not an orphan: it persists on purpose, keeps the parked run, and `factory server stop` ends it.
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
  it('takes its scenario worker with it and leaves the local server up with the run parked, until `factory server stop`', async () => {
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
    await eventually(async () => !alive(workerPid), 30_000, 200).catch(() => undefined);
    expect({ scenarioWorker: alive(workerPid), devServer: alive(record.pid) }).toEqual({ scenarioWorker: false, devServer: true });
    guard.release();

    try {
      const runs = await runCli(['runs', '--json', '--no-stage'], dir);
      expect((JSON.parse(runs.stdout) as { runId: string; temporalStatus: string }[]).map((r) => [r.runId, r.temporalStatus])).toEqual([['run-orphans', 'RUNNING']]);
    } finally {
      const stop = await runCli(['server', 'stop'], dir);
      expect(stop.stdout).toContain(`local Temporal server stopped (pid ${record.pid})`);
    }
    expect(alive(record.pid)).toBe(false);
    expect(existsSync(join(dir, '.factory', 'server.json'))).toBe(false);
  }, 180_000);
});
