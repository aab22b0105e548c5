// Worker Deployment Versioning (docs/upgrading.md): a run is pinned to the version it started on. Version N
// parks a run at a gate, version N+1 (a change non-deterministic for N's history) becomes current, the gate
// is answered, and the run completes on N while new runs start on N+1.
import type { Client } from '@temporalio/client';
import { decodeVersioningBehavior } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createDefaultHandlers } from '../../activities/handlers';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { createPipelineWorker, PIPELINE_WORKFLOWS, type PipelineWorker } from '../../workers/pipeline';
import { pinRuns } from '../../workers/deployment';
import { bundleTestWorkflows, connectTestClient, connectTestNativeConnection, testTemporalEnv, uniqueId } from '../helpers/temporal';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, scriptHandler, startRun, workspace, type Workspace } from '../helpers/runs';

let client: Client;
let native: NativeConnection;
let current: WorkflowBundleWithSourceMap;
let next: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [client, native, current, next] = await Promise.all([
    connectTestClient(),
    connectTestNativeConnection(),
    bundleTestWorkflows(PIPELINE_WORKFLOWS),
    bundleTestWorkflows(require.resolve('../fixtures/workflows/next-version')),
  ]);
}, 180_000);
afterAll(async () => {
  await native?.close();
  await client?.connection.close();
});

const gated = pipelineYaml(
  'versioned',
  ['{ id: build, type: test.script }', '{ id: review, type: wait.human, prompt: "Ship it?" }', '{ id: ship, type: test.script }'],
  ['{ from: start, to: build }', '{ from: build, to: review }', '{ from: review, to: ship, label: "[A] Approve" }', '{ from: review, to: exit, label: "[R] Reject" }', '{ from: ship, to: exit }'],
);

/** A pipeline worker of `bundle` on `taskQueue`, running (its version current) until stop(). */
async function startWorker(ws: Workspace, taskQueue: string, bundle: WorkflowBundleWithSourceMap, script: ReturnType<typeof scriptHandler>) {
  const handlers = createDefaultHandlers();
  handlers.register('test.script', script.handler);
  const worker: PipelineWorker = await createPipelineWorker({ connection: native, namespace: testTemporalEnv().namespace, taskQueue, registryRoot: ws.dir, handlers, workflowBundle: bundle });
  const running = worker.run();
  await worker.ready();
  return { worker, stop: () => (worker.shutdown(), running) };
}

/** The versioning info `temporal workflow describe` shows. */
async function versioningOf(workflowId: string) {
  const d = await client.workflow.getHandle(workflowId).describe();
  const v = d.raw.workflowExecutionInfo?.versioningInfo;
  return { behavior: decodeVersioningBehavior(v?.behavior), buildId: v?.deploymentVersion?.buildId ?? undefined };
}

const awaitingReview = (h: Awaited<ReturnType<typeof startRun>>) =>
  eventually(async () => {
    const s = await h.query(statusQuery);
    return s.status === 'awaiting_human' && s.openGates.includes('review');
  }, 60_000);

