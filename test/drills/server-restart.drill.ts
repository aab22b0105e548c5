// Drill: the Temporal server is SIGKILLed while a run waits at a gate and restarted on the same SQLite
// database and port; the worker reconnects, the gate is approved, the run completes with a gapless
// record equal to events.jsonl, and a follower started before the crash returns.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { followEvents } from '../../client/progress';
import { startDevServer, type DevServer } from '../../infra/dev-server';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, startRun, testActivities, workspace } from '../helpers/runs';
import { bundleTestWorkflows, installTestRuntime, uniqueId } from '../helpers/temporal';

const gated = pipelineYaml('restart', ['{ id: build, type: tool, tool_command: "echo built" }', '{ id: review, type: wait.human }'], ['{ from: start, to: build }', '{ from: build, to: review }', '{ from: review, to: exit, label: "[A] Approve" }', '{ from: review, to: exit, label: "[R] Reject" }']);

it('completes a gated run with its record intact when the server is SIGKILLed mid-gate and restarted on its database', async () => {
  installTestRuntime();
  const dbFilename = join(mkdtempSync(join(tmpdir(), 'factory-drill-db-')), 'temporal.db');
  let server: DevServer | undefined = await startDevServer({ dbFilename, ui: false });
  const port = Number(server.address.split(':').pop());
  const ws = workspace(gated);
  const taskQueue = uniqueId('drill-restart');
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await bundleTestWorkflows(require.resolve('../../workflows/bundle-pipeline')), activities: testActivities(ws) });
  const running = worker.run();
  let client = new Client({ connection: await Connection.connect({ address: server.address }) });
  try {
    const handle = await startRun(client, taskQueue, ws, { registryRoot: ws.dir });
    const runDir = join(ws.dir, 'runs', handle.workflowId);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human' && readEvents(runDir).some((e) => e.type === 'gate.opened'), 60_000);

    process.kill(server.pid, 'SIGKILL');
    await server.stop().catch(() => undefined);
    await client.connection.close();
    server = await startDevServer({ dbFilename, ui: false, port });
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const again = client.workflow.getHandle(handle.workflowId);
    const followed = followEvents(again, () => undefined, { intervalMs: 200 });
    await eventually(async () => (await again.query(statusQuery)).status === 'awaiting_human', 120_000, 500);
    await again.signal(approveSignal, { gate: 'review', by: 'drill' });
    const result = await again.result();
    expect(result.outcome).toBe('succeeded');
    await followed;
    const events = await allEvents(again as never);
    expectGapless(events);
    expect(readEvents(runDir)).toEqual(events);
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await native.close();
    await client.connection.close();
    await server?.stop();
  }
});
