// `factory runs` tells outcomes apart (approved, rejected, failed, terminated, awaiting a human) from
// what the server knows, with no worker asked: every --status value the help lists filters, and each
// run is listed under its own outcome only. Also `factory status <id>` of an ended run answers with
// the outcome without a worker.
import { approveSignal } from '../../workflows/messages';
import type { RunRow } from '../../client/commands/runs';
import { uniqueId } from '../helpers/temporal';
import { eventually } from '../helpers/runs';
import { useHoldoutEnv } from '../holdout/env';
import { awaitGate } from '../surfaces/helpers';
import { runCli } from './run-cli';

const env = useHoldoutEnv();

const PASSING = [{ id: 'greets', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['hello'] } }];
const FAILING = [...PASSING, { id: 'farewell', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['goodbye'] } }];
/** Every value `factory runs --help` lists for --status. */
const ALL = ['booting', 'executing', 'awaiting_human', 'evaluating', 'finalizing', 'succeeded', 'approved', 'rejected', 'failed', 'cancelled', 'terminated', 'timed_out', 'completed'];

const cli = (args: readonly string[]) => runCli([...args, '--address', env.address, '--namespace', env.namespace], env.pipelineRoot);

async function listed(status: string): Promise<RunRow[]> {
  const r = await cli(['runs', '--status', status, '--limit', '1000', '--no-stage', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as RunRow[];
}

describe('factory runs: the outcome', () => {
  it('lists each run under its own outcome only, for every --status value in the help', async () => {
    const help = await runCli(['runs', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`(${ALL.join('|')})`);

    const approved = await env.start({ pipeline: env.pipeline(), profile: env.profile(), suite: { ref: (await env.publishSuite('outcome-pass', PASSING)).ref }, runId: uniqueId('oc-approved') });
    const rejected = await env.start({ pipeline: env.pipeline(), profile: env.profile(), suite: { ref: (await env.publishSuite('outcome-fail', FAILING)).ref }, runId: uniqueId('oc-rejected') });
    const failed = await env.start({ pipeline: env.pipeline(), profile: env.profile(), suite: { ref: 'no-such-suite@9.9.9' }, runId: uniqueId('oc-failed') });
    const parked = await env.start({ pipeline: env.pipeline({ gate: true }), profile: env.profile(), suite: { ref: (await env.publishSuite('outcome-gate', PASSING)).ref }, runId: uniqueId('oc-terminated') });
    const waiting = await env.start({ pipeline: env.pipeline({ gate: true }), profile: env.profile(), suite: { ref: (await env.publishSuite('outcome-wait', PASSING)).ref }, runId: uniqueId('oc-waiting') });
    expect((await approved.result()).outcome).toBe('approved');
    expect((await rejected.result()).outcome).toBe('rejected');
    await expect(failed.result()).rejects.toThrow();
    await awaitGate(parked, 'review');
    await parked.terminate('operator stopped it');
    await awaitGate(waiting, 'review');

    const expected: Record<string, string[]> = {
      [approved.workflowId]: ['approved', 'completed'],
      [rejected.workflowId]: ['rejected', 'completed'],
      [failed.workflowId]: ['failed'],
      [parked.workflowId]: ['terminated'],
      [waiting.workflowId]: ['awaiting_human'],
    };
    await eventually(async () => {
      const seen: Record<string, string[]> = Object.fromEntries(Object.keys(expected).map((id) => [id, []]));
      for (const status of ALL) for (const row of await listed(status)) seen[row.runId]?.push(status);
      return JSON.stringify(seen) === JSON.stringify(expected) || undefined;
    }, 60_000, 500).catch(() => undefined);
    const seen: Record<string, string[]> = Object.fromEntries(Object.keys(expected).map((id) => [id, []]));
    for (const status of ALL) for (const row of await listed(status)) seen[row.runId]?.push(status);
    expect(seen).toEqual(expected);

    const table = await cli(['runs', '--no-stage', '--limit', '1000']);
    expect(table.stdout).toMatch(new RegExp(`^${approved.workflowId}\\s+approved\\s`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^${rejected.workflowId}\\s+rejected\\s`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^${failed.workflowId}\\s+failed\\s`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^${parked.workflowId}\\s+terminated \\(was awaiting_human\\)\\s`, 'm'));
    const failedRow = (await listed('failed')).find((r) => r.runId === failed.workflowId);
    expect(failedRow?.failure?.domain).toBe('BOOT_FAILURE');

    // the ended run's outcome, from the server alone (this test's worker is not asked)
    const status = await cli(['status', rejected.workflowId]);
    expect(status.stdout.split('\n')[0]).toBe(`run ${rejected.workflowId}: completed (rejected)`);
    expect(status.code).toBe(1);
    await waiting.signal(approveSignal, { by: 'tester' });
  }, 300_000);
});
