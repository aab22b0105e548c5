// `factory cancel <run>`: Temporal's cancel request, then how the run ended, as the server records it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEnvelope } from '../../core/run-model';
import { eventually, pipelineYaml, readEvents, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { awaitGate, gatedPipeline } from '../surfaces/helpers';
import { runCli } from './run-cli';

const env = useRunEnv();
const target = () => ['--address', testTemporalEnv().address, '--namespace', testTemporalEnv().namespace];

describe('factory cancel', () => {
  it('cancels a run parked at a gate and reports how it ended; a second cancel is refused', async () => {
    const handle = await env.start(workspace(gatedPipeline(uniqueId('cancel'))));
    await awaitGate(handle, 'review');
    const r = await runCli(['cancel', handle.workflowId, ...target()]);
    expect(r.stdout).toBe(`cancellation requested for run ${handle.workflowId}\nrun ${handle.workflowId} ended: cancelled\n`);
    expect(r.code).toBe(0);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const listed = await runCli(['runs', '--status', 'cancelled', '--no-stage', '--limit', '1000', '--json', ...target()]);
    expect((JSON.parse(listed.stdout) as { runId: string }[]).map((row) => row.runId)).toContain(handle.workflowId);

    const again = await runCli(['cancel', handle.workflowId, ...target()]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/has already ended \(.+\); nothing to cancel/);
  });
});

describe('factory cancel of a run in a long tool stage', () => {
  /** Pids of live processes whose command line holds `marker`. */
  function processesWith(marker: string): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
        const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
        if (cmd.includes(marker) && state !== 'Z') pids.push(Number(entry));
      } catch {
        // the process ended while we looked
      }
    }
    return pids;
  }

  it('stops the stage process, finalizes the run directory as cancelled and lists it under --status cancelled', async () => {
    // a sleep no other process runs: its argument is the marker
    const seconds = String(600_000 + Math.floor(Math.random() * 99_999));
    const ws = workspace(pipelineYaml(uniqueId('cancel-tool'), [`{ id: slow, type: tool, tool_command: "sleep ${seconds}" }`], ['{ from: start, to: slow }', '{ from: slow, to: exit }']));
    const handle = await env.start(ws);
    await eventually(async () => processesWith(`sleep ${seconds}`).length > 0, 60_000);

    const r = await runCli(['cancel', handle.workflowId, ...target()]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`run ${handle.workflowId} ended: cancelled`);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    // the run ended only after its stage stopped: no process of the stage is left
    expect(processesWith(`sleep ${seconds}`)).toEqual([]);

    const runDir = join(ws.dir, 'runs', handle.workflowId);
    const events = readEvents(runDir);
    expect(events.find((e) => e.type === 'run.cancelled')?.data).toMatchObject({ node: 'slow', status: 'executing' });
    expect(events[events.length - 1]).toMatchObject({ type: 'run.completed', data: { outcome: 'cancelled' } });
    const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunEnvelope;
    expect(record).toMatchObject({ outcome: 'cancelled', status: 'completed' });
    // finalized: the freeze manifest is written and the directory matches it
    const verified = await runCli(['verify', runDir, '--offline']);
    expect(verified.stdout + verified.stderr).not.toMatch(/FAILED|not finalized/);
    expect(verified.code).toBe(0);
    const sa = (await handle.describe()).searchAttributes as Record<string, unknown[]>;
    expect(sa['FactoryStatus']).toEqual(['cancelled']);

    const listed = await runCli(['runs', '--status', 'cancelled', '--no-stage', '--limit', '1000', '--json', ...target()]);
    expect((JSON.parse(listed.stdout) as { runId: string }[]).map((row) => row.runId)).toContain(handle.workflowId);
  }, 120_000);
});
