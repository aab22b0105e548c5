// Two embedded `factory run`s started together in one directory share one local server (issue 24 item
// 7a): neither overwrites the other's .factory/server.json, both runs succeed on it, and the server
// outlives both with their outcomes, until `factory server stop`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRow } from '../../client/commands/runs';
import { alive, cleanEnv } from '../cluster/helpers';
import { pipelineYaml, testProfileYaml } from '../helpers/runs';
import { runCli, spawnCmd, BIN } from './run-cli';

describe('two embedded factory runs in one directory', () => {
  it('share one persistent local server and one server record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'factory-shared-'));
    writeFileSync(join(dir, 'pipeline.yaml'), pipelineYaml('shared', ['{ id: hello, type: tool, tool_command: "echo hi" }'], ['{ from: start, to: hello }', '{ from: hello, to: exit }']));
    writeFileSync(join(dir, 'profile.yaml'), testProfileYaml());
    const run = (id: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(process.execPath, [BIN, 'run', 'pipeline.yaml', '--profile', 'profile.yaml', '--run-id', id], { cwd: dir, env: cleanEnv({ FACTORY_DEBUG: '' }), encoding: 'utf8' }, (err, stdout, stderr) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
        );
      });
    let pid: number | undefined;
    try {
      const [a, b] = await Promise.all([run('run-shared-a'), run('run-shared-b')]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const addresses = [a.out, b.out].map((o) => /local Temporal server at (\S+),/.exec(o)?.[1]);
      expect(addresses[0]).toBeDefined();
      expect(addresses[1]).toBe(addresses[0]);
      expect([a.out, b.out].filter((o) => o.includes('started the local Temporal server'))).toHaveLength(1);
      const record = JSON.parse(readFileSync(join(dir, '.factory', 'server.json'), 'utf8')) as { address: string; pid: number };
      pid = record.pid;
      expect(record.address).toBe(addresses[0]);
      expect(alive(record.pid)).toBe(true);

      const runs = JSON.parse((await runCli(['runs', '--json', '--no-stage'], dir)).stdout) as RunRow[];
      expect(runs.map((r) => [r.runId, r.outcome]).sort()).toEqual([['run-shared-a', 'succeeded'], ['run-shared-b', 'succeeded']]);
      const status = await spawnCmd(process.execPath, [BIN, 'status', 'run-shared-a'], dir);
      expect(status.stdout.split('\n')[0]).toBe('run run-shared-a: completed (succeeded)');
    } finally {
      await runCli(['server', 'stop'], dir);
    }
    expect(pid !== undefined && alive(pid)).toBe(false);
  }, 240_000);
});