describe('worker versioning', () => {
  it('completes a run parked at a gate on version N after N+1 became current, and starts new runs on N+1', async () => {
    const script = scriptHandler();
    const ws = workspace(gated);
    const taskQueue = uniqueId('versioned');
    const n = await startWorker(ws, taskQueue, current, script);
    let m: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      const parked = await startRun(client, taskQueue, ws);
      await awaitingReview(parked);
      expect(await versioningOf(parked.workflowId)).toEqual({ behavior: 'PINNED', buildId: n.worker.version.buildId });
      // the drain check of docs/upgrading.md finds it
      const pinnedToN = `TemporalWorkerDeploymentVersion='${taskQueue}:${n.worker.version.buildId}' AND ExecutionStatus='Running'`;
      await eventually(async () => {
        const ids: string[] = [];
        for await (const w of client.workflow.list({ query: pinnedToN })) ids.push(w.workflowId);
        return ids.length === 1 && ids[0] === parked.workflowId;
      }, 30_000);

      m = await startWorker(ws, taskQueue, next, script);
      expect(m.worker.version.buildId).not.toBe(n.worker.version.buildId);
      // N+1 cannot replay N's history: without the pin, answering the gate would break the run
      const history = await parked.fetchHistory();
      await expect(Worker.runReplayHistory({ workflowBundle: next }, history, parked.workflowId)).rejects.toMatchObject({ name: 'DeterminismViolationError' });

      const fresh = await startRun(client, taskQueue, ws);
      await awaitingReview(fresh);
      expect(await versioningOf(fresh.workflowId)).toEqual({ behavior: 'PINNED', buildId: m.worker.version.buildId });

      await parked.signal(approveSignal, { gate: 'review', by: 'upgrader' });
      const result = await parked.result();
      expect(result.outcome).toBe('succeeded');
      expect(await versioningOf(parked.workflowId)).toEqual({ behavior: 'PINNED', buildId: n.worker.version.buildId });
      const events = await allEvents(parked);
      expectGapless(events);
      expect(readEvents(result.runDir as string)).toEqual(events);
      expect(script.of(result.runId).map((c) => c.node)).toEqual(['build', 'ship']);

      await fresh.signal(approveSignal, { gate: 'review', by: 'upgrader' });
      expect((await fresh.result()).outcome).toBe('succeeded');
    } finally {
      await m?.stop();
      await n.stop();
    }
  }, 240_000);

  it('moves a run parked at a gate to N+1 at its continue-as-new hand-over once N+1 is current, and completes it there', async () => {
    const script = scriptHandler();
    const ws = workspace(gated);
    const taskQueue = uniqueId('handover');
    const n = await startWorker(ws, taskQueue, current, script);
    let m: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      const parked = await startRun(client, taskQueue, ws);
      await awaitingReview(parked);
      const first = (await parked.describe()).runId;
      m = await startWorker(ws, taskQueue, next, script);
      // any workflow task of the waiting gate now sees the new target version: a refused answer is one
      await parked.signal(approveSignal, { gate: 'no-such-gate', by: 'upgrader' });
      await eventually(async () => (await parked.describe()).runId !== first && (await versioningOf(parked.workflowId)).buildId === m?.worker.version.buildId, 60_000);
      await awaitingReview(parked);
      await parked.signal(approveSignal, { gate: 'review', by: 'upgrader' });
      const result = await parked.result();
      expect(result.outcome).toBe('succeeded');
      expect(await versioningOf(parked.workflowId)).toEqual({ behavior: 'PINNED', buildId: m.worker.version.buildId });
      const events = await allEvents(parked);
      expectGapless(events);
      expect(readEvents(result.runDir as string)).toEqual(events);
      expect(events.filter((e) => e.type === 'run.continued_as_new').map((e) => e.data['gate'])).toEqual(['review']);
      expect(events.filter((e) => e.type === 'gate.opened')).toHaveLength(1);
      expect(script.of(result.runId).map((c) => c.node)).toEqual(['build', 'ship']);
    } finally {
      await m?.stop();
      await n.stop();
    }
  }, 240_000);

  it('keeps the newer version current when a worker of an older version restarts (no accidental rollback)', async () => {
    const script = scriptHandler();
    const ws = workspace(gated);
    const taskQueue = uniqueId('restart');
    const currentBuildId = async () =>
      (await native.workflowService.describeWorkerDeployment({ namespace: testTemporalEnv().namespace, deploymentName: taskQueue })).workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId;
    const n = await startWorker(ws, taskQueue, current, script);
    expect(await currentBuildId()).toBe(n.worker.version.buildId);
    const m = await startWorker(ws, taskQueue, next, script);
    expect(await currentBuildId()).toBe(m.worker.version.buildId);
    await n.stop();
    const restarted = await startWorker(ws, taskQueue, current, script);
    try {
      expect(restarted.worker.version.buildId).toBe(n.worker.version.buildId);
      expect(await currentBuildId()).toBe(m.worker.version.buildId);
    } finally {
      await restarted.stop();
      await m.stop();
    }
  }, 240_000);

  it('keeps a run pinned to N by an override on N, without a hand-over, after N+1 became current', async () => {
    const script = scriptHandler();
    const ws = workspace(gated);
    const taskQueue = uniqueId('override');
    const n = await startWorker(ws, taskQueue, current, script);
    let m: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      const parked = await startRun(client, taskQueue, ws);
      await awaitingReview(parked);
      const first = (await parked.describe()).runId;
      // the operator pins the run to N (temporal workflow update-options --versioning-override-behavior pinned)
      await pinRuns(native, testTemporalEnv().namespace, [{ workflowId: parked.workflowId, runId: first }], n.worker.version);
      m = await startWorker(ws, taskQueue, next, script);
      await parked.signal(approveSignal, { gate: 'no-such-gate', by: 'upgrader' });
      await eventually(async () => (await allEvents(parked)).some((e) => e.type === 'gate.answer_rejected'), 60_000);
      expect((await parked.describe()).runId).toBe(first);
      await parked.signal(approveSignal, { gate: 'review', by: 'upgrader' });
      const result = await parked.result();
      expect(result.outcome).toBe('succeeded');
      expect((await parked.describe()).runId).toBe(first);
      expect((await allEvents(parked)).filter((e) => e.type === 'run.continued_as_new')).toHaveLength(0);
      expect(script.of(result.runId).map((c) => c.node)).toEqual(['build', 'ship']);
    } finally {
      await m?.stop();
      await n.stop();
    }
  }, 240_000);
});
