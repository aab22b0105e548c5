// `factory runs` (visibility: filters, --json, the current stage) and what `factory status` says is
// stuck (pending activities from describe), against runs on the shared dev server.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { formatRuns, rowOf, runsQuery, type RunRow } from '../../client/commands/runs';
import { formatStageRetry, retryingStages, type StageRetry } from '../../client/run-monitor';
import type { RunEvent } from '../../core/run-model';
import { allEvents, eventually, pipelineYaml, testProfileYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { awaitGate, gatedPipeline } from '../surfaces/helpers';
import { runCli } from './run-cli';

const env = useRunEnv();
const target = () => ['--address', testTemporalEnv().address, '--namespace', testTemporalEnv().namespace];

describe('runsQuery', () => {
  it.each([
    [{}, 'WorkflowType = "runPipeline" AND ExecutionStatus != "ContinuedAsNew"'],
    [{ status: 'awaiting_human' }, 'WorkflowType = "runPipeline" AND FactoryStatus = "awaiting_human" AND ExecutionStatus = "Running"'],
    [{ status: 'finalizing' }, 'WorkflowType = "runPipeline" AND FactoryStatus = "finalizing" AND ExecutionStatus = "Running"'],
    [{ status: 'completed' }, 'WorkflowType = "runPipeline" AND ExecutionStatus = "Completed"'],
    [{ status: 'approved' }, 'WorkflowType = "runPipeline" AND ExecutionStatus = "Completed"'],
    [{ status: 'cancelled' }, 'WorkflowType = "runPipeline" AND ExecutionStatus = "Canceled"'],
    [{ pipeline: 'feature-pipeline', status: 'failed' }, 'WorkflowType = "runPipeline" AND (ExecutionStatus = "Failed" OR ExecutionStatus = "Completed") AND FactoryPipeline = "feature-pipeline"'],
  ])('builds the visibility query when the filters are %j', (filters, query) => {
    expect(runsQuery(filters)).toBe(query);
  });

  it.each([
    [{ status: 'sleeping' }, /--status: unknown status "sleeping"; one of: booting, executing, awaiting_human/],
    [{ pipeline: 'x" OR WorkflowType = "y' }, /--pipeline: a pipeline id is letters, digits/],
  ])('refuses the filter without querying when it is %j', (filters, message) => {
    expect(() => runsQuery(filters)).toThrow(message);
  });
});

describe('formatRuns', () => {
  const row = (over: Partial<RunRow>): RunRow => ({ runId: 'run-1', status: 'executing', outcome: 'executing', temporalStatus: 'RUNNING', pipeline: 'p', started: '2026-11-30T10:00:00.000Z', ...over });

  it('shows a closed execution whose FactoryStatus still says live as closed, never as live', () => {
    const [, line] = formatRuns([row({ status: 'awaiting_human', outcome: 'terminated', temporalStatus: 'TERMINATED' })]);
    expect(line).toMatch(/^run-1\s+terminated \(was awaiting_human\)\s+p\s+2026-11-30 10:00:00\s+-$/);
  });

  it('shows ? for the stage of a running run no worker answered for', () => {
    expect(formatRuns([row({})])[1]).toMatch(/executing\s+p\s+2026-11-30 10:00:00\s+\?$/);
    expect(formatRuns([row({ currentStage: 'build' })])[1]).toMatch(/\s+build$/);
    expect(formatRuns([])).toEqual(['no runs']);
  });

  it('reads FactoryStatus, FactoryPipeline and the start time from a visibility row', () => {
    const info = {
      workflowId: 'run-9',
      status: { name: 'COMPLETED' },
      startTime: new Date('2026-11-30T10:00:00.000Z'),
      closeTime: new Date('2026-11-30T10:05:00.000Z'),
      searchAttributes: { FactoryStatus: ['completed'], FactoryPipeline: ['feature'] },
    } as unknown as WorkflowExecutionInfo;
    expect(rowOf(info)).toEqual({ runId: 'run-9', status: 'completed', outcome: 'completed', temporalStatus: 'COMPLETED', pipeline: 'feature', started: '2026-11-30T10:00:00.000Z', closed: '2026-11-30T10:05:00.000Z' });
  });

  it('reads the outcome from FactoryStatus of a completed execution (the workflow publishes it at the end)', () => {
    const info = (status: string) => ({ workflowId: 'run-8', status: { name: 'COMPLETED' }, startTime: new Date(), searchAttributes: { FactoryStatus: [status] } }) as unknown as WorkflowExecutionInfo;
    expect(rowOf(info('approved')).outcome).toBe('approved');
    expect(rowOf(info('rejected')).outcome).toBe('rejected');
    expect(rowOf(info('finalizing')).outcome).toBe('completed');
  });
});

describe('factory runs', () => {
  it('lists only the parked run with its current stage when filtered by --status awaiting_human and --pipeline, as JSON', async () => {
    const pipeline = uniqueId('runs-gated');
    const parked = await env.start(workspace(gatedPipeline(pipeline)));
    await awaitGate(parked, 'review');
    const other = await env.start(workspace(gatedPipeline(uniqueId('runs-other'))));
    await awaitGate(other, 'review');
    const rows = await eventually(async () => {
      const r = await runCli(['runs', '--status', 'awaiting_human', '--pipeline', pipeline, '--json', ...target()]);
      expect(r.code).toBe(0);
      const listed = JSON.parse(r.stdout) as RunRow[];
      return listed.length > 0 ? listed : undefined;
    }, 30_000, 300);
    expect(rows).toEqual([expect.objectContaining({ runId: parked.workflowId, status: 'awaiting_human', temporalStatus: 'RUNNING', pipeline, currentStage: 'review' })]);

    const text = await runCli(['runs', '--pipeline', pipeline, ...target()]);
    expect(text.stdout.split('\n')[0]).toMatch(/^RUN\s+STATUS\s+PIPELINE\s+STARTED\s+STAGE$/);
    expect(text.stdout).toMatch(new RegExp(`^${parked.workflowId}\\s+awaiting_human\\s+${pipeline}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+review$`, 'm'));

    await parked.signal('approve', { by: 'tester' });
    await other.signal('approve', { by: 'tester' });
    await Promise.all([parked.result(), other.result()]);
    await eventually(async () => {
      const r = await runCli(['runs', '--status', 'awaiting_human', '--pipeline', pipeline, '--json', ...target()]);
      return (JSON.parse(r.stdout) as RunRow[]).length === 0;
    }, 30_000, 300);
    const done = JSON.parse((await runCli(['runs', '--status', 'completed', '--pipeline', pipeline, '--json', ...target()])).stdout) as RunRow[];
    expect(done.map((r) => [r.runId, r.temporalStatus])).toEqual([[parked.workflowId, 'COMPLETED']]);
  });

  it('exits 2 with the reason and lists nothing when --status is not a run status', async () => {
    const r = await runCli(['runs', '--status', 'sleeping', ...target()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^factory: --status: unknown status "sleeping"/);
    expect(r.stdout).toBe('');
  });
});

describe('factory status: what is stuck', () => {
  it('says the stage is retrying with the failed attempt, its reason and when the next attempt starts when a stage failed and waits for its backoff', async () => {
    const profile = testProfileYaml().replace('initial_interval: 100ms', 'initial_interval: 5m').replace('maximum_interval: 1s', 'maximum_interval: 5m');
    const pipeline = pipelineYaml('stuck-stage', ['{ id: build, type: tool, tool_command: "echo broken >&2; exit 3", max_retries: 2 }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);
    const handle = await env.start(workspace(pipeline, { profile }));
    try {
      await eventually(async () => (await allEvents(handle)).some((e) => e.type === 'stage.retrying'), 30_000, 200);

      const r = await runCli(['status', handle.workflowId, ...target()]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('  current node: build');
      expect(r.stdout).toMatch(/^ {2}stage build is retrying: attempt 1 of 3 failed \(.+\); next attempt in [2-7]m\d\ds$/m);

      const json = JSON.parse((await runCli(['status', handle.workflowId, '--json', ...target()])).stdout) as { retrying: StageRetry[] };
      expect(json.retrying).toEqual([expect.objectContaining({ node: 'build', attempt: 1, maxAttempts: 3, reason: expect.any(String) })]);
    } finally {
      await handle.terminate('test done');
    }
  });
});

describe('retryingStages', () => {
  const at = '2026-11-30T10:00:00.000Z';
  const e = (seq: number, type: RunEvent['type'], data: Record<string, unknown>): RunEvent => ({ seq, type, runId: 'r', at, data });

  it.each<[string, RunEvent[], string[]]>([
    ['a retry not yet ended', [e(1, 'stage.started', { node: 'a' }), e(2, 'stage.retrying', { node: 'a', attempt: 1, max_attempts: 2, next_delay_ms: 1000 })], ['a']],
    ['a retry ended by stage.completed', [e(1, 'stage.retrying', { node: 'a', attempt: 1 }), e(2, 'stage.completed', { node: 'a' })], []],
    ['a retry ended by the run failing', [e(1, 'stage.retrying', { node: 'a', attempt: 1 }), e(2, 'run.failed', {})], []],
    ['two branches, one retried then failed', [e(1, 'stage.retrying', { node: 'a' }), e(2, 'stage.retrying', { node: 'b' }), e(3, 'stage.failed', { node: 'a' })], ['b']],
  ])('lists the stages between attempts for %s', (_name, events, nodes) => {
    expect(retryingStages(events).map((r) => r.node)).toEqual(nodes);
  });

  it('counts the next attempt from the event time plus the delay', () => {
    const [r] = retryingStages([e(1, 'stage.retrying', { node: 'a', attempt: 2, max_attempts: 4, reason: 'x', next_delay_ms: 90_000 })]);
    expect(r?.nextAt).toBe(Date.parse(at) + 90_000);
    expect(formatStageRetry(r as StageRetry, Date.parse(at))).toBe('stage a is retrying: attempt 2 of 4 failed (x); next attempt in 1m30s');
    expect(formatStageRetry(r as StageRetry, Date.parse(at) + 100_000)).toBe('stage a is retrying: attempt 2 of 4 failed (x); next attempt due now');
  });
});
